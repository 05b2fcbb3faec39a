/**
 * Checkpoints of the audit log as C2SP signed notes (https://c2sp.org/signed-note and
 * https://c2sp.org/tlog-checkpoint), signed with Ed25519 (signature type 0x01):
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n[<extension line>\n...]
 *   \n
 *   — <key name> <base64(4-byte key id || 64-byte signature)>\n
 *
 * Parsing is strict and returns null on anything malformed; formatting and signing throw on
 * invalid arguments, since those are programming errors.
 */
import { KeyObject, createHash, createPublicKey, sign, verify } from 'node:crypto';
import { HASH_SIZE } from './merkle';

export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Buffer;
  readonly extensions: string[];
}

export interface CheckpointFields {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  readonly extensions?: readonly string[];
}

export interface VerifierKey {
  readonly name: string;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
}

interface NoteSignature {
  readonly keyName: string;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

const ED25519_SIGNATURE_TYPE = 0x01;
const ED25519_PUBLIC_KEY_SIZE = 32;
const KEY_ID_SIZE = 4;
/** The spec asks verifiers to cap signatures per note at no fewer than 16. */
const MAX_SIGNATURES = 100;
const SIGNATURE_LINE = /^\u2014 ([^\p{White_Space}+]+) ([A-Za-z0-9+/=]+)$/u;
const CANONICAL_DECIMAL = /^(0|[1-9][0-9]*)$/;
// The signed-note format forbids control characters other than newline.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CONTROL_CHARACTERS = /[\u0000-\u0009\u000b-\u001f]/;

export function formatCheckpointBody(fields: CheckpointFields): string {
  const { origin, treeSize, rootHash, extensions = [] } = fields;
  if (!isValidLine(origin)) throw new RangeError('origin must be a non-empty single line');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new RangeError('treeSize must be a non-negative safe integer');
  }
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== HASH_SIZE) {
    throw new RangeError(`rootHash must be ${HASH_SIZE} bytes`);
  }
  if (!extensions.every(isValidLine)) {
    throw new RangeError('extension lines must be non-empty single lines');
  }
  const lines = [origin, String(treeSize), Buffer.from(rootHash).toString('base64'), ...extensions];
  return lines.map((line) => `${line}\n`).join('');
}

export function parseCheckpointBody(text: string): Checkpoint | null {
  if (typeof text !== 'string' || !isValidNoteText(text)) return null;
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.some((line) => line === '')) return null;
  const [origin, size, root, ...extensions] = lines;
  if (!CANONICAL_DECIMAL.test(size)) return null;
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize)) return null;
  const rootHash = decodeBase64(root);
  if (!rootHash || rootHash.length !== HASH_SIZE) return null;
  return { origin, treeSize, rootHash, extensions };
}

/** Signs `text` (which must end in a newline) and returns the complete signed note. */
export function signNote(text: string, keyName: string, privateKey: KeyObject): string {
  if (!isValidNoteText(text)) {
    throw new RangeError('note text must be well-formed, newline-terminated, control-free');
  }
  if (!isValidKeyName(keyName)) throw new RangeError(`invalid key name ${JSON.stringify(keyName)}`);
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('privateKey must be an Ed25519 private key');
  }
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  const id = keyId(keyName, rawEd25519PublicKey(privateKey));
  return `${text}\n\u2014 ${keyName} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/**
 * Verifies a signed note against one trusted Ed25519 key and returns its text, or null.
 * Per the spec, signatures by other keys (a different name or key id) are ignored, the note
 * is rejected if a signature by the trusted key fails, and at least one must verify.
 */
export function openNote(
  noteText: string,
  keyName: string,
  publicKeyRaw: Uint8Array,
): string | null {
  if (typeof noteText !== 'string' || !isValidKeyName(keyName)) return null;
  const publicKey = ed25519PublicKeyOrNull(publicKeyRaw);
  if (!publicKey || !isWellFormed(noteText) || FORBIDDEN_CONTROL_CHARACTERS.test(noteText)) {
    return null;
  }
  const split = noteText.lastIndexOf('\n\n');
  if (split < 0) return null;
  const text = noteText.slice(0, split + 1);
  const signatures = parseSignatureBlock(noteText.slice(split + 2));
  if (!signatures) return null;

  const trustedId = keyId(keyName, publicKeyRaw);
  const trusted = signatures.filter((s) => s.keyName === keyName && s.keyId.equals(trustedId));
  if (trusted.length === 0) return null;
  const message = Buffer.from(text, 'utf8');
  return trusted.every((s) => verifyEd25519(publicKey, message, s.signature)) ? text : null;
}

/** Verifies a signed checkpoint against one trusted key and parses its body, or returns null. */
export function verifyNote(
  noteText: string,
  keyName: string,
  publicKeyRaw: Uint8Array,
): Checkpoint | null {
  const text = openNote(noteText, keyName, publicKeyRaw);
  return text === null ? null : parseCheckpointBody(text);
}

/** SHA-256(key name || 0x0A || 0x01 || public key)[:4]. */
export function keyId(keyName: string, publicKeyRaw: Uint8Array): Buffer {
  return createHash('sha256')
    .update(keyName, 'utf8')
    .update(Buffer.of(0x0a, ED25519_SIGNATURE_TYPE))
    .update(publicKeyRaw)
    .digest()
    .subarray(0, KEY_ID_SIZE);
}

/** `<name>+<hex key id>+<base64(0x01 || public key)>`, as used by Go's sumdb/note. */
export function verifierKey(keyName: string, publicKeyRaw: Uint8Array): string {
  if (!isValidKeyName(keyName)) throw new RangeError(`invalid key name ${JSON.stringify(keyName)}`);
  if (publicKeyRaw.length !== ED25519_PUBLIC_KEY_SIZE) {
    throw new RangeError(`Ed25519 public key must be ${ED25519_PUBLIC_KEY_SIZE} bytes`);
  }
  const encodedKey = Buffer.concat([Buffer.of(ED25519_SIGNATURE_TYPE), publicKeyRaw]);
  return `${keyName}+${keyId(keyName, publicKeyRaw).toString('hex')}+${encodedKey.toString('base64')}`;
}

export function parseVerifierKey(vkey: string): VerifierKey | null {
  if (typeof vkey !== 'string') return null;
  // The base64 part may itself contain '+', the name and id cannot.
  const match = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey);
  if (!match || !isValidKeyName(match[1])) return null;
  const [, name, idHex, encodedKey] = match;
  const decoded = decodeBase64(encodedKey);
  if (!decoded || decoded.length !== 1 + ED25519_PUBLIC_KEY_SIZE) return null;
  if (decoded[0] !== ED25519_SIGNATURE_TYPE) return null;
  const publicKey = decoded.subarray(1);
  const id = keyId(name, publicKey);
  return id.toString('hex') === idHex ? { name, keyId: id, publicKey } : null;
}

/** Raw 32-byte Ed25519 public key of a public or private KeyObject. */
export function rawEd25519PublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('expected an Ed25519 key');
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { x } = publicKey.export({ format: 'jwk' });
  if (x === undefined) throw new TypeError('Ed25519 key has no public component');
  return Buffer.from(x, 'base64url');
}

export function ed25519PublicKeyFromRaw(publicKeyRaw: Uint8Array): KeyObject {
  const key = ed25519PublicKeyOrNull(publicKeyRaw);
  if (!key) throw new RangeError(`Ed25519 public key must be ${ED25519_PUBLIC_KEY_SIZE} bytes`);
  return key;
}

function ed25519PublicKeyOrNull(publicKeyRaw: Uint8Array): KeyObject | null {
  if (!(publicKeyRaw instanceof Uint8Array) || publicKeyRaw.length !== ED25519_PUBLIC_KEY_SIZE) {
    return null;
  }
  try {
    const x = Buffer.from(publicKeyRaw).toString('base64url');
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch {
    return null;
  }
}

function verifyEd25519(publicKey: KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

function parseSignatureBlock(block: string): NoteSignature[] | null {
  if (!block.endsWith('\n')) return null;
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return null;
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const match = SIGNATURE_LINE.exec(line);
    const decoded = match ? decodeBase64(match[2]) : null;
    if (!match || !decoded || decoded.length <= KEY_ID_SIZE) return null;
    signatures.push({
      keyName: match[1],
      keyId: decoded.subarray(0, KEY_ID_SIZE),
      signature: decoded.subarray(KEY_ID_SIZE),
    });
  }
  return signatures;
}

/** Standard padded base64 only; Node's decoder would otherwise skip junk and accept base64url. */
function decodeBase64(encoded: string): Buffer | null {
  if (encoded === '') return null;
  const decoded = Buffer.from(encoded, 'base64');
  return decoded.toString('base64') === encoded ? decoded : null;
}

function isValidNoteText(text: string): boolean {
  return (
    typeof text === 'string' &&
    text.endsWith('\n') &&
    isWellFormed(text) &&
    !FORBIDDEN_CONTROL_CHARACTERS.test(text)
  );
}

function isValidLine(line: unknown): boolean {
  return (
    typeof line === 'string' &&
    line !== '' &&
    !line.includes('\n') &&
    isWellFormed(line) &&
    !FORBIDDEN_CONTROL_CHARACTERS.test(line)
  );
}

function isValidKeyName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    /^[^\p{White_Space}+]+$/u.test(name) &&
    isWellFormed(name) &&
    !FORBIDDEN_CONTROL_CHARACTERS.test(name)
  );
}

/** A string is encodable as valid UTF-8 exactly when it has no lone surrogates. */
function isWellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}
