import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Person } from 'src/persons/person.entity';

export const MAIL_KINDS = [
  'sign-request',
  'granted',
  'declined',
  'withdrawn',
  'manage-link',
  'renewal-request',
  'expiry-notice',
  'takedown-notice',
  'expiry-digest',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];
export type MailStatus = 'queued' | 'sent' | 'failed';

/**
 * An email to send. Only ids are kept: the message (and any link secret in it) is built when it is
 * sent, so no usable link ever sits in the database.
 */
@Entity('mails')
@Check('ck_mails_addressee', '(person_id IS NOT NULL) <> (recipient IS NOT NULL)')
@Index('ix_mails_status', ['status', 'createdAt'])
@Index('ix_mails_person', ['personId', 'createdAt'])
export class Mail {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  kind: MailKind;

  /** The person it is about and sent to; null for mails to staff (recipient). */
  @Column({ name: 'person_id', type: 'uuid', nullable: true })
  personId: string | null;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'person_id' })
  person?: Person;

  /** Staff address (MARKETING_NOTIFY_EMAILS, HR_NOTIFY_EMAILS) when the mail is not to a person. */
  @Column({ type: 'text', nullable: true })
  recipient: string | null;

  /** What a staff mail is about (e.g. the takedown ids), as ids only. */
  @Column({ type: 'jsonb', nullable: true })
  subject: Record<string, string | number | string[]> | null;

  @Column({ name: 'consent_id', type: 'uuid', nullable: true })
  consentId: string | null;

  @Column({ name: 'withdrawal_id', type: 'uuid', nullable: true })
  withdrawalId: string | null;

  @Column({ type: 'text' })
  status: MailStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  /** The address it went to, recorded at sending (evidence names it). */
  @Column({ name: 'sent_to', type: 'text', nullable: true })
  sentTo: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
