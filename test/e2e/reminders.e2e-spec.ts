import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import request from 'supertest';
import { ManualClock } from 'src/common/clock/clock';
import { MailSender } from 'src/mail/mail-sender.service';
import { JobRelay } from 'src/queue/job-relay.service';
import { QueueName } from 'src/queue/queue-names';
import { ExpiryDigestService } from 'src/reminders/expiry-digest.service';
import { RemindersService } from 'src/reminders/reminders.service';
import { DisposableRedis } from 'test/support/redis-server';
import { linkIn, SmtpSink } from 'test/support/smtp-sink';
import { createTestDatabase, TestDatabase } from 'test/support/test-database';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';
import { staleClearanceFacts } from 'test/support/clearance-facts';

const DAY = 86_400_000;
const SCAN = Buffer.from('%PDF-1.4\n%%EOF\n');

describe('reminders, expiry and renewal', () => {
  let redis: DisposableRedis;
  let smtp: SmtpSink;
  let database: TestDatabase;
  let clock: ManualClock;
  let t: TestApp;
  let hr: string;
  const start = new Date('2030-01-01T09:00:00Z');

  const boot = () =>
    startTestApp({
      clock,
      database,
      env: { REDIS_URL: redis.url, SMTP_URL: smtp.url, HR_NOTIFY_EMAILS: 'hr@example.com, legal@example.com', QUEUE_PREFIX: 'reminders' },
    });

  beforeAll(async () => {
    redis = await DisposableRedis.start();
    smtp = await SmtpSink.start();
    database = await createTestDatabase();
    clock = new ManualClock(start);
    t = await boot();
    hr = await t.keyFor('hr_legal');
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await redis.stop();
  });

  const api = () => ({
    get: (path: string) => request(t.http).get(path).set('authorization', `Bearer ${hr}`),
    post: (path: string, body?: object) => request(t.http).post(path).set('authorization', `Bearer ${hr}`).send(body),
  });
  const settle = async () => {
    await t.app.get(JobRelay).runOnce();
    await t.app.get(RemindersService).reconcile();
  };
  const notifications = async (consentId: string) =>
    (await api().get(`/v1/notifications?consentId=${consentId}`).expect(200)).body.items as { kind: string; offsetDays: number; status: string; dueAt: string }[];
  const mailsOfKind = async (kind: string, consentId?: string) =>
    Number((await t.dataSource.query(`SELECT count(*) AS n FROM mails WHERE kind = $1 AND ($2::uuid IS NULL OR consent_id = $2)`, [kind, consentId ?? null]))[0].n);

  /** Notification jobs in the queue (the queue also holds its two job schedulers). */
  const notificationJobs = async () =>
    (await t.app.get<Queue>(getQueueToken(QueueName.Notifications)).getJobs(['delayed', 'waiting', 'active']))
      .map((job) => job.id ?? '')
      .filter((id) => id.startsWith('notification-'))
      .sort();
  const RENEWAL = /renouvellement|renew/i;
  const EXPIRY = /a pris fin|ended/i;

  let people = 0;
  async function grantedConsent(months = 12): Promise<{ consentId: string; email: string; personId: string }> {
    people += 1;
    const email = `renew${people}@example.com`;
    const person = (await api().post('/v1/persons', { fullName: `Renée ${people}`, email }).expect(201)).body;
    const consent = (
      await api()
        .post('/v1/consents', {
          personId: person.id,
          purpose: 'Portraits for the annual report and the website',
          channels: ['website', 'print'],
          mediaTypes: ['photo'],
          validFrom: clock.now().toISOString(),
          validUntil: new Date(clock.now().getTime() + months * 30 * DAY).toISOString(),
        })
        .expect(201)
    ).body;
    await request(t.http)
      .post(`/v1/consents/${consent.id}/paper`)
      .set('authorization', `Bearer ${hr}`)
      .field('acceptedChannels', 'website')
      .attach('file', SCAN, { filename: 'form.pdf', contentType: 'application/pdf' })
      .expect(201);
    await t.app.get(JobRelay).runOnce();
    return { consentId: consent.id, email, personId: person.id };
  }

  it('schedules the configured reminders and the expiry in the grant', async () => {
    const { consentId } = await grantedConsent();
    const rows = await notifications(consentId);
    expect(rows.map((r) => [r.kind, r.offsetDays, r.status])).toEqual([
      ['reminder', 30, 'pending'],
      ['reminder', 7, 'pending'],
      ['expiry', 0, 'pending'],
    ]);
    await t.app.get(RemindersService).reconcile();
    expect(await notificationJobs()).toEqual([]);
  });

  it('asks for renewal once per reminder, reusing one renewal request, and a signed renewal supersedes at expiry with no gap', async () => {
    const { consentId, email } = await grantedConsent();
    const validUntil = new Date((await api().get(`/v1/consents/${consentId}`)).body.validUntil);

    clock.set(new Date(validUntil.getTime() - 30 * DAY + 60_000));
    await settle();
    const first = await smtp.next(email, RENEWAL, 20_000);
    expect(first.text).toContain('/s/');
    await waitFor(async () => (await notifications(consentId))[0].status === 'sent', { what: 'first reminder sent' });

    clock.set(new Date(validUntil.getTime() - 7 * DAY + 60_000));
    await settle();
    const second = await smtp.next(email, RENEWAL, 20_000);
    const renewals = await t.dataSource.query('SELECT id FROM consents WHERE previous_consent_id = $1', [consentId]);
    expect(renewals).toHaveLength(1);
    expect(await mailsOfKind('renewal-request', renewals[0].id)).toBe(2);

    const signPath = new URL(linkIn(second, '/s/')).pathname;
    const browser = request.agent(t.http);
    const page = await browser.get(signPath).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    await browser
      .post(`${signPath}/accept`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrf)}&channels=website&fullName=${encodeURIComponent(`Renée ${people}`)}&read=yes`)
      .expect(303);
    const renewal = (await api().get(`/v1/consents/${renewals[0].id}`).expect(200)).body;
    expect(renewal).toMatchObject({ status: 'granted', previousConsentId: consentId, validFrom: validUntil.toISOString() });

    clock.set(new Date(validUntil.getTime() + 60_000));
    await settle();
    await waitFor(async () => (await api().get(`/v1/consents/${consentId}`)).body.status === 'superseded', { what: 'superseded' });
    expect((await api().get(`/v1/consents/${consentId}`)).body.endedAt).toBe(validUntil.toISOString());
    expect(await mailsOfKind('expiry-notice', consentId)).toBe(0);
    clock.set(start);
  }, 60_000);

  it('expires a consent nobody renewed, tells the person, and a renewal signed later is simply a new consent', async () => {
    const { consentId, email } = await grantedConsent(1);
    const validUntil = new Date((await api().get(`/v1/consents/${consentId}`)).body.validUntil);
    clock.set(new Date(validUntil.getTime() + 1_000));
    expect((await api().get(`/v1/consents/${consentId}`)).body.status).toBe('expired');
    await settle();
    await waitFor(async () => (await t.dataSource.query('SELECT status FROM consents WHERE id = $1', [consentId]))[0].status === 'expired', { what: 'expired recorded' });
    await smtp.next(email, EXPIRY, 20_000);
    await waitFor(async () => (await mailsOfKind('expiry-notice', consentId)) === 1, { what: 'expiry notice' });
    const events = (await api().get(`/v1/consents/${consentId}`)).body.history.map((h: { action: string }) => h.action);
    expect(events).toContain('consent.expired');
    clock.set(start);
  }, 60_000);

  it('sends nothing after a withdrawal: pending notifications are cancelled', async () => {
    const { consentId } = await grantedConsent();
    await api().post(`/v1/consents/${consentId}/withdraw`, { reason: 'Letter', receivedVia: 'letter' }).expect(200);
    expect((await notifications(consentId)).map((n) => n.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  });

  it('puts every due notification back after FLUSHALL, none twice', async () => {
    const a = await grantedConsent();
    const b = await grantedConsent();
    const validUntil = new Date((await api().get(`/v1/consents/${a.consentId}`)).body.validUntil);
    clock.set(new Date(validUntil.getTime() - 31 * DAY));
    await t.app.get(RemindersService).reconcile();
    const before = await notificationJobs();
    expect(before.length).toBeGreaterThanOrEqual(2);

    const client = new Redis(redis.url);
    await client.flushall();
    client.disconnect();
    expect(await notificationJobs()).toEqual([]);
    await t.app.get(RemindersService).reconcile();
    await t.app.get(RemindersService).reconcile();
    expect(await notificationJobs()).toEqual(before);
    for (const { consentId } of [a, b]) expect((await notifications(consentId))[0].status).toBe('pending');
    clock.set(start);
  });

  it('sends reminders that fell due while the service was down exactly once, even with two instances reconciling', async () => {
    const { consentId, email } = await grantedConsent();
    const validUntil = new Date((await api().get(`/v1/consents/${consentId}`)).body.validUntil);
    await t.close({ keepDatabase: true });
    clock.set(new Date(validUntil.getTime() - 29 * DAY));
    t = await boot();
    const other = await boot();
    try {
      await Promise.all([t.app.get(RemindersService).reconcile(), other.app.get(RemindersService).reconcile()]);
      await smtp.next(email, RENEWAL, 20_000);
      await waitFor(async () => (await notifications(consentId))[0].status === 'sent', { what: 'reminder sent' });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const renewals = await t.dataSource.query('SELECT id FROM consents WHERE previous_consent_id = $1', [consentId]);
      expect(renewals).toHaveLength(1);
      expect(await mailsOfKind('renewal-request', renewals[0].id)).toBe(1);
      const reminded = await t.dataSource.query("SELECT count(*) AS n FROM audit_events WHERE action = 'reminder.sent' AND consent_id = $1", [consentId]);
      expect(Number(reminded[0].n)).toBe(1);
    } finally {
      await other.close({ keepDatabase: true });
      clock.set(start);
    }
  }, 90_000);

  it('sends HR one digest a day of consents expiring within 30 days', async () => {
    const { consentId } = await grantedConsent(1);
    const digest = t.app.get(ExpiryDigestService);
    expect(await digest.queueDigests()).toBe(2);
    expect(await digest.queueDigests()).toBe(0);
    await t.app.get(JobRelay).runOnce();
    const mail = await smtp.next('hr@example.com', /./, 20_000);
    expect(mail.text).toContain('Portraits for the annual report');
    expect(consentId).toBeTruthy();
  });

  it('shows an email that finally failed as failed, with its error, and retries it on demand', async () => {
    const { consentId } = await grantedConsent(1);
    const validUntil = new Date((await api().get(`/v1/consents/${consentId}`)).body.validUntil);
    clock.set(new Date(validUntil.getTime() + 1_000));
    smtp.refuseWith = 'mailbox unavailable';
    await t.app.get(RemindersService).deliver((await t.dataSource.query("SELECT id FROM notifications WHERE consent_id = $1 AND kind = 'expiry'", [consentId]))[0].id);
    const [{ id: mailId }] = await t.dataSource.query("SELECT id FROM mails WHERE consent_id = $1 AND kind = 'expiry-notice'", [consentId]);
    await expect(t.app.get(MailSender).send(mailId, true)).rejects.toThrow();
    const failed = (await api().get(`/v1/notifications?status=failed&consentId=${consentId}`).expect(200)).body.items;
    expect(failed).toHaveLength(1);
    expect(failed[0].lastError).toContain('mailbox unavailable');

    smtp.refuseWith = undefined;
    const retried = await api().post(`/v1/notifications/${failed[0].id}/retry`).expect(200);
    expect(retried.body.status).toBe('queued');
    await t.app.get(JobRelay).runOnce();
    await waitFor(async () => (await api().get(`/v1/notifications?consentId=${consentId}&status=sent`)).body.items.length === 1, { what: 'retried mail sent' });
    await api().post(`/v1/notifications/${failed[0].id}/retry`).expect(409);
    clock.set(start);
  }, 60_000);

  it('lets an admin watch the queues', async () => {
    const admin = await t.keyFor('admin');
    const res = await request(t.http).get('/v1/queues').set('authorization', `Bearer ${admin}`).expect(200);
    expect(res.body.backend).toBe('redis');
    expect(res.body.queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(['mail', 'notifications']));
    await request(t.http).get('/v1/queues').set('authorization', `Bearer ${hr}`).expect(403);
  });

  it('leaves every person\'s clearance facts as a recomputation from the consents gives them', async () => {
    const persons = await t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM persons');
    expect(Number(persons[0].n)).toBeGreaterThan(0);
    expect(await staleClearanceFacts(t.dataSource)).toEqual([]);
  });
});
