import { hashApiKey, looksLikeApiKey, newApiKey } from 'src/api-keys/domain/api-key-secret';

describe('API key secrets', () => {
  it('makes a 256-bit key whose stored form is its SHA-256', () => {
    const { plaintext, hash } = newApiKey();
    expect(looksLikeApiKey(plaintext)).toBe(true);
    expect(Buffer.from(plaintext.slice(4), 'base64url')).toHaveLength(32);
    expect(hash.equals(hashApiKey(plaintext))).toBe(true);
    expect(hash).toHaveLength(32);
  });

  it('never makes the same key twice', () => {
    const keys = new Set(Array.from({ length: 100 }, () => newApiKey().plaintext));
    expect(keys.size).toBe(100);
  });

  it('rejects strings that are not keys', () => {
    expect(looksLikeApiKey('clk_short')).toBe(false);
    expect(looksLikeApiKey(`xxx_${'a'.repeat(43)}`)).toBe(false);
  });
});
