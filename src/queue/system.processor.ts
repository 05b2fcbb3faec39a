import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { QueueName, SystemJob } from 'src/queue/queue-names';

@Processor(QueueName.System)
export class SystemProcessor extends WorkerHost {
  constructor(private readonly outbox: JobOutbox) {
    super();
  }

  async process(job: Job<Record<string, unknown>, unknown, string>): Promise<unknown> {
    const name = job.name as SystemJob;
    switch (name) {
      case SystemJob.Echo:
        await this.outbox.markDone(job.id as string);
        return job.data;
      default: {
        const unknownName: never = name;
        throw new Error(`unknown job ${String(unknownName)} on ${QueueName.System}`);
      }
    }
  }
}
