import { Injectable } from '@nestjs/common';
import { X509Certificate } from 'node:crypto';
import { sha256Hex } from 'src/consents/notice-renderer';
import { checkPdfSignatures, PdfSignatureCheck } from 'src/evidence/domain/pdf-signature';
import { claimedDocumentId, evidenceVerdict } from 'src/evidence/domain/evidence-verdict';
import {
  EvidenceVerificationDto,
  SignatureCheckDto,
  VerifiedDocumentDto,
} from 'src/evidence/dto/evidence-verification.dto';
import type { EvidenceDocument } from 'src/evidence/evidence-document.entity';
import { EvidenceDocuments } from 'src/evidence/evidence-documents.repository';
import { PdfSealer } from 'src/evidence/pdf-sealer';

/** Answers, for anyone holding a PDF, whether it is one we issued and whether its seal holds. */
@Injectable()
export class EvidenceVerifier {
  constructor(
    private readonly documents: EvidenceDocuments,
    private readonly sealer: PdfSealer,
  ) {}

  async verify(pdf: Buffer): Promise<EvidenceVerificationDto> {
    const sha256 = sha256Hex(pdf);
    const issued = await this.documents.bySha256(sha256);
    const ours = await this.documents.sealingCertificates();
    ours.add(this.sealer.certificate.fingerprint);

    const checks = checkPdfSignatures(pdf).map((check) => ({
      check,
      fingerprint: fingerprintOf(check.certificate),
    }));
    const chosen =
      checks.find(({ fingerprint }) => fingerprint && ours.has(fingerprint)) ?? checks[0];
    const claimedId = claimedDocumentId(chosen?.check.reason ?? null);
    const claimed = !issued && claimedId ? await this.documents.byId(claimedId) : null;
    const signature = signatureFindings(chosen?.check, chosen?.fingerprint ?? null, ours);
    const document = issued ?? claimed;
    return {
      verdict: evidenceVerdict({
        issued: issued !== null,
        claimsOurs: claimed !== null,
        signature,
      }),
      issued: issued !== null,
      sha256,
      document: document ? describe(document) : null,
      signature,
    };
  }
}

function signatureFindings(
  check: PdfSignatureCheck | undefined,
  fingerprint: string | null,
  ours: Set<string>,
): SignatureCheckDto {
  if (!check) {
    return {
      present: false,
      intact: false,
      coversWholeFile: false,
      signedByUs: false,
      certificateSubject: null,
      certificateSha256: null,
      problem: 'the PDF is not signed',
    };
  }
  return {
    present: true,
    intact: check.intact,
    coversWholeFile: check.coversWholeFile,
    signedByUs: fingerprint !== null && ours.has(fingerprint),
    certificateSubject: subjectOf(check.certificate),
    certificateSha256: fingerprint,
    problem:
      check.problem ?? (check.coversWholeFile ? null : 'content was added after the signature'),
  };
}

function fingerprintOf(certificate: Buffer | null): string | null {
  return certificate ? sha256Hex(certificate) : null;
}

function subjectOf(certificate: Buffer | null): string | null {
  if (!certificate) return null;
  try {
    return new X509Certificate(certificate).subject.replace(/\n/g, ', ');
  } catch {
    return null;
  }
}

function describe(document: EvidenceDocument): VerifiedDocumentDto {
  return {
    id: document.id,
    kind: document.kind,
    consentId: document.consentId,
    withdrawalId: document.withdrawalId,
    sha256: document.sha256,
    issuedAt: document.createdAt.toISOString(),
    auditSeq: document.auditSeq,
  };
}
