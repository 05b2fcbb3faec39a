/**
 * The organisation's sealing credential: a private key and its certificate chain, read from a
 * PKCS#12 file, or a self-signed one made for development. node-forge reads and writes PKCS#12
 * only; every signature is made with node:crypto.
 */
import {
  createPrivateKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  X509Certificate,
} from 'node:crypto';
import forge from 'node-forge';
import type { KeyAlgorithm } from 'src/evidence/domain/cms';

export interface SigningCredential {
  privateKey: KeyObject;
  keyAlgorithm: KeyAlgorithm;
  /** DER: the signer's certificate first, then the rest of the chain found in the file. */
  certificates: Buffer[];
  certificate: X509Certificate;
  /** SHA-256 of the signer certificate's DER, lowercase hex. */
  fingerprint: string;
}

export class CredentialError extends Error {}

export function readPkcs12(p12: Buffer, passphrase: string): SigningCredential {
  let bags: forge.pkcs12.Bag[];
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(p12.toString('binary')));
    const pfx = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
    bags = pfx.safeContents.flatMap((safe) => safe.safeBags);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CredentialError(`not a PKCS#12 file this passphrase opens (${why})`);
  }
  const keys = bags
    .filter(
      (bag) =>
        bag.type === forge.pki.oids.keyBag || bag.type === forge.pki.oids.pkcs8ShroudedKeyBag,
    )
    .map((bag) => createPrivateKey({ key: privateKeyInfoDer(bag), format: 'der', type: 'pkcs8' }));
  const certificates = bags
    .filter((bag) => bag.type === forge.pki.oids.certBag)
    .map((bag) =>
      derOf(bag.asn1 ?? (bag.cert ? forge.pki.certificateToAsn1(bag.cert) : undefined)),
    );
  if (keys.length !== 1)
    throw new CredentialError(`expected one private key, found ${keys.length}`);
  const privateKey = keys[0];
  const signerIndex = certificates.findIndex((der) =>
    new X509Certificate(der).checkPrivateKey(privateKey),
  );
  if (signerIndex < 0) throw new CredentialError('no certificate matches the private key');
  return credential(privateKey, [
    certificates[signerIndex],
    ...certificates.filter((_, i) => i !== signerIndex),
  ]);
}

export function credential(privateKey: KeyObject, certificates: Buffer[]): SigningCredential {
  const type = privateKey.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ec') {
    throw new CredentialError(
      `unsupported key type ${type ?? 'unknown'}: RSA or EC (ECDSA) expected`,
    );
  }
  const certificate = new X509Certificate(certificates[0]);
  return {
    privateKey,
    keyAlgorithm: type,
    certificates,
    certificate,
    fingerprint: certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
  };
}

/**
 * A self-signed RSA-3072 sealing certificate for `orgName`, valid ten years, as a PKCS#12
 * protected by `passphrase`. For development: readers will say the signer is not trusted.
 */
export function createSelfSignedPkcs12(orgName: string, passphrase: string, now: Date): Buffer {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const key = forge.pki.privateKeyFromPem(
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365.25 * 86_400_000);
  // forge's typings call it a class; at run time it is the string type, and UTF8 is encoded for us.
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  const name: forge.pki.CertificateField[] = [
    { shortName: 'CN', value: `${orgName} evidence seal (self-signed)`, valueTagClass: utf8 },
    { shortName: 'O', value: orgName, valueTagClass: utf8 },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWithNodeCrypto(cert, privateKey);
  const p12 = forge.pkcs12.toPkcs12Asn1(key, cert, passphrase, {
    algorithm: 'aes256',
    friendlyName: 'evidence seal',
  });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

/** What forge's cert.sign does, with the RSA signature made natively (forge's takes ~100 ms). */
function signWithNodeCrypto(cert: forge.pki.Certificate, privateKey: KeyObject): void {
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption;
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption;
  const pki = forge.pki as typeof forge.pki & {
    getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1;
  };
  cert.tbsCertificate = pki.getTBSCertificate(cert);
  cert.signature = sign('sha256', derOf(cert.tbsCertificate), privateKey).toString('binary');
}

function privateKeyInfoDer(bag: forge.pkcs12.Bag): Buffer {
  if (bag.key) {
    const info = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key));
    return derOf(info);
  }
  return derOf(bag.asn1);
}

function derOf(asn1: forge.asn1.Asn1 | undefined): Buffer {
  if (!asn1) throw new CredentialError('an entry of the PKCS#12 file could not be read');
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
