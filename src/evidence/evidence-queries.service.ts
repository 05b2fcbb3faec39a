import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound } from 'src/common/errors/domain-error';
import { AppConfig } from 'src/config/app-config';
import { Consent } from 'src/consents/consent.entity';
import { ConsentChannel } from 'src/consents/consent-channel.entity';
import { ConsentWithdrawal } from 'src/consents/consent-withdrawal.entity';
import { statusAt } from 'src/consents/domain/consent-state';
import { PaperScan } from 'src/consents/paper-scan.entity';
import { ConsentReceipt, consentReceipt } from 'src/evidence/domain/consent-receipt';
import type { EvidenceKind } from 'src/evidence/domain/evidence-facts';
import { EvidenceDocuments } from 'src/evidence/evidence-documents.repository';
import { EvidenceFactsReader } from 'src/evidence/evidence-facts.reader';
import { EvidenceService } from 'src/evidence/evidence.service';

export interface DownloadableDocument {
  pdf: Buffer;
  sha256: string;
  filename: string;
}

/** HR's reads of the evidence: the PDFs and the machine-readable receipt. */
@Injectable()
export class EvidenceQueries {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly documents: EvidenceDocuments,
    private readonly facts: EvidenceFactsReader,
    private readonly evidence: EvidenceService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async grantDocument(consentId: string): Promise<DownloadableDocument> {
    const consent = await this.consent(consentId);
    const document = await this.documents.grantDocument(consentId, { withPdf: true });
    if (!document)
      throw new DomainError(
        'NOT_FOUND',
        `The consent is ${statusAt(consent, this.clock.now())}: it has no signed evidence`,
      );
    return {
      pdf: document.pdf,
      sha256: document.sha256,
      filename: this.evidence.filename(document, consent),
    };
  }

  async withdrawalReceipt(
    consentId: string,
    withdrawalId: string | undefined,
  ): Promise<DownloadableDocument> {
    const consent = await this.consent(consentId);
    const document = await this.documents.withdrawalReceipt(consentId, withdrawalId, {
      withPdf: true,
    });
    if (!document)
      throw new NotFound(withdrawalId ? 'Withdrawal receipt' : 'Withdrawal of this consent');
    return {
      pdf: document.pdf,
      sha256: document.sha256,
      filename: this.evidence.filename(document, consent),
    };
  }

  async receipt(consentId: string): Promise<ConsentReceipt> {
    const consent = await this.consent(consentId);
    const em = this.dataSource.manager;
    const [decisions, withdrawals, events, documents, scan, sentTo] = await Promise.all([
      em.findBy(ConsentChannel, { consentId }),
      em.find(ConsentWithdrawal, { where: { consentId }, order: { occurredAt: 'ASC' } }),
      this.facts.events(em, consentId),
      this.documents.forConsents([consentId]),
      em.findOne(PaperScan, { where: { consentId }, select: { consentId: true, sha256: true } }),
      this.facts.signLinkSentTo(em, consentId),
    ]);
    return consentReceipt({
      consent: { ...consent, status: statusAt(consent, this.clock.now()) },
      decisions,
      withdrawals,
      events,
      documents,
      controller: { name: this.config.orgName, url: this.config.publicBaseUrl },
      meUrl: `${this.config.publicBaseUrl}/me`,
      signLinkSentTo: consent.method === 'email_link' ? sentTo : null,
      scanSha256: scan?.sha256 ?? null,
      documentUrl: (document) => documentPath(consentId, document),
    });
  }

  private async consent(id: string): Promise<Consent> {
    const consent = await this.dataSource.getRepository(Consent).findOneBy({ id });
    if (!consent) throw new NotFound('Consent');
    return consent;
  }
}

export function documentPath(
  consentId: string,
  document: { kind: EvidenceKind; withdrawalId: string | null },
): string {
  return document.kind === 'withdrawal'
    ? `/v1/consents/${consentId}/withdrawal-receipt?withdrawalId=${document.withdrawalId}`
    : `/v1/consents/${consentId}/document`;
}
