import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { NotificationJob, QueueName } from 'src/queue/queue-names';
import { ExpiryDigestService } from 'src/reminders/expiry-digest.service';
import { RemindersService } from 'src/reminders/reminders.service';

@Processor(QueueName.Notifications)
export class NotificationsProcessor extends WorkerHost {
  constructor(
    private readonly reminders: RemindersService,
    private readonly digest: ExpiryDigestService,
  ) {
    super();
  }

  async process(job: Job<{ notificationId?: string }, unknown, string>): Promise<unknown> {
    const name = job.name as NotificationJob;
    switch (name) {
      case NotificationJob.Reconcile:
        return this.reminders.reconcile();
      case NotificationJob.Deliver:
        await this.reminders.deliver(job.data.notificationId ?? '');
        return undefined;
      case NotificationJob.Digest:
        return this.digest.queueDigests();
      default: {
        const unknownName: never = name;
        throw new Error(`unknown job ${String(unknownName)} on ${QueueName.Notifications}`);
      }
    }
  }
}
