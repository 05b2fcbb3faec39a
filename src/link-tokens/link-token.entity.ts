import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Consent } from 'src/consents/consent.entity';
import { Person } from 'src/persons/person.entity';

export type LinkPurpose = 'sign' | 'manage';

/**
 * A link sent by email. `sign` is bound to one consent, single use, and expires with the request;
 * `manage` shows all of one person's consents. Only the SHA-256 of the secret is stored.
 */
@Entity('link_tokens')
@Check('ck_link_tokens_purpose', "(purpose = 'sign' AND consent_id IS NOT NULL) OR (purpose = 'manage' AND consent_id IS NULL)")
@Index('ix_link_tokens_person', ['personId', 'purpose'])
export class LinkToken {
  @PrimaryColumn('uuid')
  id: string;

  @Index('uq_link_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash: Buffer;

  @Column({ type: 'text' })
  purpose: LinkPurpose;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @ManyToOne(() => Person, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'person_id' })
  person?: Person;

  @Column({ name: 'consent_id', type: 'uuid', nullable: true })
  consentId: string | null;

  @ManyToOne(() => Consent, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consent_id' })
  consent?: Consent;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true })
  openedAt: Date | null;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
