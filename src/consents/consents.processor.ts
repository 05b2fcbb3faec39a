import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { ConsentsService } from 'src/consents/consents.service';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { ConsentJob, QueueName } from 'src/queue/queue-names';

@Processor(QueueName.Consents)
export class ConsentsProcessor extends WorkerHost {
  constructor(
    private readonly consents: ConsentsService,
    private readonly outbox: JobOutbox,
  ) {
    super();
  }

  async process(job: Job<Record<string, string>, void, string>): Promise<void> {
    const name = job.name as ConsentJob;
    switch (name) {
      case ConsentJob.Lapse:
        await this.consents.lapseIfUnanswered(job.data.consentId);
        break;
      case ConsentJob.RevokeForEmploymentEnd:
        await this.consents.revokeForEmploymentEnd(job.data.personId);
        break;
      default: {
        const unknownName: never = name;
        throw new Error(`unknown job ${String(unknownName)} on ${QueueName.Consents}`);
      }
    }
    await this.outbox.markDone(job.id as string);
  }
}
