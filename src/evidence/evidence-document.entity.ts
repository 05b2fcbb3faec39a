import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from 'src/audit/bigint-column';
import { Consent } from 'src/consents/consent.entity';
import { ConsentWithdrawal } from 'src/consents/consent-withdrawal.entity';
import type { EvidenceKind } from 'src/evidence/domain/evidence-facts';

/**
 * A sealed PDF, byte for byte as issued. Append-only: triggers refuse UPDATE, DELETE and TRUNCATE.
 * One grant (or paper cover) document per consent, one receipt per withdrawal.
 */
@Entity('evidence_documents')
@Check('ck_evidence_documents_kind', "kind IN ('grant','withdrawal','paper_cover')")
@Check('ck_evidence_documents_withdrawal', "(kind = 'withdrawal') = (withdrawal_id IS NOT NULL)")
@Check('ck_evidence_documents_sha256', "sha256 ~ '^[0-9a-f]{64}$'")
@Index('ix_evidence_documents_consent', ['consentId', 'createdAt'])
@Index('uq_evidence_documents_grant', ['consentId'], {
  unique: true,
  where: "kind <> 'withdrawal'",
})
export class EvidenceDocument {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'consent_id', type: 'uuid' })
  consentId: string;

  @ManyToOne(() => Consent, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consent_id' })
  consent?: Consent;

  @Column({ type: 'text' })
  kind: EvidenceKind;

  @Index('uq_evidence_documents_withdrawal', { unique: true, where: 'withdrawal_id IS NOT NULL' })
  @Column({ name: 'withdrawal_id', type: 'uuid', nullable: true })
  withdrawalId: string | null;

  @ManyToOne(() => ConsentWithdrawal, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'withdrawal_id' })
  withdrawal?: ConsentWithdrawal;

  /** Not loaded unless selected: lists of documents never carry their bytes. */
  @Column({ type: 'bytea', select: false })
  pdf: Buffer;

  /** SHA-256 of `pdf`, lowercase hex; also in the evidence.sealed audit event. */
  @Index('uq_evidence_documents_sha256', { unique: true })
  @Column({ type: 'text' })
  sha256: string;

  /** SHA-256 of the sealing certificate (DER), so a later certificate change still verifies old documents. */
  @Column({ name: 'certificate_sha256', type: 'text' })
  certificateSha256: string;

  /**
   * Leaf index of the evidence.sealed event recording this document. No foreign key: the audit
   * tables refuse TRUNCATE with their own append-only error, which a reference would pre-empt.
   */
  @Column({ name: 'audit_seq', type: 'bigint', transformer: BIGINT_AS_NUMBER })
  auditSeq: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
