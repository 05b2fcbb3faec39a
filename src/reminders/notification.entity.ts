import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Consent } from 'src/consents/consent.entity';

export type NotificationKind = 'reminder' | 'expiry';
/** pending: waiting for its time; done: its effect happened (see mailId); skipped: nothing to do any more. */
export type NotificationStatus = 'pending' | 'done' | 'skipped' | 'cancelled';

/**
 * A renewal reminder or an expiry, scheduled in PostgreSQL when a consent is granted.
 * PostgreSQL is the source of truth; the queue only carries what is due within the horizon.
 */
@Entity('notifications')
@Check('ck_notifications_kind', "kind IN ('reminder','expiry')")
@Check('ck_notifications_status', "status IN ('pending','done','skipped','cancelled')")
@Index('uq_notifications_consent_kind_offset', ['consentId', 'kind', 'offsetDays'], { unique: true })
@Index('ix_notifications_due', ['dueAt'], { where: "status = 'pending'" })
export class Notification {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'consent_id', type: 'uuid' })
  consentId: string;

  @ManyToOne(() => Consent, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consent_id' })
  consent?: Consent;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column({ type: 'text' })
  kind: NotificationKind;

  /** Days before validUntil (0 for the expiry itself). */
  @Column({ name: 'offset_days', type: 'int' })
  offsetDays: number;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'text' })
  status: NotificationStatus;

  /** The email this notification sent, whose delivery status it reports. */
  @Column({ name: 'mail_id', type: 'uuid', nullable: true })
  mailId: string | null;

  /** Why it was skipped or cancelled (a code). */
  @Column({ type: 'text', nullable: true })
  outcome: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
