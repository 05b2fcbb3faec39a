import request from 'supertest';
import { JobRelay } from 'src/queue/job-relay.service';
import { Journey } from 'test/support/journey';
import { captureOutput } from 'test/support/log-capture';
import { SmtpSink } from 'test/support/smtp-sink';
import { TcpProxy } from 'test/support/tcp-proxy';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

interface MailRow {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
}

describe('an SMTP server that refuses, then disappears', () => {
  let smtp: SmtpSink;
  let proxy: TcpProxy;
  let t: TestApp;
  let journey: Journey;
  let admin: string;
  let log: { stop(): string };

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    const sinkUrl = new URL(smtp.url);
    proxy = await TcpProxy.start({ host: sinkUrl.hostname, port: Number(sinkUrl.port) });
    log = captureOutput();
    t = await startTestApp({ env: { SMTP_URL: proxy.rewrite(smtp.url), LOG_LEVEL: 'debug' } });
    admin = await t.keyFor('admin');
    journey = new Journey(t, smtp, await t.keyFor('hr_legal'));
  }, 60_000);
  afterAll(async () => {
    log.stop();
    await t.close();
    await proxy.stop();
    await smtp.stop();
  });

  const mailsTo = (personId: string) =>
    t.dataSource.query<MailRow[]>(
      'SELECT id, status, attempts, last_error, sent_at FROM mails WHERE person_id = $1 ORDER BY created_at',
      [personId],
    );

  /** Waits until the mail was tried `attempts` times, and returns when each try was seen. */
  async function watchAttempts(
    personId: string,
    attempts: number,
    timeoutMs: number,
  ): Promise<number[]> {
    const seenAt: number[] = [];
    await waitFor(
      async () => {
        await t.app.get(JobRelay).runOnce();
        const [mail] = await mailsTo(personId);
        while (mail && seenAt.length < mail.attempts) seenAt.push(Date.now());
        return seenAt.length >= attempts;
      },
      { timeoutMs, intervalMs: 100, what: `${attempts} attempts to send the mail` },
    );
    return seenAt;
  }

  it('retries a refused mail with growing delays, shows it waiting, and sends it once when the server accepts again', async () => {
    const person = await journey.person();
    smtp.refuseWith = `451 4.3.2 <${person.email}> try again later`;
    const consent = await journey.requestConsent(person.id);
    const seenAt = await watchAttempts(person.id, 3, 20_000);
    const gaps = seenAt.slice(1).map((at, index) => at - seenAt[index]);
    expect(gaps[1]).toBeGreaterThan(gaps[0]);

    const [waiting] = await mailsTo(person.id);
    expect(waiting).toMatchObject({ status: 'queued', sent_at: null });
    expect(waiting.last_error).toMatch(/451|try again/);
    const dossier = await journey.hr().get(`/v1/persons/${person.id}/dossier`).expect(200);
    expect(dossier.body.emails).toEqual([
      expect.objectContaining({ id: waiting.id, status: 'queued', sentAt: null }),
    ]);
    const queues = await request(t.http)
      .get('/v1/queues')
      .set('authorization', `Bearer ${admin}`)
      .expect(200);
    expect(JSON.stringify(queues.body)).toMatch(/"mail"/);

    smtp.refuseWith = undefined;
    const mail = await smtp.next(person.email, undefined, 30_000);
    expect(mail.text).toContain('/s/');
    // The server has the mail; the service records it as sent once the server's answer is back.
    await waitFor(async () => (await mailsTo(person.id))[0]?.status === 'sent', {
      timeoutMs: 10_000,
      what: 'the mail recorded as sent',
    });
    const [sent] = await mailsTo(person.id);
    expect(sent).toMatchObject({ status: 'sent', last_error: null });
    expect(sent.attempts).toBeGreaterThanOrEqual(4);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(smtp.received.filter((m) => m.to.includes(person.email))).toHaveLength(0);
    expect((await journey.hr().get(`/v1/consents/${consent.id}`).expect(200)).body.status).toBe(
      'pending',
    );
  }, 60_000);

  it('keeps a mail through a server that is gone (connection refused), and sends it once when it is back', async () => {
    const person = await journey.person();
    await proxy.refuse();
    await journey.requestConsent(person.id);
    await watchAttempts(person.id, 2, 20_000);
    const [waiting] = await mailsTo(person.id);
    expect(waiting).toMatchObject({ status: 'queued', sent_at: null });
    expect(waiting.last_error).toMatch(/ECONNREFUSED|connect/i);

    await proxy.restore();
    await smtp.next(person.email, undefined, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(smtp.received.filter((m) => m.to.includes(person.email))).toHaveLength(0);
    const [sent] = await mailsTo(person.id);
    expect(sent.status).toBe('sent');
  }, 60_000);

  it('logged no recipient address while refusing', () => {
    const text = log.stop();
    expect(text).toContain('"msg":"mail not sent"');
    expect(text).not.toMatch(/[\w.+-]+@example\.com/);
  });
});
