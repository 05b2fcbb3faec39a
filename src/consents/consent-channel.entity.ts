import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Consent } from 'src/consents/consent.entity';
import type { Channel } from 'src/consents/domain/consent-scope';

export type ChannelDecision = 'accepted' | 'refused';
export type WithdrawalChannel = 'link' | 'letter' | 'email' | 'in_person';

/** The person's answer for one requested channel; only accepted, not withdrawn channels count. */
@Entity('consent_channels')
@Check('ck_consent_channels_decision', "decision IN ('accepted','refused')")
export class ConsentChannel {
  @PrimaryColumn({ name: 'consent_id', type: 'uuid' })
  consentId: string;

  @ManyToOne(() => Consent, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consent_id' })
  consent?: Consent;

  @PrimaryColumn({ type: 'text' })
  channel: Channel;

  @Column({ type: 'text' })
  decision: ChannelDecision;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt: Date;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Column({ name: 'withdrawal_id', type: 'uuid', nullable: true })
  withdrawalId: string | null;
}
