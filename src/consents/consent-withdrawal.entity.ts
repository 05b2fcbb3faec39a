import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Consent } from 'src/consents/consent.entity';
import type { Channel } from 'src/consents/domain/consent-scope';
import type { WithdrawalChannel } from 'src/consents/consent-channel.entity';

/** One act of withdrawal (some channels or all), by the person's link or recorded by HR. */
@Entity('consent_withdrawals')
@Index('ix_consent_withdrawals_consent', ['consentId', 'occurredAt'])
export class ConsentWithdrawal {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'consent_id', type: 'uuid' })
  consentId: string;

  @ManyToOne(() => Consent, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consent_id' })
  consent?: Consent;

  @Column({ type: 'text', array: true })
  channels: Channel[];

  /** True when this withdrawal ended the whole consent. */
  @Column({ name: 'whole_consent', type: 'boolean' })
  wholeConsent: boolean;

  @Column({ name: 'received_via', type: 'text' })
  receivedVia: WithdrawalChannel;

  /** HR's note when recording a withdrawal received by letter, email or in person. */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'recorded_by_key_id', type: 'uuid', nullable: true })
  recordedByKeyId: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;
}
