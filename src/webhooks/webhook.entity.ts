import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { WebhookEventName } from 'src/webhooks/domain/webhook-events';

/** A receiver of events, signed with its own secret. */
@Entity('webhooks')
export class Webhook {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', array: true })
  events: WebhookEventName[];

  /**
   * The HMAC key, kept as issued because signing needs it (a hash would not do); it is shown once
   * at registration and never returned again.
   */
  @Column({ type: 'text' })
  secret: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_by_key_id', type: 'uuid', nullable: true })
  createdByKeyId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt: Date | null;
}
