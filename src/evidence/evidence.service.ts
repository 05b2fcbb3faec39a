import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { AppConfig } from 'src/config/app-config';
import { Consent } from 'src/consents/consent.entity';
import { ConsentChannel } from 'src/consents/consent-channel.entity';
import { ConsentHooks } from 'src/consents/consent-hooks';
import { ConsentMailComposers } from 'src/consents/consent-mail-composers';
import { ConsentWithdrawal } from 'src/consents/consent-withdrawal.entity';
import { sha256Hex } from 'src/consents/notice-renderer';
import type { EvidenceKind, GrantMethodFacts, SealFacts } from 'src/evidence/domain/evidence-facts';
import { evidenceFilename } from 'src/evidence/domain/evidence-format';
import { EvidenceLayout, grantLayout, withdrawalLayout } from 'src/evidence/domain/evidence-layout';
import { EvidenceDocument } from 'src/evidence/evidence-document.entity';
import { EvidenceDocuments } from 'src/evidence/evidence-documents.repository';
import { AuditEntry, EvidenceFactsReader } from 'src/evidence/evidence-facts.reader';
import { EvidencePdfRenderer } from 'src/evidence/evidence-pdf.renderer';
import { PdfSealer } from 'src/evidence/pdf-sealer';
import { Mail } from 'src/mail/mail.entity';
import { TemplateStore } from 'src/templating/template-store';

const SEALER: AuditActor = { type: 'system', id: 'evidence' };

/**
 * Issues the sealed PDFs inside the transaction of the change they prove: a sealing failure
 * rolls the grant or the withdrawal back, so no consent stands without its evidence.
 */
@Injectable()
export class EvidenceService implements OnModuleInit {
  constructor(
    private readonly hooks: ConsentHooks,
    private readonly composers: ConsentMailComposers,
    private readonly facts: EvidenceFactsReader,
    private readonly documents: EvidenceDocuments,
    private readonly renderer: EvidencePdfRenderer,
    private readonly sealer: PdfSealer,
    private readonly audit: AuditLog,
    private readonly templates: TemplateStore,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.hooks.onGranted((em, event) => this.sealGrant(em, event.consent).then(() => undefined));
    this.hooks.onCoverageEnded(async (em, event) => {
      if (event.cause === 'withdrawn' && event.withdrawal)
        await this.sealWithdrawal(em, event.consent, event.withdrawal);
    });
    this.composers.addAttachments((em, mail) => this.attachmentsFor(em, mail));
  }

  /** The grant evidence, or the sealed cover of a paper grant; consent.granted is already recorded. */
  async sealGrant(em: EntityManager, consent: Consent): Promise<EvidenceDocument> {
    const events = await this.facts.events(em, consent.id);
    const anchor = lastOf(events, (event) => event.action === 'consent.granted');
    if (!anchor || !consent.answeredAt)
      throw new Error('evidence of a grant needs its consent.granted event');
    const grant: GrantMethodFacts =
      consent.method === 'paper'
        ? paperGrant(anchor, consent.answeredAt)
        : {
            method: 'email_link',
            signerName: consent.signerName ?? '',
            signedAt: consent.answeredAt,
            ip: consent.signerIp,
            userAgent: consent.signerUserAgent,
            sentTo: await this.facts.signLinkSentTo(em, consent.id),
          };
    const header = this.header();
    const layout = grantLayout(
      {
        ...header,
        person: await this.facts.person(em, consent.personId),
        consent: await this.facts.consent(em, consent),
        events,
        grant,
        anchor,
      },
      this.templates.labelsFor(consent.locale),
    );
    return this.store(em, consent, layout, header, null);
  }

  /** The receipt of one withdrawal (whole or of some channels); consent.withdrawn is already recorded. */
  async sealWithdrawal(
    em: EntityManager,
    consent: Consent,
    withdrawal: ConsentWithdrawal,
  ): Promise<EvidenceDocument> {
    const events = await this.facts.events(em, consent.id);
    const anchor = lastOf(
      events,
      (event) => event.action === 'consent.withdrawn' && event.data.withdrawalId === withdrawal.id,
    );
    if (!anchor) throw new Error('evidence of a withdrawal needs its consent.withdrawn event');
    const remaining = (await em.findBy(ConsentChannel, { consentId: consent.id }))
      .filter((row) => row.decision === 'accepted' && !row.withdrawnAt)
      .map((row) => row.channel);
    const grantDocument = await this.documents.grantDocument(consent.id, { em });
    const header = this.header();
    const layout = withdrawalLayout(
      {
        ...header,
        person: await this.facts.person(em, consent.personId),
        consent: await this.facts.consent(em, consent),
        events,
        withdrawal: {
          id: withdrawal.id,
          channels: withdrawal.channels,
          wholeConsent: withdrawal.wholeConsent,
          receivedVia: withdrawal.receivedVia,
          reason: withdrawal.reason,
          occurredAt: withdrawal.occurredAt,
          recordedByKeyId: withdrawal.recordedByKeyId,
          remaining: consent.channels.filter((channel) => remaining.includes(channel)),
        },
        grantDocument: grantDocument
          ? { id: grantDocument.id, sha256: grantDocument.sha256 }
          : null,
        anchor,
      },
      this.templates.labelsFor(consent.locale),
    );
    return this.store(em, consent, layout, header, withdrawal.id);
  }

  filename(document: EvidenceDocument, consent: Pick<Consent, 'id' | 'locale'>): string {
    return evidenceFilename(document.kind, consent.locale, document.createdAt, consent.id);
  }

  private header(): {
    documentId: string;
    issuedAt: Date;
    orgName: string;
    meUrl: string;
    seal: SealFacts;
  } {
    const { subject, fingerprint, selfSigned } = this.sealer.certificate;
    return {
      documentId: randomUUID(),
      issuedAt: this.clock.now(),
      orgName: this.config.orgName,
      meUrl: `${this.config.publicBaseUrl}/me`,
      seal: { subject, fingerprint, selfSigned },
    };
  }

  private async store(
    em: EntityManager,
    consent: Consent,
    layout: EvidenceLayout,
    header: { documentId: string; issuedAt: Date },
    withdrawalId: string | null,
  ): Promise<EvidenceDocument> {
    const pdf = await this.renderer.renderSealed(layout, {
      issuedAt: header.issuedAt,
      orgName: this.config.orgName,
      location: new URL(this.config.publicBaseUrl).host,
      contactInfo: this.config.publicBaseUrl,
    });
    const sha256 = sha256Hex(pdf);
    const kind: EvidenceKind = layout.kind;
    const { seq } = await this.audit.append(em, {
      action: 'evidence.sealed',
      actor: SEALER,
      personId: consent.personId,
      consentId: consent.id,
      data: { documentId: header.documentId, kind, sha256 },
    });
    const document = em.create(EvidenceDocument, {
      id: header.documentId,
      consentId: consent.id,
      kind,
      withdrawalId,
      pdf,
      sha256,
      certificateSha256: this.sealer.certificate.fingerprint,
      auditSeq: seq,
      createdAt: header.issuedAt,
    });
    await em.insert(EvidenceDocument, document);
    return document;
  }

  /** The grant evidence on the granted mail, the receipt on the withdrawn mail. */
  private async attachmentsFor(
    em: EntityManager,
    mail: Mail,
  ): Promise<{ filename: string; content: Buffer; contentType: string }[]> {
    if (!mail.consentId) return [];
    const document =
      mail.kind === 'granted'
        ? await this.documents.grantDocument(mail.consentId, { withPdf: true, em })
        : mail.kind === 'withdrawn' && mail.withdrawalId
          ? await this.documents.withdrawalReceipt(mail.consentId, mail.withdrawalId, {
              withPdf: true,
              em,
            })
          : null;
    if (!document) return [];
    const consent = await em.findOneByOrFail(Consent, { id: mail.consentId });
    return [
      {
        filename: this.filename(document, consent),
        content: document.pdf,
        contentType: 'application/pdf',
      },
    ];
  }
}

/** The scan's row is written after the grant: its hash is read from the grant event. */
function paperGrant(anchor: AuditEntry, recordedAt: Date): GrantMethodFacts {
  const scanSha256 = anchor.data.scanSha256;
  if (typeof scanSha256 !== 'string') {
    throw new Error('evidence of a paper grant needs the scan hash in its consent.granted event');
  }
  return {
    method: 'paper',
    scanSha256,
    recordedAt,
    recordedByKeyId: anchor.actor.type === 'staff' ? anchor.actor.id : null,
  };
}

function lastOf(
  events: AuditEntry[],
  matches: (event: AuditEntry) => boolean,
): AuditEntry | undefined {
  return [...events].reverse().find(matches);
}
