import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNELS, MEDIA_TYPES } from 'src/consents/domain/consent-scope';
import { CONSENT_STATUSES, ConsentStatus, statusAt } from 'src/consents/domain/consent-state';
import type { Consent } from 'src/consents/consent.entity';
import type { ConsentChannel } from 'src/consents/consent-channel.entity';
import type { ConsentWithdrawal } from 'src/consents/consent-withdrawal.entity';

export class ChannelDecisionDto {
  @ApiProperty({ enum: CHANNELS }) channel: string;
  @ApiProperty({ enum: ['accepted', 'refused'] }) decision: string;
  @ApiProperty({ format: 'date-time' }) decidedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) withdrawnAt: string | null;
}

export class ConsentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) personId: string;
  @ApiProperty({ enum: CONSENT_STATUSES, description: 'Status now, dates included (a pending request past its deadline reads lapsed, a grant past validUntil expired).' })
  status: ConsentStatus;
  @ApiProperty() purpose: string;
  @ApiProperty({ enum: CHANNELS, isArray: true, description: 'Channels asked for.' }) channels: string[];
  @ApiProperty({ enum: CHANNELS, isArray: true, description: 'Accepted and not withdrawn: the only channels that count.' })
  acceptedChannels: string[];
  @ApiProperty({ type: [ChannelDecisionDto] }) decisions: ChannelDecisionDto[];
  @ApiProperty({ enum: MEDIA_TYPES, isArray: true }) mediaTypes: string[];
  @ApiProperty({ type: [String] }) territory: string[];
  @ApiProperty({ type: [String] }) excludedUses: string[];
  @ApiProperty({ format: 'date-time' }) validFrom: string;
  @ApiProperty({ format: 'date-time' }) validUntil: string;
  @ApiProperty() coversAfterEmployment: boolean;
  @ApiProperty() templateKey: string;
  @ApiProperty() templateVersion: number;
  @ApiProperty({ enum: ['fr', 'en'] }) locale: string;
  @ApiProperty({ description: 'SHA-256 (hex) of the notice text exactly as shown.' }) noticeSha256: string;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ format: 'date-time' }) signDeadline: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) answeredAt: string | null;
  @ApiProperty({ enum: ['email_link', 'paper'], nullable: true, type: String }) method: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) previousConsentId: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) endedAt: string | null;

  static from(consent: Consent, channels: ConsentChannel[], now: Date): ConsentDto {
    return {
      id: consent.id,
      personId: consent.personId,
      status: statusAt(consent, now),
      purpose: consent.purpose,
      channels: consent.channels,
      acceptedChannels: channels.filter((c) => c.decision === 'accepted' && !c.withdrawnAt).map((c) => c.channel),
      decisions: consent.channels
        .map((channel) => channels.find((c) => c.channel === channel))
        .filter((c): c is ConsentChannel => c !== undefined)
        .map((c) => ({
          channel: c.channel,
          decision: c.decision,
          decidedAt: c.decidedAt.toISOString(),
          withdrawnAt: c.withdrawnAt?.toISOString() ?? null,
        })),
      mediaTypes: consent.mediaTypes,
      territory: consent.territory,
      excludedUses: consent.excludedUses,
      validFrom: consent.validFrom.toISOString(),
      validUntil: consent.validUntil.toISOString(),
      coversAfterEmployment: consent.coversAfterEmployment,
      templateKey: consent.templateKey,
      templateVersion: consent.templateVersion,
      locale: consent.locale,
      noticeSha256: consent.noticeSha256,
      requestedAt: consent.requestedAt.toISOString(),
      signDeadline: consent.signDeadline.toISOString(),
      answeredAt: consent.answeredAt?.toISOString() ?? null,
      method: consent.method,
      previousConsentId: consent.previousConsentId,
      endedAt: consent.endedAt?.toISOString() ?? null,
    };
  }
}

export class WithdrawalDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: CHANNELS, isArray: true }) channels: string[];
  @ApiProperty() wholeConsent: boolean;
  @ApiProperty({ enum: ['link', 'letter', 'email', 'in_person'] }) receivedVia: string;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;

  static from(w: ConsentWithdrawal): WithdrawalDto {
    return {
      id: w.id,
      channels: w.channels,
      wholeConsent: w.wholeConsent,
      receivedVia: w.receivedVia,
      reason: w.reason,
      occurredAt: w.occurredAt.toISOString(),
    };
  }
}

export class ConsentHistoryEntryDto {
  @ApiProperty({ description: 'Leaf index in the audit log.' }) seq: number;
  @ApiProperty() action: string;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ enum: ['staff', 'person', 'system'] }) actorType: string;
}

export class ConsentDetailDto extends ConsentDto {
  @ApiProperty({ description: 'The notice exactly as shown to the person (Markdown).' }) noticeText: string;
  @ApiPropertyOptional({ nullable: true, type: String }) forceJustification: string | null;
  @ApiProperty({ type: [WithdrawalDto] }) withdrawals: WithdrawalDto[];
  @ApiProperty({ type: [ConsentHistoryEntryDto] }) history: ConsentHistoryEntryDto[];
}

export class ConsentPageDto {
  @ApiProperty({ type: [ConsentDto] }) items: ConsentDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
