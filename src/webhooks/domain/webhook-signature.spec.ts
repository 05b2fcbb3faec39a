import { createHmac } from 'node:crypto';
import {
  newWebhookSecret,
  signWebhook,
  verifyWebhook,
} from 'src/webhooks/domain/webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"d-1","event":"asset.blocked"}';

  it('is the hex HMAC-SHA256 of "<timestamp>.<body>" under the whole secret, prefixed v1=', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signWebhook(secret, 1700000000, body)).toBe(`v1=${expected}`);
  });

  it('verifies its own signature within the tolerance, and nothing else', () => {
    const signature = signWebhook(secret, 1700000000, body);
    const ok = (sig: string | undefined, ts: string | undefined, b = body, now = 1700000100) =>
      verifyWebhook(secret, { signature: sig, timestamp: ts }, b, now);
    expect(ok(signature, '1700000000')).toBe(true);
    expect(ok(`v0=abc, ${signature}`, '1700000000')).toBe(true);
    expect(ok(signature, '1700000001')).toBe(false);
    expect(ok(signature, '1700000000', `${body} `)).toBe(false);
    expect(ok(signature, '1700000000', body, 1700000000 + 301)).toBe(false);
    expect(ok(undefined, '1700000000')).toBe(false);
    expect(ok(signature, 'yesterday')).toBe(false);
    expect(
      verifyWebhook('whsec_other', { signature, timestamp: '1700000000' }, body, 1700000000),
    ).toBe(false);
  });

  it('issues distinct 256-bit secrets', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
