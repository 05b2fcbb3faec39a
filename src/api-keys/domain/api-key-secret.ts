import { hash, randomBytes } from 'node:crypto';

/** Recognisable prefix, so leaked keys are easy to spot by secret scanners. */
export const API_KEY_PREFIX = 'clk_';

export function hashApiKey(plaintext: string): Buffer {
  // One-shot: runs on every request whose key is not cached yet, and on every cache lookup.
  return hash('sha256', plaintext, 'buffer');
}

/** 256 random bits, shown once; only the SHA-256 is ever stored. */
export function newApiKey(): { plaintext: string; hash: Buffer } {
  const plaintext = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { plaintext, hash: hashApiKey(plaintext) };
}

export function looksLikeApiKey(candidate: string): boolean {
  return /^clk_[A-Za-z0-9_-]{43}$/.test(candidate);
}
