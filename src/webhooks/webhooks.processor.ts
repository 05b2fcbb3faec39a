import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QueueName, WebhookJob } from 'src/queue/queue-names';
import { WebhookDeliverer } from 'src/webhooks/webhook-deliverer.service';

@Processor(QueueName.Webhooks)
export class WebhooksProcessor extends WorkerHost {
  constructor(private readonly deliverer: WebhookDeliverer) {
    super();
  }

  async process(job: Job<{ deliveryId: string }, void, string>): Promise<void> {
    const name = job.name as WebhookJob;
    switch (name) {
      case WebhookJob.Deliver: {
        const backoff =
          typeof job.opts.backoff === 'object' ? job.opts.backoff.delay : job.opts.backoff;
        await this.deliverer.attempt(job.data.deliveryId, job.attemptsMade, {
          attempts: job.opts.attempts ?? 1,
          firstDelayMs: backoff ?? 0,
        });
        return;
      }
      default: {
        const unknownName: never = name;
        throw new Error(`unknown job ${String(unknownName)} on ${QueueName.Webhooks}`);
      }
    }
  }
}
