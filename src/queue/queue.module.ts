import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from 'src/config/app-config';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { JobRelay } from 'src/queue/job-relay.service';
import { bullRootOptions } from 'src/queue/queue-backend';
import { ALL_QUEUES } from 'src/queue/queue-names';
import { QueueErrors } from 'src/queue/queue-errors.service';
import { QueueWatch } from 'src/queue/queue-watch.service';
import { SystemProcessor } from 'src/queue/system.processor';

@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...bullRootOptions(config),
        defaultJobOptions: {
          attempts: 8,
          backoff: { type: 'exponential', delay: 2_000 },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 30 * 24 * 3600 },
        },
      }),
    }),
    BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
  ],
  providers: [JobOutbox, JobRelay, QueueWatch, QueueErrors, SystemProcessor],
  exports: [JobOutbox, JobRelay, QueueWatch, BullModule],
})
export class QueueModule {}
