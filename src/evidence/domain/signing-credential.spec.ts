import { createHash } from 'node:crypto';
import { parseSignedData, signedAttributes, signedData } from 'src/evidence/domain/cms';
import {
  createSelfSignedPkcs12,
  CredentialError,
  readPkcs12,
} from 'src/evidence/domain/signing-credential';

describe('signing credential and CMS signature', () => {
  const now = new Date('2026-03-02T09:30:00Z');
  const p12 = createSelfSignedPkcs12('Société Œuvre & Fils', 'correct horse', now);

  it('reads back the self-signed certificate made for the organisation, with its key', () => {
    const credential = readPkcs12(p12, 'correct horse');
    expect(credential.keyAlgorithm).toBe('rsa');
    expect(credential.certificate.subject).toContain(
      'CN=Société Œuvre & Fils evidence seal (self-signed)',
    );
    expect(credential.certificate.checkPrivateKey(credential.privateKey)).toBe(true);
    expect(credential.certificate.verify(credential.certificate.publicKey)).toBe(true);
    expect(new Date(credential.certificate.validFrom) <= now).toBe(true);
    expect(credential.fingerprint).toBe(
      createHash('sha256').update(credential.certificates[0]).digest('hex'),
    );
  });

  it('refuses a wrong passphrase and a file that is not PKCS#12', () => {
    expect(() => readPkcs12(p12, 'wrong')).toThrow(CredentialError);
    expect(() => readPkcs12(Buffer.from('not a p12'), '')).toThrow(CredentialError);
  });

  it('builds a detached SignedData whose signed attributes verify with the certificate', () => {
    const credential = readPkcs12(p12, 'correct horse');
    const digest = createHash('sha256').update('the signed bytes').digest();
    const attributes = signedAttributes(digest, credential.certificates[0]);
    const cms = signedData({
      signedAttributes: attributes,
      signature: Buffer.from('00', 'hex'),
      keyAlgorithm: 'rsa',
      certificates: credential.certificates,
    });
    const parsed = parseSignedData(cms);
    expect(parsed.signerCertificate).toEqual(credential.certificates[0]);
    expect(parsed.messageDigest).toEqual(digest);
    expect(parsed.signedAttributes).toEqual(attributes);
    expect(parsed.digestAlgorithm).toBe('2.16.840.1.101.3.4.2.1');
  });
});
