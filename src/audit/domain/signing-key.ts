/**
 * The Ed25519 key that signs checkpoints. Accepted forms (AUDIT_SIGNING_KEY):
 * a PKCS#8 PEM (`openssl genpkey -algorithm ed25519`), or the base64 of the raw 32-byte seed.
 */
import { KeyObject, createPrivateKey, generateKeyPairSync } from 'node:crypto';

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SEED_SIZE = 32;

export function parseSigningKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  if (trimmed.startsWith('-----BEGIN')) {
    // Environment files often carry the PEM on one line with literal \n.
    key = createPrivateKey({ key: trimmed.replace(/\\n/g, '\n'), format: 'pem' });
  } else {
    const seed = Buffer.from(trimmed, 'base64');
    if (
      seed.length !== SEED_SIZE ||
      seed.toString('base64').replace(/=+$/, '') !== trimmed.replace(/=+$/, '')
    ) {
      throw new RangeError('must be a PKCS#8 PEM or the base64 of a 32-byte Ed25519 seed');
    }
    key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new RangeError('must be an Ed25519 private key');
  return key;
}

export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}
