import { KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  ed25519PublicKeyFromRaw,
  formatCheckpointBody,
  keyId,
  openNote,
  parseCheckpointBody,
  parseVerifierKey,
  rawEd25519PublicKey,
  signNote,
  verifierKey,
  verifyNote,
} from './checkpoint';
import { leafHash, merkleTreeHash } from './merkle';

/*
 * Known-answer test from golang.org/x/mod/sumdb/note (BSD-3-Clause), the reference
 * implementation of C2SP signed notes. Ed25519 is deterministic, so signing must reproduce it.
 */
const GO_KEY_NAME = 'PeterNeumann';
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_PRIVATE_KEY =
  'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE =
  GO_TEXT +
  '\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function ed25519KeyFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

function goPrivateKey(): KeyObject {
  // The key material is base64(0x01 || 32-byte seed) and may itself contain '+'.
  const material = GO_PRIVATE_KEY.split('+').slice(4).join('+');
  return ed25519KeyFromSeed(Buffer.from(material, 'base64').subarray(1));
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Sets an unused low bit of the last data character of a base64 string with one '=' pad. */
function withNonCanonicalTrailingBits(encoded: string): string {
  const at = encoded.length - 2;
  const value = BASE64_ALPHABET.indexOf(encoded[at]) | 1;
  return encoded.slice(0, at) + BASE64_ALPHABET[value] + encoded.slice(at + 1);
}

const ORIGIN = 'audit.example.com/consent-ledger';
const ROOT = merkleTreeHash([leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))]);
const privateKey = ed25519KeyFromSeed(Buffer.alloc(32, 7));
const publicKey = createPublicKey(privateKey);
const PUBLIC_RAW = rawEd25519PublicKey(publicKey);
const SIGNED = signNote(
  formatCheckpointBody({ origin: ORIGIN, treeSize: 2, rootHash: ROOT }),
  ORIGIN,
  privateKey,
);

function noteWithBody(body: string): string {
  return signNote(body, ORIGIN, privateKey);
}

function splitNote(note: string): { text: string; signatureLine: string } {
  const split = note.lastIndexOf('\n\n');
  return { text: note.slice(0, split + 1), signatureLine: note.slice(split + 2) };
}

describe('checkpoint', () => {
  describe('signed note format', () => {
    it('reproduces the Go sumdb/note reference signature byte for byte', () => {
      expect(signNote(GO_TEXT, GO_KEY_NAME, goPrivateKey())).toBe(GO_NOTE);
    });

    it('computes the Go reference key id and verifier key', () => {
      const raw = rawEd25519PublicKey(goPrivateKey());
      expect(keyId(GO_KEY_NAME, raw).toString('hex')).toBe('c74f20a3');
      expect(verifierKey(GO_KEY_NAME, raw)).toBe(GO_VERIFIER_KEY);
    });

    it('opens the Go reference note and returns its text', () => {
      const key = parseVerifierKey(GO_VERIFIER_KEY);
      expect(key).not.toBeNull();
      expect(openNote(GO_NOTE, key!.name, key!.publicKey)).toBe(GO_TEXT);
    });

    it('rejects the Go reference note when one character of the text changes', () => {
      const key = parseVerifierKey(GO_VERIFIER_KEY)!;
      expect(
        openNote(GO_NOTE.replace('cryptography', 'cryptographY'), GO_KEY_NAME, key.publicKey),
      ).toBeNull();
    });

    it('extracts the same raw public key from the private and the public KeyObject', () => {
      expect(rawEd25519PublicKey(privateKey)).toEqual(PUBLIC_RAW);
      expect(PUBLIC_RAW).toHaveLength(32);
      expect(rawEd25519PublicKey(ed25519PublicKeyFromRaw(PUBLIC_RAW))).toEqual(PUBLIC_RAW);
      expect(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)).toEqual(PUBLIC_RAW);
    });

    it('refuses non-Ed25519 keys and malformed raw keys', () => {
      const { privateKey: ecKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      expect(() => rawEd25519PublicKey(ecKey)).toThrow(TypeError);
      expect(() => signNote('x\n', ORIGIN, ecKey)).toThrow(TypeError);
      expect(() => signNote('x\n', ORIGIN, publicKey)).toThrow(TypeError);
      expect(() => ed25519PublicKeyFromRaw(Buffer.alloc(31))).toThrow(RangeError);
    });
  });

  describe('verifier keys', () => {
    it('formats as name, hex key id and base64 of the type byte and public key', () => {
      const material = Buffer.concat([Buffer.of(0x01), PUBLIC_RAW]).toString('base64');
      const id = keyId(ORIGIN, PUBLIC_RAW).toString('hex');
      expect(id).toMatch(/^[0-9a-f]{8}$/);
      expect(verifierKey(ORIGIN, PUBLIC_RAW)).toBe(`${ORIGIN}+${id}+${material}`);
    });

    it('round-trips through parseVerifierKey', () => {
      expect(parseVerifierKey(verifierKey(ORIGIN, PUBLIC_RAW))).toEqual({
        name: ORIGIN,
        keyId: keyId(ORIGIN, PUBLIC_RAW),
        publicKey: PUBLIC_RAW,
      });
    });

    it('rejects verifier keys with a wrong id, type byte, length or name', () => {
      const [, id, material] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(GO_VERIFIER_KEY)!.slice(1);
      const otherMaterial = Buffer.concat([
        Buffer.of(2),
        Buffer.from(material, 'base64').subarray(1),
      ]).toString('base64');
      expect(parseVerifierKey(`PeterNeumann+c74f20a4+${material}`)).toBeNull();
      expect(parseVerifierKey(`PeterNeumann+${id}+${otherMaterial}`)).toBeNull();
      expect(parseVerifierKey(`PeterNeumann+${id}+${material.slice(0, -4)}`)).toBeNull();
      expect(parseVerifierKey(`Peter Neumann+${id}+${material}`)).toBeNull();
      expect(parseVerifierKey(`PeterNeumann+C74F20A3+${material}`)).toBeNull();
      expect(parseVerifierKey('PeterNeumann')).toBeNull();
    });

    it('rejects key names that are empty or contain spaces or plus signs', () => {
      for (const name of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u3000b']) {
        expect(() => verifierKey(name, PUBLIC_RAW)).toThrow(RangeError);
        expect(() => signNote('x\n', name, privateKey)).toThrow(RangeError);
      }
    });
  });

  describe('checkpoint round trip', () => {
    it('formats the body as origin, decimal size and base64 root, one per line', () => {
      expect(formatCheckpointBody({ origin: ORIGIN, treeSize: 2, rootHash: ROOT })).toBe(
        `${ORIGIN}\n2\n${ROOT.toString('base64')}\n`,
      );
    });

    it('signs and verifies a checkpoint back to its fields', () => {
      expect(SIGNED).toMatch(
        new RegExp(`\n\n— ${ORIGIN.replace(/\./g, '\\.')} [A-Za-z0-9+/]{91}=\n$`),
      );
      expect(verifyNote(SIGNED, ORIGIN, PUBLIC_RAW)).toEqual({
        origin: ORIGIN,
        treeSize: 2,
        rootHash: ROOT,
        extensions: [],
      });
    });

    it('keeps extension lines', () => {
      const body = formatCheckpointBody({
        origin: ORIGIN,
        treeSize: 0,
        rootHash: ROOT,
        extensions: ['ext one', 'two'],
      });
      expect(verifyNote(noteWithBody(body), ORIGIN, PUBLIC_RAW)?.extensions).toEqual([
        'ext one',
        'two',
      ]);
    });

    it('supports sizes up to the largest safe integer', () => {
      const body = formatCheckpointBody({
        origin: ORIGIN,
        treeSize: Number.MAX_SAFE_INTEGER,
        rootHash: ROOT,
      });
      expect(verifyNote(noteWithBody(body), ORIGIN, PUBLIC_RAW)?.treeSize).toBe(
        Number.MAX_SAFE_INTEGER,
      );
    });

    it('refuses to format invalid fields', () => {
      const ok = { origin: ORIGIN, treeSize: 1, rootHash: ROOT };
      expect(() => formatCheckpointBody({ ...ok, origin: '' })).toThrow(RangeError);
      expect(() => formatCheckpointBody({ ...ok, origin: 'a\nb' })).toThrow(RangeError);
      expect(() => formatCheckpointBody({ ...ok, treeSize: -1 })).toThrow(RangeError);
      expect(() => formatCheckpointBody({ ...ok, treeSize: 1.5 })).toThrow(RangeError);
      expect(() => formatCheckpointBody({ ...ok, rootHash: ROOT.subarray(1) })).toThrow(RangeError);
      expect(() => formatCheckpointBody({ ...ok, extensions: [''] })).toThrow(RangeError);
    });

    it('refuses to sign text that is not newline-terminated or contains control characters', () => {
      expect(() => signNote('no newline', ORIGIN, privateKey)).toThrow(RangeError);
      expect(() => signNote('tab\there\n', ORIGIN, privateKey)).toThrow(RangeError);
      expect(() => signNote('lone \ud800 surrogate\n', ORIGIN, privateKey)).toThrow(RangeError);
    });
  });

  describe('tampering and wrong keys', () => {
    const { text, signatureLine } = splitNote(SIGNED);

    it('rejects a tampered origin, size or root', () => {
      const otherRoot = Buffer.from(ROOT);
      otherRoot[0] ^= 1;
      for (const tampered of [
        text.replace(ORIGIN, `${ORIGIN}x`),
        text.replace('\n2\n', '\n3\n'),
        text.replace(ROOT.toString('base64'), otherRoot.toString('base64')),
      ]) {
        expect(verifyNote(`${tampered}\n${signatureLine}`, ORIGIN, PUBLIC_RAW)).toBeNull();
      }
    });

    it('rejects a tampered signature', () => {
      const blob = Buffer.from(signatureLine.split(' ')[2].trim(), 'base64');
      blob[blob.length - 1] ^= 1;
      const line = `— ${ORIGIN} ${blob.toString('base64')}\n`;
      expect(verifyNote(`${text}\n${line}`, ORIGIN, PUBLIC_RAW)).toBeNull();
    });

    it('rejects a note signed for another key name or verified with another key', () => {
      const other = generateKeyPairSync('ed25519');
      expect(verifyNote(SIGNED, 'other.example.com/log', PUBLIC_RAW)).toBeNull();
      expect(verifyNote(SIGNED, ORIGIN, rawEd25519PublicKey(other.publicKey))).toBeNull();
      expect(
        verifyNote(signNote(text, 'other.example.com/log', privateKey), ORIGIN, PUBLIC_RAW),
      ).toBeNull();
    });

    it('rejects a signature whose key id does not match even if the signature is valid', () => {
      const blob = Buffer.from(signatureLine.split(' ')[2].trim(), 'base64');
      blob[0] ^= 1;
      expect(
        verifyNote(`${text}\n— ${ORIGIN} ${blob.toString('base64')}\n`, ORIGIN, PUBLIC_RAW),
      ).toBeNull();
    });

    it('ignores valid signatures from unknown keys next to the trusted one', () => {
      const cosigner = generateKeyPairSync('ed25519');
      const cosigned = splitNote(
        signNote(text, 'witness.example.com', cosigner.privateKey),
      ).signatureLine;
      const note = `${text}\n${cosigned}${signatureLine}`;
      expect(verifyNote(note, ORIGIN, PUBLIC_RAW)?.treeSize).toBe(2);
    });

    it('rejects the note when any signature by the trusted key fails', () => {
      const blob = Buffer.from(signatureLine.split(' ')[2].trim(), 'base64');
      blob[10] ^= 1;
      const note = `${text}\n${signatureLine}— ${ORIGIN} ${blob.toString('base64')}\n`;
      expect(verifyNote(note, ORIGIN, PUBLIC_RAW)).toBeNull();
    });

    it('rejects a note carrying only unknown signatures', () => {
      const stranger = generateKeyPairSync('ed25519');
      const note = signNote(text, 'stranger.example.com', stranger.privateKey);
      expect(verifyNote(note, ORIGIN, PUBLIC_RAW)).toBeNull();
    });

    it('returns null for a malformed trusted key instead of throwing', () => {
      expect(verifyNote(SIGNED, ORIGIN, PUBLIC_RAW.subarray(1))).toBeNull();
      expect(verifyNote(SIGNED, '', PUBLIC_RAW)).toBeNull();
      expect(verifyNote(SIGNED, 'a b', PUBLIC_RAW)).toBeNull();
    });
  });

  describe('strict parsing', () => {
    const { text, signatureLine } = splitNote(SIGNED);
    const goBlob = splitNote(GO_NOTE).signatureLine.slice(2, -1).split(' ')[1];
    const goRaw = parseVerifierKey(GO_VERIFIER_KEY)!.publicKey;
    const goNote = (blob: string) => `${GO_TEXT}\n— ${GO_KEY_NAME} ${blob}\n`;

    it('accepts the canonical Go note that the malformed variants below derive from', () => {
      // Preconditions that make the base64 cases below meaningful for Node's lenient decoder.
      expect(goBlob).toMatch(/\/.*=$/);
      expect(Buffer.from(goBlob.replace(/=$/, ''), 'base64')).toEqual(
        Buffer.from(goBlob, 'base64'),
      );
      expect(openNote(goNote(goBlob), GO_KEY_NAME, goRaw)).toBe(GO_TEXT);
    });

    it.each([
      ['the signature base64 has no padding', goNote(goBlob.replace(/=$/, ''))],
      ['the signature is base64url', goNote(Buffer.from(goBlob, 'base64').toString('base64url'))],
      [
        'the signature base64 has non-canonical trailing bits',
        goNote(withNonCanonicalTrailingBits(goBlob)),
      ],
      ['the signature contains a space', goNote(`${goBlob.slice(0, 8)} ${goBlob.slice(8)}`)],
      [
        'the signature line uses a hyphen instead of an em dash',
        `${GO_TEXT}\n- ${GO_KEY_NAME} ${goBlob}\n`,
      ],
      [
        'the signature line has two spaces after the dash',
        `${GO_TEXT}\n—  ${GO_KEY_NAME} ${goBlob}\n`,
      ],
      ['the signature is too short to hold a key id', `${GO_NOTE}— ${GO_KEY_NAME} AAAAAA==\n`],
      ['a malformed signature line follows the valid one', `${GO_NOTE}— broken\n`],
      ['the blank line before the signatures is missing', GO_NOTE.replace('\n\n', '\n')],
      ['the final newline is missing', GO_NOTE.slice(0, -1)],
      ['a trailing empty line follows the signatures', `${GO_NOTE}\n`],
      ['lines end in CRLF', GO_NOTE.replace(/\n/g, '\r\n')],
      ['the text contains a control character', GO_NOTE.replace('you think', 'you\tthink')],
    ])('rejects a note where %s', (_description, note) => {
      expect(openNote(note, GO_KEY_NAME, goRaw)).toBeNull();
    });

    it('rejects a note without any signature line', () => {
      expect(verifyNote(`${text}\n`, ORIGIN, PUBLIC_RAW)).toBeNull();
      expect(verifyNote(text, ORIGIN, PUBLIC_RAW)).toBeNull();
    });

    it('rejects a note containing a lone surrogate', () => {
      const note = `${text.replace(ORIGIN, `${ORIGIN}\ud800`)}\n${signatureLine}`;
      expect(verifyNote(note, ORIGIN, PUBLIC_RAW)).toBeNull();
    });

    const root = ROOT.toString('base64');
    it.each([
      ['the size has a leading zero', `${ORIGIN}\n02\n${root}\n`],
      ['the size is negative', `${ORIGIN}\n-2\n${root}\n`],
      ['the size has a plus sign', `${ORIGIN}\n+2\n${root}\n`],
      ['the size is fractional', `${ORIGIN}\n2.0\n${root}\n`],
      ['the size is hexadecimal', `${ORIGIN}\n0x2\n${root}\n`],
      ['the size has surrounding spaces', `${ORIGIN}\n 2\n${root}\n`],
      ['the size exceeds the largest safe integer', `${ORIGIN}\n9007199254740992\n${root}\n`],
      ['the root is not 32 bytes', `${ORIGIN}\n2\n${ROOT.subarray(1).toString('base64')}\n`],
      ['the root base64 has no padding', `${ORIGIN}\n2\n${root.replace(/=+$/, '')}\n`],
      [
        'the root base64 has non-canonical trailing bits',
        `${ORIGIN}\n2\n${withNonCanonicalTrailingBits(root)}\n`,
      ],
      ['the root is missing', `${ORIGIN}\n2\n`],
      ['the origin is empty', `\n2\n${root}\n`],
      ['an extension line is empty', `${ORIGIN}\n2\n${root}\n\next\n`],
      ['the text ends with an empty line', `${ORIGIN}\n2\n${root}\n\n`],
    ])('rejects a correctly signed checkpoint where %s', (_description, body) => {
      expect(openNote(noteWithBody(body), ORIGIN, PUBLIC_RAW)).toBe(body);
      expect(verifyNote(noteWithBody(body), ORIGIN, PUBLIC_RAW)).toBeNull();
    });

    it('relies on a root encoding that Node alone would decode leniently', () => {
      expect(Buffer.from(withNonCanonicalTrailingBits(root), 'base64')).toEqual(ROOT);
      expect(Buffer.from(root.replace(/=$/, ''), 'base64')).toEqual(ROOT);
    });

    it('accepts size zero with the empty root', () => {
      const body = `${ORIGIN}\n0\n${merkleTreeHash([]).toString('base64')}\n`;
      expect(parseCheckpointBody(body)?.treeSize).toBe(0);
    });
  });
});
