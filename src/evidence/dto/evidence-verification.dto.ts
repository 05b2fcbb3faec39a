import { ApiProperty } from '@nestjs/swagger';
import { EVIDENCE_KINDS } from 'src/evidence/domain/evidence-facts';
import { EVIDENCE_VERDICTS } from 'src/evidence/domain/evidence-verdict';

export class VerifiedDocumentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: EVIDENCE_KINDS }) kind: string;
  @ApiProperty({ format: 'uuid' }) consentId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) withdrawalId: string | null;
  @ApiProperty({ description: 'SHA-256 (hex) of the document as issued.' }) sha256: string;
  @ApiProperty({ format: 'date-time' }) issuedAt: string;
  @ApiProperty({ description: 'Leaf index of its evidence.sealed audit event.' }) auditSeq: number;
}

export class SignatureCheckDto {
  @ApiProperty({ description: 'The PDF carries a digital signature.' }) present: boolean;
  @ApiProperty({
    description: 'The signed bytes are unchanged and the signature verifies with its certificate.',
  })
  intact: boolean;
  @ApiProperty({
    description: 'The signature covers the whole file (nothing added after signing).',
  })
  coversWholeFile: boolean;
  @ApiProperty({
    description:
      'The signature names a certificate this service seals (or sealed) with; `intact` says whether it holds.',
  })
  signedByUs: boolean;
  @ApiProperty({ nullable: true, type: String }) certificateSubject: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'SHA-256 (hex) of the signer certificate.',
  })
  certificateSha256: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the signature is not intact.' })
  problem: string | null;
}

export class EvidenceVerificationDto {
  @ApiProperty({
    enum: EVIDENCE_VERDICTS,
    description:
      'authentic: byte-identical to a document we issued, seal intact. altered: claims to be or was sealed as one of ' +
      'our documents, but differs from it. unknown: not a document of this service.',
  })
  verdict: string;
  @ApiProperty({ description: 'Byte-identical to a document this service issued.' })
  issued: boolean;
  @ApiProperty({ description: 'SHA-256 (hex) of the PDF received.' }) sha256: string;
  @ApiProperty({
    type: VerifiedDocumentDto,
    nullable: true,
    description: 'The issued document it is, or (altered) the one it claims to be.',
  })
  document: VerifiedDocumentDto | null;
  @ApiProperty({ type: SignatureCheckDto }) signature: SignatureCheckDto;
}
