/**
 * CMS SignedData (RFC 5652) for PDF signatures of the PAdES baseline B-B profile
 * (ETSI EN 319 142-1, SubFilter ETSI.CAdES.detached): detached content, SHA-256, signed
 * attributes content-type, message-digest and ESS signing-certificate-v2, and no signing-time
 * attribute (PAdES puts the time in the signature dictionary's /M).
 */
import { createHash } from 'node:crypto';
import {
  bytesOf,
  childrenOf,
  contentOf,
  contextTag,
  DerElement,
  integer,
  nullValue,
  octetString,
  oid,
  oidToString,
  readElement,
  sequence,
  setOf,
  TAG,
} from 'src/evidence/domain/der';

export const OIDS = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

export type KeyAlgorithm = 'rsa' | 'ec';

function attribute(type: string, value: Buffer): Buffer {
  return sequence(oid(type), setOf([value]));
}

/**
 * The signed attributes as the DER SET OF that the signature is computed over
 * (RFC 5652 5.4: the [0] IMPLICIT tag of SignerInfo is replaced by the SET tag for signing).
 */
export function signedAttributes(contentDigest: Buffer, signerCertificate: Buffer): Buffer {
  const certHash = createHash('sha256').update(signerCertificate).digest();
  // ESSCertIDv2 with the default hash algorithm (SHA-256) omitted, as DER requires.
  const signingCertificateV2 = sequence(sequence(sequence(octetString(certHash))));
  return setOf([
    attribute(OIDS.contentType, oid(OIDS.data)),
    attribute(OIDS.messageDigest, octetString(contentDigest)),
    attribute(OIDS.signingCertificateV2, signingCertificateV2),
  ]);
}

/** IssuerAndSerialNumber of a certificate, copied byte for byte from its TBSCertificate. */
export function issuerAndSerialNumber(certificate: Buffer): Buffer {
  const cert = readElement(certificate);
  const tbs = childrenOf(certificate, childrenOf(certificate, cert)[0]);
  const first = tbs[0].tag === 0xa0 ? 1 : 0;
  return sequence(bytesOf(certificate, tbs[first + 2]), bytesOf(certificate, tbs[first]));
}

export function signatureAlgorithmIdentifier(key: KeyAlgorithm): Buffer {
  return key === 'rsa'
    ? sequence(oid(OIDS.sha256WithRsa), nullValue())
    : sequence(oid(OIDS.ecdsaWithSha256));
}

/** ContentInfo wrapping a detached SignedData with one signer. */
export function signedData(input: {
  signedAttributes: Buffer;
  signature: Buffer;
  keyAlgorithm: KeyAlgorithm;
  /** Signer certificate first, then its chain. */
  certificates: Buffer[];
}): Buffer {
  const sha256 = sequence(oid(OIDS.sha256));
  const implicitAttributes = Buffer.concat([
    Buffer.from([0xa0]),
    input.signedAttributes.subarray(1),
  ]);
  const signerInfo = sequence(
    integer(1),
    issuerAndSerialNumber(input.certificates[0]),
    sha256,
    implicitAttributes,
    signatureAlgorithmIdentifier(input.keyAlgorithm),
    octetString(input.signature),
  );
  const content = sequence(
    integer(1),
    setOf([sha256]),
    sequence(oid(OIDS.data)),
    setOf(input.certificates, 0xa0),
    setOf([signerInfo]),
  );
  return sequence(oid(OIDS.signedData), contextTag(0, content));
}

export interface ParsedSignedData {
  certificates: Buffer[];
  /** The certificate the SignerInfo names (issuer and serial), when included. */
  signerCertificate: Buffer | null;
  digestAlgorithm: string;
  signatureAlgorithm: string;
  /** Re-tagged as a SET OF: the bytes the signature covers. */
  signedAttributes: Buffer | null;
  messageDigest: Buffer | null;
  signature: Buffer;
}

/** Reads the first SignerInfo of a CMS ContentInfo; throws RangeError when it is not one. */
export function parseSignedData(der: Buffer): ParsedSignedData {
  const root = readElement(der);
  const [type, wrapper] = expectChildren(der, root, 2);
  if (type.tag !== TAG.OID || oidToString(contentOf(der, type)) !== OIDS.signedData) {
    throw new RangeError('CMS: not a SignedData');
  }
  const signed = childrenOf(der, wrapper)[0];
  const fields = childrenOf(der, signed);
  const certificates = fields
    .filter((field) => field.tag === 0xa0)
    .flatMap((field) => childrenOf(der, field).map((cert) => bytesOf(der, cert)));
  const signerInfos = fields[fields.length - 1];
  if (signerInfos.tag !== TAG.SET) throw new RangeError('CMS: no SignerInfos');
  const signerInfo = childrenOf(der, signerInfos)[0];
  if (!signerInfo) throw new RangeError('CMS: no SignerInfo');
  const parts = childrenOf(der, signerInfo);
  const sid = bytesOf(der, parts[1]);
  let next = 2;
  const digestAlgorithm = algorithmOf(der, parts[next++]);
  let signedAttributes: Buffer | null = null;
  let messageDigest: Buffer | null = null;
  if (parts[next]?.tag === 0xa0) {
    const attrs = parts[next++];
    signedAttributes = Buffer.concat([Buffer.from([TAG.SET]), bytesOf(der, attrs).subarray(1)]);
    messageDigest = findMessageDigest(der, attrs);
  }
  const signatureAlgorithm = algorithmOf(der, parts[next++]);
  const signatureElement = parts[next];
  if (signatureElement?.tag !== TAG.OCTET_STRING) throw new RangeError('CMS: no signature');
  return {
    certificates,
    signerCertificate:
      certificates.find((cert) => sameBytes(issuerAndSerialNumber(cert), sid)) ?? null,
    digestAlgorithm,
    signatureAlgorithm,
    signedAttributes,
    messageDigest,
    signature: Buffer.from(contentOf(der, signatureElement)),
  };
}

function findMessageDigest(der: Buffer, attrs: DerElement): Buffer | null {
  for (const attr of childrenOf(der, attrs)) {
    const [type, values] = childrenOf(der, attr);
    if (oidToString(contentOf(der, type)) !== OIDS.messageDigest) continue;
    const value = childrenOf(der, values)[0];
    return value?.tag === TAG.OCTET_STRING ? Buffer.from(contentOf(der, value)) : null;
  }
  return null;
}

function algorithmOf(der: Buffer, element: DerElement | undefined): string {
  if (!element || element.tag !== TAG.SEQUENCE) throw new RangeError('CMS: algorithm expected');
  const id = childrenOf(der, element)[0];
  if (id?.tag !== TAG.OID) throw new RangeError('CMS: algorithm OID expected');
  return oidToString(contentOf(der, id));
}

function expectChildren(der: Buffer, element: DerElement, count: number): DerElement[] {
  const children = childrenOf(der, element);
  if (children.length < count) throw new RangeError('CMS: structure too short');
  return children;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.equals(b);
}
