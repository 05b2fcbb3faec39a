import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AuditCheckpoints } from 'src/audit/audit-checkpoints.service';
import { CheckpointWebhook } from 'src/audit/audit-checkpoint-webhook';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { AuditJob, QueueName } from 'src/queue/queue-names';

@Processor(QueueName.Audit)
export class AuditProcessor extends WorkerHost {
  constructor(
    private readonly checkpoints: AuditCheckpoints,
    private readonly webhook: CheckpointWebhook,
    private readonly outbox: JobOutbox,
  ) {
    super();
  }

  async process(job: Job<Record<string, unknown>, unknown, string>): Promise<unknown> {
    const name = job.name as AuditJob;
    switch (name) {
      case AuditJob.Checkpoint: {
        const checkpoint = await this.checkpoints.createIfGrown();
        return { treeSize: checkpoint?.treeSize ?? null };
      }
      case AuditJob.DeliverCheckpoint:
        await this.webhook.deliver(Number(job.data.treeSize));
        await this.outbox.markDone(job.id as string);
        return null;
      default: {
        const unknownName: never = name;
        throw new Error(`unknown job ${String(unknownName)} on ${QueueName.Audit}`);
      }
    }
  }
}
