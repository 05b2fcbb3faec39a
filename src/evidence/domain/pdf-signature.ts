/**
 * Checks the digital signatures of a PDF from its bytes, the way a PDF reader does: the
 * /ByteRange must leave out exactly the /Contents hex string, the SHA-256 of the ranges must
 * equal the signed message-digest, and the signature over the signed attributes must verify
 * with the certificate the signature names.
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { OIDS, parseSignedData } from 'src/evidence/domain/cms';
import { readElement } from 'src/evidence/domain/der';

export interface PdfSignatureCheck {
  byteRange: [number, number, number, number];
  /** The signed ranges are the whole file except the signature itself. */
  coversWholeFile: boolean;
  /** The content digest matches and the signature verifies with the signer's certificate. */
  intact: boolean;
  /** DER of the signer's certificate, when the signature carries it. */
  certificate: Buffer | null;
  /** Why `intact` is false. */
  problem: string | null;
  /** The signature dictionary's /Reason, as written (PDF literal string). */
  reason: string | null;
}

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

export function checkPdfSignatures(pdf: Buffer): PdfSignatureCheck[] {
  const text = pdf.toString('latin1');
  return [...text.matchAll(BYTE_RANGE)].map((match) => {
    const range = match.slice(1, 5).map(Number) as [number, number, number, number];
    return { ...checkOne(pdf, range), reason: reasonNear(text, match.index) };
  });
}

function checkOne(
  pdf: Buffer,
  byteRange: [number, number, number, number],
): Omit<PdfSignatureCheck, 'reason'> {
  const [start, firstLength, secondStart, secondLength] = byteRange;
  const result = { byteRange, coversWholeFile: false, intact: false, certificate: null };
  if (start !== 0 || secondStart <= firstLength || secondStart + secondLength > pdf.length) {
    return { ...result, problem: 'the byte range lies outside the file' };
  }
  const hole = pdf.subarray(firstLength, secondStart).toString('latin1');
  if (!/^<[0-9A-Fa-f]*>$/.test(hole)) {
    return { ...result, problem: 'the byte range does not leave out exactly the signature' };
  }
  const coversWholeFile = secondStart + secondLength === pdf.length;
  let cms: Buffer;
  let parsed: ReturnType<typeof parseSignedData>;
  try {
    const hex = Buffer.from(hole.slice(1, -1), 'hex');
    cms = hex.subarray(0, readElement(hex).end);
    parsed = parseSignedData(cms);
  } catch {
    return {
      ...result,
      coversWholeFile,
      problem: 'the signature is not a readable CMS SignedData',
    };
  }
  const certificate = parsed.signerCertificate;
  const base = { byteRange, coversWholeFile, certificate };
  if (!certificate) return { ...base, intact: false, problem: 'the signer certificate is missing' };
  if (parsed.digestAlgorithm !== OIDS.sha256 || !parsed.signedAttributes || !parsed.messageDigest) {
    return {
      ...base,
      intact: false,
      problem: 'unsupported signature format (SHA-256 with signed attributes expected)',
    };
  }
  const digest = createHash('sha256')
    .update(pdf.subarray(0, firstLength))
    .update(pdf.subarray(secondStart, secondStart + secondLength))
    .digest();
  if (!digest.equals(parsed.messageDigest)) {
    return { ...base, intact: false, problem: 'the document was modified after it was signed' };
  }
  const valid = signatureVerifies(certificate, parsed.signedAttributes, parsed.signature);
  return valid
    ? { ...base, intact: true, problem: null }
    : { ...base, intact: false, problem: 'the signature does not verify with its certificate' };
}

function signatureVerifies(
  certificate: Buffer,
  signedAttributes: Buffer,
  signature: Buffer,
): boolean {
  try {
    const key = new X509Certificate(certificate).publicKey;
    return verify('sha256', signedAttributes, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** /Reason of the signature dictionary around a /ByteRange (within the same dictionary). */
function reasonNear(text: string, byteRangeAt: number): string | null {
  const start = text.lastIndexOf('<<', byteRangeAt);
  const end = text.indexOf('>>', byteRangeAt);
  const dictionary = text.slice(Math.max(0, start), end < 0 ? undefined : end);
  const match = /\/Reason\s*\(((?:[^()\\]|\\.)*)\)/.exec(dictionary);
  return match ? match[1].replace(/\\(.)/g, '$1') : null;
}
