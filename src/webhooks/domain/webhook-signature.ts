import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const SIGNATURE_VERSION = 'v1';

/** 256 random bits; the whole string (prefix included) is the HMAC key. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, the Webhook-Signature header. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `${SIGNATURE_VERSION}=${mac}`;
}

/**
 * What a receiver does: recompute the signature over the raw body and compare in constant time,
 * refusing timestamps further than `toleranceSeconds` from its clock (replays).
 */
export function verifyWebhook(
  secret: string,
  header: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!header.signature || !header.timestamp || !/^\d{1,12}$/.test(header.timestamp)) return false;
  const timestamp = Number(header.timestamp);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  return header.signature
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((candidate) => {
      const given = Buffer.from(candidate);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
