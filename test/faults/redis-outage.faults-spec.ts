import request from 'supertest';
import { ManualClock } from 'src/common/clock/clock';
import { JobRelay } from 'src/queue/job-relay.service';
import { RemindersService } from 'src/reminders/reminders.service';
import { AssetFixtures } from 'test/support/asset-fixtures';
import { csrfOf, Journey } from 'test/support/journey';
import { DisposableRedis } from 'test/support/redis-server';
import { SmtpSink } from 'test/support/smtp-sink';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';
import { WebhookReceiver } from 'test/support/webhook-receiver';

const DAY = 86_400_000;
/** With Redis gone, no request may wait on it: each answers well within this. */
const ANSWER_WITHIN_MS = 3_000;

describe('a Redis outage in the middle of the day', () => {
  let redis: DisposableRedis;
  let smtp: SmtpSink;
  let receiver: WebhookReceiver;
  let t: TestApp;
  let journey: Journey;
  let fixtures: AssetFixtures;
  let admin: string;
  const clock = new ManualClock(new Date());
  let redisDown = false;

  beforeAll(async () => {
    redis = await DisposableRedis.start();
    smtp = await SmtpSink.start();
    receiver = await WebhookReceiver.start();
    t = await startTestApp({
      clock,
      env: {
        REDIS_URL: redis.url,
        SMTP_URL: smtp.url,
        WEBHOOK_ALLOW_PRIVATE: 'true',
        REMINDER_OFFSETS_DAYS: '30',
      },
    });
    admin = await t.keyFor('admin');
    const hr = await t.keyFor('hr_legal');
    journey = new Journey(t, smtp, hr);
    fixtures = new AssetFixtures(t, { hr, marketing: await t.keyFor('marketing') });
  }, 60_000);
  afterAll(async () => {
    // Closing waits for the queue workers, which wait for Redis: bring it back if a failure left it down.
    if (redisDown) await redis.start();
    await t.close();
    await redis.stop();
    await smtp.stop();
    await receiver.stop();
  });

  const unfinishedJobs = async () =>
    Number(
      (
        await t.dataSource.query<{ n: string }[]>(
          'SELECT count(*) AS n FROM queued_jobs WHERE done_at IS NULL AND run_at <= $1',
          [clock.now()],
        )
      )[0].n,
    );

  async function timed<T>(label: string, work: () => Promise<T>, slow: string[]): Promise<T> {
    const started = Date.now();
    const result = await work();
    const elapsed = Date.now() - started;
    if (elapsed > ANSWER_WITHIN_MS) slow.push(`${label} took ${elapsed} ms`);
    return result;
  }

  it('keeps requesting, signing, declining, withdrawing, clearance and publications working, and delivers the waiting work exactly once after', async () => {
    await fixtures
      .as(admin)
      .post('/v1/webhooks', {
        url: receiver.url,
        events: ['consent.granted', 'consent.withdrawn', 'asset.blocked', 'asset.unblocked'],
      })
      .expect(201);
    const signer = await journey.person();
    await journey.requestConsent(signer.id, ['website', 'linkedin']);
    const signPath = await journey.linkFromMail(signer.email, '/s/');
    const decliner = await journey.person();
    const declined = await journey.requestConsent(decliner.id);
    const declinePath = await journey.linkFromMail(decliner.email, '/s/');
    const withdrawer = await journey.grantedConsent(['website', 'linkedin']);
    await journey.linkFromMail(withdrawer.person.email, '/m/');
    const reminded = await fixtures.person();
    const remindedConsent = await fixtures.granted(reminded, {
      validUntil: new Date(clock.now().getTime() + 40 * DAY),
    });
    const signerAsset = await fixtures.asset([signer.id]);
    const withdrawerAsset = await fixtures.asset([withdrawer.person.id]);
    await waitFor(
      async () => (await t.app.get(JobRelay).runOnce()) && (await unfinishedJobs()) === 0,
      { timeoutMs: 30_000, what: 'work before the outage done' },
    );
    smtp.received.splice(0);
    receiver.received.splice(0);
    clock.advance(60_000);
    const outageStart = clock.now();

    await redis.stop();
    redisDown = true;
    const slow: string[] = [];
    const newcomer = await timed('registering a person', () => journey.person(), slow);
    const asked = await timed(
      'requesting a consent',
      () => journey.requestConsent(newcomer.id),
      slow,
    );
    expect(asked.status).toBe('pending');

    const signed = await timed(
      'signing from the emailed link',
      () => journey.sign(signPath, signer, ['website']),
      slow,
    );
    const browser = request.agent(t.http);
    const declinePage = await timed(
      'opening a sign link',
      () => browser.get(declinePath).expect(200),
      slow,
    );
    await timed(
      'declining',
      () =>
        browser
          .post(`${declinePath}/decline`)
          .type('form')
          .send(`_csrf=${encodeURIComponent(csrfOf(declinePage.text))}`)
          .expect(200),
      slow,
    );
    expect(
      await timed(
        'withdrawing from the manage link',
        () => journey.withdrawAsPerson(withdrawer.managePath, withdrawer.consentId),
        slow,
      ),
    ).toBe(303);
    await timed(
      'HR recording a withdrawal by letter',
      () => fixtures.withdraw(remindedConsent, ['print']),
      slow,
    );
    const me = await browser.get('/me').expect(200);
    await timed(
      'asking for a manage link',
      () =>
        browser
          .post('/me')
          .type('form')
          .send(
            `_csrf=${encodeURIComponent(csrfOf(me.text))}&email=${encodeURIComponent(signer.email)}`,
          )
          .expect(200),
      slow,
    );

    const cleared = await timed(
      'clearance of one asset',
      () => fixtures.clearance(signerAsset, 'website'),
      slow,
    );
    expect(cleared.allowed).toBe(true);
    const batch = await timed(
      'clearance of a batch',
      () =>
        fixtures.marketing
          .post('/v1/clearance', { channel: 'website', assetIds: [signerAsset, withdrawerAsset] })
          .expect(200),
      slow,
    );
    expect(JSON.stringify(batch.body)).toContain(withdrawerAsset);
    expect((await fixtures.clearance(withdrawerAsset, 'website')).allowed).toBe(false);
    await timed(
      'recording a publication',
      () =>
        fixtures.marketing
          .post(`/v1/assets/${signerAsset}/publications`, {
            channel: 'website',
            location: 'https://example.com/team',
          })
          .expect(201),
      slow,
    );
    const refused = await timed(
      'refusing a publication',
      () =>
        fixtures.marketing.post(`/v1/assets/${withdrawerAsset}/publications`, {
          channel: 'website',
          location: 'https://example.com/x',
        }),
      slow,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('ASSET_NOT_CLEARED');

    clock.advance(11 * DAY);
    await expect(t.app.get(RemindersService).reconcile()).rejects.toThrow();
    const health = await timed('health', () => request(t.http).get('/health'), slow);
    expect(health.status).toBe(503);
    expect(health.body.details.error.queue).toMatchObject({ status: 'down', backend: 'redis' });
    await t.app.get(JobRelay).runOnce();
    expect(slow).toEqual([]);

    // Everything waits in PostgreSQL, nothing went out.
    const waiting = await t.dataSource.query<{ kind: string; status: string }[]>(
      'SELECT kind, status FROM mails WHERE created_at >= $1',
      [outageStart],
    );
    expect(waiting.map((mail) => mail.kind).sort()).toEqual([
      'declined',
      'granted',
      'manage-link',
      'sign-request',
      'withdrawn',
      'withdrawn',
    ]);
    expect(waiting.every((mail) => mail.status === 'queued')).toBe(true);
    expect(await unfinishedJobs()).toBeGreaterThanOrEqual(waiting.length);
    const deliveries = Number(
      (
        await t.dataSource.query<{ n: string }[]>(
          'SELECT count(*) AS n FROM webhook_deliveries WHERE created_at >= $1',
          [outageStart],
        )
      )[0].n,
    );
    expect(deliveries).toBeGreaterThanOrEqual(3);
    const reminder = await t.dataSource.query<{ status: string }[]>(
      "SELECT status FROM notifications WHERE consent_id = $1 AND kind = 'reminder'",
      [remindedConsent],
    );
    expect(reminder.map((n) => n.status)).toEqual(['pending']);
    expect(smtp.received).toHaveLength(0);
    expect(receiver.received).toHaveLength(0);

    await redis.start();
    redisDown = false;
    // The reconcile timer's next run, without waiting RECONCILE_EVERY_MINUTES for it.
    await waitFor(
      () =>
        t.app
          .get(RemindersService)
          .reconcile()
          .then(
            () => true,
            () => false,
          ),
      { timeoutMs: 30_000, what: 'reconcile after Redis returned' },
    );
    await waitFor(
      async () => {
        await t.app.get(JobRelay).runOnce();
        const [pending] = await t.dataSource.query<
          { mails: string; hooks: string; reminders: string }[]
        >(
          `SELECT (SELECT count(*) FROM mails WHERE status <> 'sent') AS mails,
                  (SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NULL) AS hooks,
                  (SELECT count(*) FROM notifications WHERE consent_id = $1 AND kind = 'reminder' AND status = 'pending') AS reminders`,
          [remindedConsent],
        );
        return (
          Number(pending.mails) + Number(pending.hooks) + Number(pending.reminders) === 0 &&
          (await unfinishedJobs()) === 0
        );
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: 'mails, webhooks and the reminder delivered after Redis returned',
      },
    );
    // A duplicate would arrive after the first copy: give one the time to show up.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const sent = await t.dataSource.query<{ sent_to: string; n: string }[]>(
      'SELECT sent_to, count(*) AS n FROM mails WHERE created_at >= $1 GROUP BY sent_to',
      [outageStart],
    );
    const receivedBy = (address: string) =>
      smtp.received.filter((mail) => mail.to.includes(address)).length;
    expect(Object.fromEntries(sent.map((row) => [row.sent_to, receivedBy(row.sent_to)]))).toEqual(
      Object.fromEntries(sent.map((row) => [row.sent_to, Number(row.n)])),
    );
    expect(smtp.received).toHaveLength(sent.reduce((total, row) => total + Number(row.n), 0));
    const hookIds = receiver.received.map((hook) => hook.id);
    expect(new Set(hookIds).size).toBe(hookIds.length);
    const deliveredHooks = Number(
      (
        await t.dataSource.query<{ n: string }[]>(
          'SELECT count(*) AS n FROM webhook_deliveries WHERE created_at >= $1',
          [outageStart],
        )
      )[0].n,
    );
    expect(hookIds).toHaveLength(deliveredHooks);
    const reminderSent = await t.dataSource.query<{ n: string }[]>(
      "SELECT count(*) AS n FROM audit_events WHERE action = 'reminder.sent' AND consent_id = $1",
      [remindedConsent],
    );
    expect(Number(reminderSent[0].n)).toBe(1);
    expect(
      (await journey.hr().get(`/v1/consents/${signed.consentId}`).expect(200)).body.status,
    ).toBe('granted');
    expect((await journey.hr().get(`/v1/consents/${declined.id}`).expect(200)).body.status).toBe(
      'refused',
    );
    await waitFor(async () => (await request(t.http).get('/health')).status === 200, {
      timeoutMs: 15_000,
      what: 'health back to 200',
    });
  }, 150_000);
});
