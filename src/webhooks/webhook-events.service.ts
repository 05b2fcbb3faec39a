import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from 'src/common/clock/clock';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { QueueName, WebhookJob } from 'src/queue/queue-names';
import type { WebhookEvent } from 'src/webhooks/domain/webhook-events';

export function webhookJobId(deliveryId: string): string {
  return `webhook-${deliveryId}`;
}

/**
 * Records events for the webhooks subscribed to them, inside the caller's transaction: a delivery
 * row per (event, webhook) and its queued job commit with the event or not at all, so an outage of
 * Redis or of the receiver delays a delivery and never drops it.
 */
@Injectable()
export class WebhookEvents {
  constructor(
    private readonly outbox: JobOutbox,
    private readonly clock: Clock,
  ) {}

  async publish(em: EntityManager, events: readonly WebhookEvent[]): Promise<void> {
    if (events.length === 0) return;
    const subscribed = new Set(
      (
        await em.query<{ event: string }[]>(
          'SELECT DISTINCT unnest(events) AS event FROM webhooks WHERE active',
        )
      ).map((row) => row.event),
    );
    const wanted = events.filter((event) => subscribed.has(event.event));
    if (wanted.length === 0) return;
    const now = this.clock.now();
    const rows = await em.query<{ id: string }[]>(
      `INSERT INTO webhook_deliveries (id, webhook_id, event, payload, status, attempts, next_attempt_at, created_at)
       SELECT gen_random_uuid(), w.id, e.event, e.payload, 'pending', 0, $3::timestamptz, $3::timestamptz
       FROM unnest($1::text[], $2::jsonb[]) WITH ORDINALITY AS e(event, payload, n)
       JOIN webhooks w ON w.active AND e.event = ANY(w.events)
       ORDER BY e.n, w.id
       RETURNING id`,
      [wanted.map((event) => event.event), wanted.map((event) => JSON.stringify(event.data)), now],
    );
    await this.outbox.enqueueMany(
      em,
      rows.map((row) => ({
        queue: QueueName.Webhooks,
        name: WebhookJob.Deliver,
        jobId: webhookJobId(row.id),
        payload: { deliveryId: row.id },
      })),
    );
  }
}
