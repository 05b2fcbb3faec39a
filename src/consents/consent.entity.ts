import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Channel, MediaType } from 'src/consents/domain/consent-scope';
import type { ConsentStatus } from 'src/consents/domain/consent-state';
import { Person } from 'src/persons/person.entity';
import type { Locale } from 'src/persons/person.entity';

export type GrantMethod = 'email_link' | 'paper';

/** One written, specific authorisation asked of one person; its notice is frozen at request time. */
@Entity('consents')
@Check('ck_consents_status', "status IN ('pending','granted','refused','lapsed','withdrawn','expired','superseded','revoked')")
@Check('ck_consents_window', 'valid_until > valid_from')
@Index('ix_consents_person', ['personId', 'requestedAt'])
@Index('ix_consents_status_until', ['status', 'validUntil'])
@Index('ix_consents_requested', ['requestedAt', 'id'])
export class Consent {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'person_id' })
  person?: Person;

  @Column({ type: 'text' })
  status: ConsentStatus;

  @Column({ type: 'text' })
  purpose: string;

  /** The channels asked for; the person's answer per channel is in consent_channels. */
  @Column({ type: 'text', array: true })
  channels: Channel[];

  @Column({ name: 'media_types', type: 'text', array: true })
  mediaTypes: MediaType[];

  /** ['worldwide'] or ISO 3166-1 alpha-2 codes. */
  @Column({ type: 'text', array: true })
  territory: string[];

  @Column({ name: 'excluded_uses', type: 'text', array: true })
  excludedUses: string[];

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom: Date;

  @Column({ name: 'valid_until', type: 'timestamptz' })
  validUntil: Date;

  @Column({ name: 'covers_after_employment', type: 'boolean', default: false })
  coversAfterEmployment: boolean;

  @Column({ name: 'template_key', type: 'text' })
  templateKey: string;

  @Column({ name: 'template_version', type: 'int' })
  templateVersion: number;

  @Column({ type: 'text' })
  locale: Locale;

  /** The notice exactly as shown to the person; never re-rendered. */
  @Column({ name: 'notice_text', type: 'text' })
  noticeText: string;

  @Column({ name: 'notice_sha256', type: 'text' })
  noticeSha256: string;

  @Column({ name: 'previous_consent_id', type: 'uuid', nullable: true })
  previousConsentId: string | null;

  @ManyToOne(() => Consent, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'previous_consent_id' })
  previousConsent?: Consent;

  /** Why HR asked again within the cool-down after a refusal (kept and audited). */
  @Column({ name: 'force_justification', type: 'text', nullable: true })
  forceJustification: string | null;

  @Column({ name: 'requested_by_key_id', type: 'uuid', nullable: true })
  requestedByKeyId: string | null;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;

  /** The sign link expires then; an unanswered request has lapsed from that moment. */
  @Column({ name: 'sign_deadline', type: 'timestamptz' })
  signDeadline: Date;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ type: 'text', nullable: true })
  method: GrantMethod | null;

  @Column({ name: 'signer_name', type: 'text', nullable: true })
  signerName: string | null;

  @Column({ name: 'signer_ip', type: 'text', nullable: true })
  signerIp: string | null;

  @Column({ name: 'signer_user_agent', type: 'text', nullable: true })
  signerUserAgent: string | null;

  /** When the consent left `granted` (withdrawn, expired, superseded, revoked) or was lapsed. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'end_reason', type: 'text', nullable: true })
  endReason: string | null;
}
