import { Module } from '@nestjs/common';
import { ConsentHooks } from 'src/consents/consent-hooks';
import { ConsentMailComposers } from 'src/consents/consent-mail-composers';
import { ConsentsController } from 'src/consents/consents.controller';
import { ConsentsProcessor } from 'src/consents/consents.processor';
import { ConsentsQueries } from 'src/consents/consents.queries';
import { ConsentsService } from 'src/consents/consents.service';
import { DossierController } from 'src/consents/dossier.controller';
import { NoticeRenderer } from 'src/consents/notice-renderer';
import { LinkTokensModule } from 'src/link-tokens/link-tokens.module';
import { MailModule } from 'src/mail/mail.module';
import { PersonsModule } from 'src/persons/persons.module';

@Module({
  imports: [PersonsModule, MailModule, LinkTokensModule],
  controllers: [ConsentsController, DossierController],
  providers: [ConsentsService, ConsentsQueries, ConsentHooks, NoticeRenderer, ConsentMailComposers, ConsentsProcessor],
  exports: [ConsentsService, ConsentsQueries, ConsentHooks, ConsentMailComposers],
})
export class ConsentsModule {}
