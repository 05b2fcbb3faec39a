import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { verifyNote } from 'src/audit/domain/checkpoint';
import { checkpointTime, signCheckpoint } from 'src/audit/domain/checkpoint-note';
import { generateSigningKeyPem, parseSigningKey } from 'src/audit/domain/signing-key';
import { rawEd25519PublicKey } from 'src/audit/domain/checkpoint';

describe('checkpoint signing key', () => {
  it('reads a PKCS#8 PEM, also with literal \\n as environment files carry it', () => {
    const pem = generateSigningKeyPem();
    const key = parseSigningKey(pem);
    expect(key.asymmetricKeyType).toBe('ed25519');
    expect(
      rawEd25519PublicKey(parseSigningKey(pem.replace(/\n/g, '\\n'))).equals(
        rawEd25519PublicKey(key),
      ),
    ).toBe(true);
  });

  it('reads the base64 of a 32-byte seed as the same key as its PEM', () => {
    const pem = generateSigningKeyPem();
    const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
    const seed = der.subarray(der.length - 32).toString('base64');
    expect(
      rawEd25519PublicKey(parseSigningKey(seed)).equals(rawEd25519PublicKey(parseSigningKey(pem))),
    ).toBe(true);
  });

  it('refuses keys that are not Ed25519 or not 32 bytes', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(() => parseSigningKey(rsa)).toThrow(/Ed25519/);
    expect(() => parseSigningKey(Buffer.alloc(31).toString('base64'))).toThrow(/32-byte/);
    expect(() => parseSigningKey('not a key at all')).toThrow();
  });

  it('signs checkpoints that verify and state their time', () => {
    const key = parseSigningKey(generateSigningKeyPem());
    const time = new Date('2026-05-04T03:02:01.000Z');
    const note = signCheckpoint(
      { origin: 'example.com/log', treeSize: 7, rootHash: Buffer.alloc(32, 9), time },
      'example.com/log',
      key,
    );
    expect(note.split('\n').slice(0, 4)).toEqual([
      'example.com/log',
      '7',
      Buffer.alloc(32, 9).toString('base64'),
      'time 2026-05-04T03:02:01.000Z',
    ]);
    const checkpoint = verifyNote(note, 'example.com/log', rawEd25519PublicKey(key));
    expect(checkpoint?.treeSize).toBe(7);
    expect(checkpointTime(checkpoint!)).toEqual(time);
  });
});
