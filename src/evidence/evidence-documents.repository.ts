import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, FindOptionsSelect, In } from 'typeorm';
import { EvidenceDocument } from 'src/evidence/evidence-document.entity';

/** Every column but the PDF bytes. */
const METADATA: FindOptionsSelect<EvidenceDocument> = {
  id: true,
  consentId: true,
  kind: true,
  withdrawalId: true,
  sha256: true,
  certificateSha256: true,
  auditSeq: true,
  createdAt: true,
};
const WITH_PDF: FindOptionsSelect<EvidenceDocument> = { ...METADATA, pdf: true };

/** Reads of issued documents; the bytes are loaded only when `withPdf` asks for them. */
@Injectable()
export class EvidenceDocuments {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The grant evidence or paper cover of a consent. */
  grantDocument(
    consentId: string,
    { withPdf = false, em = this.dataSource.manager } = {},
  ): Promise<EvidenceDocument | null> {
    return em.findOne(EvidenceDocument, {
      where: { consentId, kind: In(['grant', 'paper_cover']) },
      select: withPdf ? WITH_PDF : METADATA,
    });
  }

  /** The receipt of one withdrawal, or of the latest withdrawal of the consent. */
  withdrawalReceipt(
    consentId: string,
    withdrawalId: string | undefined,
    {
      withPdf = false,
      em = this.dataSource.manager,
    }: { withPdf?: boolean; em?: EntityManager } = {},
  ): Promise<EvidenceDocument | null> {
    return em.findOne(EvidenceDocument, {
      where: { consentId, kind: 'withdrawal', ...(withdrawalId ? { withdrawalId } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      select: withPdf ? WITH_PDF : METADATA,
    });
  }

  forConsents(consentIds: string[]): Promise<EvidenceDocument[]> {
    if (consentIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(EvidenceDocument).find({
      where: { consentId: In(consentIds) },
      order: { createdAt: 'ASC', id: 'ASC' },
      select: METADATA,
    });
  }

  byId(id: string): Promise<EvidenceDocument | null> {
    return this.dataSource
      .getRepository(EvidenceDocument)
      .findOne({ where: { id }, select: METADATA });
  }

  bySha256(sha256: string): Promise<EvidenceDocument | null> {
    return this.dataSource
      .getRepository(EvidenceDocument)
      .findOne({ where: { sha256 }, select: METADATA });
  }

  /** Fingerprints of every certificate documents were ever sealed with. */
  async sealingCertificates(): Promise<Set<string>> {
    const rows = await this.dataSource.query<{ certificate_sha256: string }[]>(
      'SELECT DISTINCT certificate_sha256 FROM evidence_documents',
    );
    return new Set(rows.map((row) => row.certificate_sha256));
  }
}
