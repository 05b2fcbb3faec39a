import { Signer } from '@signpdf/utils';
import { createHash, sign } from 'node:crypto';
import { signedAttributes, signedData } from 'src/evidence/domain/cms';
import type { SigningCredential } from 'src/evidence/domain/signing-credential';

/**
 * Signs for @signpdf with node:crypto: a detached CMS SignedData (PAdES B-B) over the bytes
 * @signpdf hands over. Stateless, so one instance serves every document of the process.
 */
export class CmsSigner extends Signer {
  constructor(private readonly credential: SigningCredential) {
    super();
  }

  /** Bytes of the largest signature this signer makes, for sizing the PDF's placeholder. */
  get maxSignatureBytes(): number {
    const certificates = this.credential.certificates.reduce((sum, der) => sum + der.length, 0);
    // Signature value (at most 512 bytes for RSA-4096), signed attributes and CMS framing.
    return certificates + 2048;
  }

  override sign(pdf: Buffer): Promise<Buffer> {
    const attributes = signedAttributes(
      createHash('sha256').update(pdf).digest(),
      this.credential.certificates[0],
    );
    const signature = sign('sha256', attributes, {
      key: this.credential.privateKey,
      dsaEncoding: 'der',
    });
    return Promise.resolve(
      signedData({
        signedAttributes: attributes,
        signature,
        keyAlgorithm: this.credential.keyAlgorithm,
        certificates: this.credential.certificates,
      }),
    );
  }
}
