import { DynamicModule, Module } from '@nestjs/common';
import { ApiKeysModule } from 'src/api-keys/api-keys.module';
import { AssetsModule } from 'src/assets/assets.module';
import { AuditJobsModule } from 'src/audit/audit-jobs.module';
import { AuditModule } from 'src/audit/audit.module';
import { ClockModule } from 'src/common/clock/clock.module';
import { ConfigModule } from 'src/config/config.module';
import { DatabaseModule } from 'src/database/database.module';
import { ConsentsModule } from 'src/consents/consents.module';
import { EvidenceModule } from 'src/evidence/evidence.module';
import { HealthModule } from 'src/health/health.module';
import { LoggingModule } from 'src/logging/logging.module';
import { PagesModule } from 'src/pages/pages.module';
import { PersonsModule } from 'src/persons/persons.module';
import { QueueModule } from 'src/queue/queue.module';
import { RemindersModule } from 'src/reminders/reminders.module';
import { TemplatingModule } from 'src/templating/templating.module';
import { WebhooksModule } from 'src/webhooks/webhooks.module';

@Module({})
export class AppModule {
  /** Assembled on demand so the environment is read when the app starts, not when files load. */
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(),
        LoggingModule,
        ClockModule,
        DatabaseModule,
        QueueModule,
        AuditModule,
        AuditJobsModule,
        ApiKeysModule,
        HealthModule,
        TemplatingModule,
        PersonsModule,
        ConsentsModule,
        EvidenceModule,
        PagesModule,
        RemindersModule,
        WebhooksModule,
        AssetsModule,
      ],
    };
  }
}
