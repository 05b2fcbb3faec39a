import { Injectable, Logger } from '@nestjs/common';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import type { PDFDocument } from 'pdf-lib';
import { Clock } from 'src/common/clock/clock';
import { AppConfig } from 'src/config/app-config';
import { CmsSigner } from 'src/evidence/cms-signer';
import { pdfLiteralText } from 'src/evidence/domain/evidence-format';
import { checkPdfSignatures } from 'src/evidence/domain/pdf-signature';
import type { SigningCredential } from 'src/evidence/domain/signing-credential';
import { loadSigningCredential } from 'src/evidence/signing-credential.loader';

const EXPIRY_WARNING_MS = 30 * 86_400_000;

export interface SealCertificate {
  subject: string;
  issuer: string;
  /** SHA-256 of the certificate (DER), lowercase hex. */
  fingerprint: string;
  validTo: Date;
  selfSigned: boolean;
}

/** Sealing failed: the caller's transaction must not store the document. */
export class SealingFailed extends Error {}

/**
 * Seals PDFs with the organisation's certificate (PAdES B-B, ETSI.CAdES.detached). The key and
 * certificate are loaded once per process; each seal is one pdf-lib save followed by the
 * signature, so nothing rewrites the document after it is signed.
 */
@Injectable()
export class PdfSealer {
  private readonly logger = new Logger('PdfSealer');
  private readonly credential: SigningCredential;
  private readonly signer: CmsSigner;
  private readonly signPdf = new SignPdf();
  readonly certificate: SealCertificate;
  /**
   * The organisation's certificate must be valid when it seals: an expired one would make every
   * reader reject the seal. The development certificate's dates follow whichever clock made it.
   */
  private readonly enforcesValidity: boolean;

  constructor(config: AppConfig, clock: Clock) {
    this.credential = loadSigningCredential(config, this.logger, clock.now());
    this.enforcesValidity = config.pdfSigningP12 !== undefined;
    this.signer = new CmsSigner(this.credential);
    const x509 = this.credential.certificate;
    this.certificate = {
      subject: x509.subject.replace(/\n/g, ', '),
      issuer: x509.issuer.replace(/\n/g, ', '),
      fingerprint: this.credential.fingerprint,
      validTo: new Date(x509.validTo),
      selfSigned: x509.subject === x509.issuer,
    };
    if (this.certificate.validTo.getTime() - clock.now().getTime() < EXPIRY_WARNING_MS) {
      this.logger.warn(
        `the certificate sealing evidence PDFs expires on ${this.certificate.validTo.toISOString()}`,
      );
    }
  }

  /**
   * Adds the signature field to the finished `doc`, saves it and signs the bytes. The result is
   * checked as a PDF reader would before it is returned; any failure throws SealingFailed.
   */
  async seal(
    doc: PDFDocument,
    seal: { reason: string; location: string; contactInfo: string; signingTime: Date },
  ): Promise<Buffer> {
    const x509 = this.credential.certificate;
    const outside =
      seal.signingTime < new Date(x509.validFrom) || seal.signingTime > new Date(x509.validTo);
    if (this.enforcesValidity && outside) {
      throw new SealingFailed(
        `the sealing certificate is not valid on ${seal.signingTime.toISOString()}`,
      );
    }
    let sealed: Buffer;
    // objectsPerTick: pdf-lib would otherwise pause on a timer every 50 objects; a document of a
    // few pages is written in one go.
    try {
      pdflibAddPlaceholder({
        pdfDoc: doc,
        reason: pdfLiteralText(seal.reason),
        location: pdfLiteralText(seal.location),
        contactInfo: pdfLiteralText(seal.contactInfo),
        name: pdfLiteralText(this.certificate.subject),
        signingTime: seal.signingTime,
        // Hex digits: two per byte of the largest CMS signature this signer makes.
        signatureLength: 2 * this.signer.maxSignatureBytes,
        subFilter: SUBFILTER_ETSI_CADES_DETACHED,
      });
      sealed = await this.signPdf.sign(
        Buffer.from(await doc.save({ objectsPerTick: Number.POSITIVE_INFINITY })),
        this.signer,
        seal.signingTime,
      );
    } catch (error) {
      throw new SealingFailed(
        `the PDF could not be sealed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const [check, ...others] = checkPdfSignatures(sealed);
    if (!check || others.length > 0 || !check.intact || !check.coversWholeFile) {
      throw new SealingFailed(
        `the sealed PDF does not verify: ${check?.problem ?? 'no single signature'}`,
      );
    }
    return sealed;
  }

  /** True when `certificate` (DER) is the one this process seals with. */
  isOurs(fingerprint: string): boolean {
    return fingerprint === this.credential.fingerprint;
  }
}
