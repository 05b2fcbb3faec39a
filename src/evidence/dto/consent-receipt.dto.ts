import { ApiProperty } from '@nestjs/swagger';
import type { ConsentReceipt } from 'src/evidence/domain/consent-receipt';
import { EVIDENCE_KINDS } from 'src/evidence/domain/evidence-facts';

class ReceiptControllerDto {
  @ApiProperty({ description: 'Name of the data controller (ORG_NAME).' }) piiController: string;
  @ApiProperty() piiControllerUrl: string;
}

class ReceiptNoticeDto {
  @ApiProperty() templateKey: string;
  @ApiProperty() version: number;
  @ApiProperty({ enum: ['fr', 'en'] }) language: string;
  @ApiProperty({ example: 'SHA-256' }) hashAlgorithm: string;
  @ApiProperty({ description: 'SHA-256 (hex) of the notice text exactly as shown.' }) hash: string;
}

class ReceiptPurposeDto {
  @ApiProperty() purpose: string;
  @ApiProperty({ type: [String] }) purposeCategory: string[];
  @ApiProperty({ example: 'EXPLICIT' }) consentType: string;
  @ApiProperty({ type: [String], example: ['image:photo'] }) piiCategory: string[];
  @ApiProperty() primaryPurpose: boolean;
  @ApiProperty({
    format: 'date-time',
    description: 'When the consent ends (validUntil, exclusive).',
  })
  termination: string;
  @ApiProperty() thirdPartyDisclosure: boolean;
}

class ReceiptChannelsDto {
  @ApiProperty({ type: [String] }) requested: string[];
  @ApiProperty({ type: [String], description: 'Accepted at signature (withdrawn ones included).' })
  accepted: string[];
  @ApiProperty({ type: [String] }) refused: string[];
  @ApiProperty({ type: [String] }) withdrawn: string[];
}

class ReceiptDurationDto {
  @ApiProperty({ format: 'date-time' }) validFrom: string;
  @ApiProperty({ format: 'date-time', description: 'Exclusive.' }) validUntil: string;
  @ApiProperty() coversAfterEmployment: boolean;
}

class ReceiptMethodDto {
  @ApiProperty({ enum: ['email_link', 'paper'], nullable: true, type: String }) type: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The address the sign link was delivered to.',
  })
  signLinkSentTo: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'SHA-256 of the scanned paper form.' })
  scanSha256: string | null;
}

class ReceiptWithdrawalDto {
  @ApiProperty({ format: 'uuid' }) withdrawalId: string;
  @ApiProperty({ format: 'date-time' }) eventTime: string;
  @ApiProperty({ type: [String] }) channels: string[];
  @ApiProperty() wholeConsent: boolean;
  @ApiProperty() withdrawalMethod: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) receiptDocumentId: string | null;
}

class ReceiptEventDto {
  @ApiProperty({ format: 'date-time' }) eventTime: string;
  @ApiProperty({ description: 'Audit action, e.g. consent.granted.' }) eventType: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'State of the consent after the event (consent events only).',
  })
  eventState: string | null;
  @ApiProperty({ description: 'Leaf index in the audit log.' }) auditSeq: number;
  @ApiProperty({ description: 'Leaf hash (hex) in the audit log.' }) leafHash: string;
}

class ReceiptEvidenceDto {
  @ApiProperty({ format: 'uuid' }) documentId: string;
  @ApiProperty({ enum: EVIDENCE_KINDS }) kind: string;
  @ApiProperty({ description: 'SHA-256 (hex) of the sealed PDF.' }) sha256: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: 'Leaf index of its evidence.sealed audit event.' }) auditSeq: number;
  @ApiProperty({ description: 'API path serving the PDF.' }) url: string;
}

/**
 * Field names after ISO/IEC TS 27560:2023 (consent record) and the Kantara Consent Receipt v1.1,
 * in camelCase; times ISO 8601 UTC.
 */
export class ConsentReceiptDto implements ConsentReceipt {
  @ApiProperty({ example: 'consent-ledger-receipt/1' }) schemaVersion: string;
  @ApiProperty({ type: [String] }) conformsTo: string[];
  @ApiProperty({
    format: 'uuid',
    description: 'The consent id (TS 27560 record identifier, Kantara consentReceiptID).',
  })
  recordId: string;
  @ApiProperty({ format: 'uuid', description: 'The person id (subject).' }) piiPrincipalId: string;
  @ApiProperty({ type: [ReceiptControllerDto] }) piiControllers: ReceiptControllerDto[];
  @ApiProperty({ enum: ['fr', 'en'] }) language: string;
  @ApiProperty({ example: 'FR' }) jurisdiction: string;
  @ApiProperty({ description: 'Status now, dates included.' }) status: string;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When the person answered.',
  })
  consentTimestamp: string | null;
  @ApiProperty({ nullable: true, type: String }) collectionMethod: string | null;
  @ApiProperty({ type: ReceiptNoticeDto }) notice: ReceiptNoticeDto;
  @ApiProperty({ type: [ReceiptPurposeDto] }) purposes: ReceiptPurposeDto[];
  @ApiProperty({ type: ReceiptChannelsDto }) channels: ReceiptChannelsDto;
  @ApiProperty({ type: [String] }) media: string[];
  @ApiProperty({ type: [String] }) territory: string[];
  @ApiProperty({ type: [String] }) excludedUses: string[];
  @ApiProperty({ type: ReceiptDurationDto }) duration: ReceiptDurationDto;
  @ApiProperty({ type: ReceiptMethodDto }) method: ReceiptMethodDto;
  @ApiProperty({ description: 'How the person can withdraw.' }) withdrawalMethod: string;
  @ApiProperty({ type: [ReceiptWithdrawalDto] }) withdrawals: ReceiptWithdrawalDto[];
  @ApiProperty({ type: [ReceiptEventDto] }) events: ReceiptEventDto[];
  @ApiProperty({ type: [ReceiptEvidenceDto] }) evidence: ReceiptEvidenceDto[];
  @ApiProperty() sensitive: boolean;
}
