import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Webhook } from 'src/webhooks/webhook.entity';
import type { WebhookEventName } from 'src/webhooks/domain/webhook-events';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event for one webhook, written in the transaction of the event; its id is the idempotency id
 * the receiver sees on every attempt.
 */
@Entity('webhook_deliveries')
@Check('ck_webhook_deliveries_status', "status IN ('pending','delivered','failed')")
@Index('ix_webhook_deliveries_webhook', ['webhookId', 'createdAt', 'id'])
export class WebhookDelivery {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId: string;

  @ManyToOne(() => Webhook, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'webhook_id' })
  webhook?: Webhook;

  @Column({ type: 'text' })
  event: WebhookEventName;

  /** The event's data: ids, codes and dates only. */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'text', default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'last_status_code', type: 'int', nullable: true })
  lastStatusCode: number | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;
}
