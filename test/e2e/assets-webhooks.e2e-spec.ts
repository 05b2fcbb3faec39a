import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ManualClock } from 'src/common/clock/clock';
import { AssetFixtures } from 'test/support/asset-fixtures';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver that answers 500 to the first two attempts of every delivery, then 200. */
class FlakyReceiver {
  readonly received: Received[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.received.push(entry);
        const seen = this.received.filter(
          (r) => r.headers['webhook-id'] === entry.headers['webhook-id'],
        ).length;
        res.statusCode = seen <= 2 ? 500 : 200;
        res.end(seen <= 2 ? 'try again later' : 'ok');
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/consent`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** What a receiver does, written from docs/webhooks.md and not from the service's code. */
function verify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const timestamp = String(headers['webhook-timestamp']);
  const expected = Buffer.from(
    `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
  );
  const given = Buffer.from(String(headers['webhook-signature']));
  return (
    given.length === expected.length &&
    timingSafeEqual(given, expected) &&
    Math.abs(Date.now() / 1000 - Number(timestamp)) < 300
  );
}

describe('webhooks', () => {
  let t: TestApp;
  let f: AssetFixtures;
  let admin: string;
  const receiver = new FlakyReceiver();
  let url: string;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    url = await receiver.start();
    t = await startTestApp({ clock, env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
    admin = await t.keyFor('admin');
    f = new AssetFixtures(t, {
      hr: await t.keyFor('hr_legal'),
      marketing: await t.keyFor('marketing'),
    });
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it('signs every delivery, writes it with the event, and retries it after the receiver answers 500 twice', async () => {
    const created = await f
      .as(admin)
      .post('/v1/webhooks', {
        url,
        events: [
          'asset.blocked',
          'asset.unblocked',
          'consent.withdrawn',
          'consent.expired',
          'consent.granted',
          'takedown.opened',
        ],
      })
      .expect(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const listed = await f.as(admin).get('/v1/webhooks').expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    const person = await f.person();
    const consent = await f.granted(person);
    const asset = await f.asset([person]);
    await f.marketing
      .post(`/v1/assets/${asset}/publications`, {
        channel: 'linkedin',
        location: 'https://linkedin.example/1',
      })
      .expect(201);
    clock.advance(60_000);
    await f.withdraw(consent, ['linkedin']);
    const written = await t.dataSource.query<{ event: string; payload: Record<string, unknown> }[]>(
      'SELECT event, payload FROM webhook_deliveries ORDER BY created_at, event',
    );
    expect(written.map((d) => d.event).sort()).toEqual([
      'asset.blocked',
      'consent.granted',
      'consent.withdrawn',
      'takedown.opened',
    ]);
    expect(written.find((d) => d.event === 'asset.blocked')?.payload).toMatchObject({
      assetId: asset,
      channels: ['linkedin'],
    });

    const deliveries = await waitFor(
      async () => {
        const res = await f.as(admin).get(`/v1/webhooks/${created.body.id}/deliveries`).expect(200);
        const items = res.body.items as {
          id: string;
          status: string;
          attempts: number;
          event: string;
          lastStatusCode: number | null;
        }[];
        return items.length === 4 && items.every((d) => d.status === 'delivered')
          ? items
          : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 250, what: 'every delivery delivered' },
    );
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ attempts: 3, lastStatusCode: 200 });
      const attempts = receiver.received.filter((r) => r.headers['webhook-id'] === delivery.id);
      expect(attempts).toHaveLength(3);
      for (const attempt of attempts) {
        expect(verify(secret, attempt.headers, attempt.body)).toBe(true);
        expect(verify(secret, attempt.headers, `${attempt.body} `)).toBe(false);
        expect(attempt.body).toBe(attempts[0].body);
        expect(JSON.parse(attempt.body)).toMatchObject({ id: delivery.id, event: delivery.event });
      }
    }
    const takedown = receiver.received
      .map((r) => JSON.parse(r.body))
      .find((b) => b.event === 'takedown.opened');
    expect(takedown.data).toMatchObject({ assetId: asset, channel: 'linkedin' });
  }, 60_000);

  it('records the failure of a receiver that cannot be reached and keeps retrying', async () => {
    const created = await f
      .as(admin)
      .post('/v1/webhooks', { url: 'http://127.0.0.1:9/unreachable', events: ['consent.granted'] })
      .expect(201);
    const person = await f.person();
    await f.granted(person);
    const delivery = await waitFor(
      async () => {
        const items = (
          await f.as(admin).get(`/v1/webhooks/${created.body.id}/deliveries`).expect(200)
        ).body.items as {
          status: string;
          attempts: number;
          lastError: string | null;
          nextAttemptAt: string | null;
        }[];
        return items[0]?.attempts >= 1 ? items[0] : undefined;
      },
      { timeoutMs: 20_000, what: 'a failed attempt' },
    );
    expect(delivery).toMatchObject({
      status: 'pending',
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(delivery.nextAttemptAt).toEqual(expect.any(String));
    await f.as(admin).delete(`/v1/webhooks/${created.body.id}`).expect(200);
    await f.as(admin).delete(`/v1/webhooks/${created.body.id}`).expect(409);
    await f
      .as(admin)
      .get('/v1/webhooks/5f0c1f4e-8a55-4c53-9d49-0a0d1ad0c020/deliveries')
      .expect(404);
  });
});
