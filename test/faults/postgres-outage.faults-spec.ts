import request from 'supertest';
import type { Response } from 'supertest';
import { errorShapeProblems } from 'test/support/error-shape';
import { csrfOf, Journey } from 'test/support/journey';
import { SmtpSink } from 'test/support/smtp-sink';
import { TcpProxy } from 'test/support/tcp-proxy';
import { createTestDatabase } from 'test/support/test-database';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

/** A server that is gone is noticed at once; a silent network within a few seconds (see WatchedPgClient). */
const REFUSED_ANSWER_WITHIN_MS = 2_000;
const SILENT_ANSWER_WITHIN_MS = 9_000;

describe('a PostgreSQL outage', () => {
  let smtp: SmtpSink;
  let proxy: TcpProxy;
  let t: TestApp;
  let journey: Journey;
  let hr: string;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    const database = await createTestDatabase();
    const direct = new URL(database.url);
    proxy = await TcpProxy.start({ host: direct.hostname, port: Number(direct.port || 5432) });
    t = await startTestApp({
      database,
      env: { SMTP_URL: smtp.url, DATABASE_URL: proxy.rewrite(database.url) },
    });
    hr = await t.keyFor('hr_legal');
    journey = new Journey(t, smtp, hr);
  }, 60_000);
  afterAll(async () => {
    await proxy.restore();
    await t.close();
    await proxy.stop();
    await smtp.stop();
  });

  /** The requests of a working day, each as its own fresh call. */
  async function workingDay(
    signPath: string,
    managePath: string,
  ): Promise<Record<string, () => Promise<Response>>> {
    const browser = request.agent(t.http);
    const csrf = encodeURIComponent(csrfOf((await browser.get('/me').expect(200)).text));
    const person = await journey.person();
    const auth = `Bearer ${hr}`;
    return {
      'list persons': () => request(t.http).get('/v1/persons').set('authorization', auth),
      'register a person': () =>
        request(t.http)
          .post('/v1/persons')
          .set('authorization', auth)
          .send({ fullName: 'Ida Outage', email: `ida.${Date.now()}@example.com` }),
      'request a consent': () =>
        request(t.http)
          .post('/v1/consents')
          .set('authorization', auth)
          .send({
            personId: person.id,
            purpose: 'Portraits of the team for the careers page',
            channels: ['website'],
            mediaTypes: ['photo'],
            validFrom: new Date().toISOString(),
            validUntil: new Date(Date.now() + 100 * 86_400_000).toISOString(),
          }),
      'open a sign link': () => request(t.http).get(signPath),
      sign: () =>
        browser
          .post(`${signPath}/accept`)
          .type('form')
          .send(`_csrf=${csrf}&channels=website&fullName=x&read=yes`),
      'open a manage link': () => request(t.http).get(managePath),
      'ask for a manage link': () =>
        browser.post('/me').type('form').send(`_csrf=${csrf}&email=someone@example.com`),
      'check clearance': () =>
        request(t.http)
          .post('/v1/clearance')
          .set('authorization', auth)
          .send({ channel: 'website', assetIds: [person.id] }),
    };
  }

  async function duringOutage(
    calls: Record<string, () => Promise<Response>>,
    withinMs: number,
  ): Promise<string[]> {
    const problems: string[] = [];
    await Promise.all(
      Object.entries(calls).map(async ([label, call]) => {
        const started = Date.now();
        const response = await call();
        const elapsed = Date.now() - started;
        if (elapsed > withinMs) problems.push(`${label}: answered after ${elapsed} ms`);
        if (response.status !== 503)
          problems.push(`${label}: ${response.status} ${response.text.slice(0, 200)}`);
        else
          problems.push(
            ...errorShapeProblems(503, response.headers['content-type'], response.text).map(
              (p) => `${label}: ${p}`,
            ),
          );
        if (response.status === 503 && response.body.code !== 'SERVICE_UNAVAILABLE')
          problems.push(`${label}: code ${response.body.code}`);
      }),
    );
    const health = await request(t.http).get('/health');
    if (health.status !== 503) problems.push(`health: ${health.status}`);
    return problems;
  }

  async function recovers(): Promise<void> {
    await waitFor(
      async () =>
        (await request(t.http).get('/v1/persons').set('authorization', `Bearer ${hr}`)).status ===
        200,
      {
        timeoutMs: 20_000,
        what: 'the API answering again',
      },
    );
    await waitFor(async () => (await request(t.http).get('/health')).status === 200, {
      timeoutMs: 20_000,
      what: 'health 200',
    });
  }

  it('answers 503 in the error shape at once while the server is gone, and recovers when it is back', async () => {
    const pending = await journey.person();
    await journey.requestConsent(pending.id);
    const signPath = await journey.linkFromMail(pending.email, '/s/');
    const granted = await journey.grantedConsent();
    const calls = await workingDay(signPath, granted.managePath);

    await proxy.refuse();
    expect(await duringOutage(calls, REFUSED_ANSWER_WITHIN_MS)).toEqual([]);
    await proxy.restore();
    await recovers();
    await journey.sign(signPath, pending, ['website']);
    expect(await journey.withdrawAsPerson(granted.managePath, granted.consentId)).toBe(303);
  }, 60_000);

  it('answers 503 within seconds when the network to the server goes silent, and recovers when it heals', async () => {
    const pending = await journey.person();
    await journey.requestConsent(pending.id);
    const signPath = await journey.linkFromMail(pending.email, '/s/');
    const granted = await journey.grantedConsent();
    const calls = await workingDay(signPath, granted.managePath);

    await proxy.stall();
    expect(await duringOutage(calls, SILENT_ANSWER_WITHIN_MS)).toEqual([]);
    await proxy.restore();
    await recovers();
    await journey.sign(signPath, pending, ['website']);
  }, 90_000);

  it('never leaves a grant half-written when the connection dies inside its transaction', async () => {
    const EVIDENCE_INSERT = /INSERT INTO "evidence_documents"/;
    const cuts = [
      {
        label: 'before the evidence is written',
        trap: () => proxy.cutOn(EVIDENCE_INSERT),
        committed: false,
      },
      {
        label: 'before COMMIT',
        trap: () => proxy.cutOn(/COMMIT/, { after: EVIDENCE_INSERT }),
        committed: false,
      },
      {
        label: 'after COMMIT, before its answer',
        trap: () => proxy.cutOn(/COMMIT/, { after: EVIDENCE_INSERT, deliver: true }),
        committed: true,
      },
    ];
    for (const cut of cuts) {
      const person = await journey.person();
      const consent = await journey.requestConsent(person.id);
      const signPath = await journey.linkFromMail(person.email, '/s/');
      const browser = request.agent(t.http);
      const page = await browser.get(signPath).expect(200);
      const sprung = cut.trap();
      const form = `_csrf=${encodeURIComponent(csrfOf(page.text))}&channels=website&fullName=${encodeURIComponent(person.fullName)}&read=yes`;
      const answer = await browser.post(`${signPath}/accept`).type('form').send(form);
      await sprung;
      expect([cut.label, answer.status, answer.body.code]).toEqual([
        cut.label,
        503,
        'SERVICE_UNAVAILABLE',
      ]);

      const stored = await journey.hr().get(`/v1/consents/${consent.id}`).expect(200);
      const facts = await grantFacts(consent.id);
      if (cut.committed) {
        expect([cut.label, stored.body.status, facts]).toEqual([
          cut.label,
          'granted',
          { grantedEvents: 1, evidence: 1, decisions: 2 },
        ]);
        expect([409, 410]).toContain(
          (await browser.post(`${signPath}/accept`).type('form').send(form)).status,
        );
      } else {
        expect([cut.label, stored.body.status, facts]).toEqual([
          cut.label,
          'pending',
          { grantedEvents: 0, evidence: 0, decisions: 0 },
        ]);
        await journey.sign(signPath, person, ['website']);
        expect(await grantFacts(consent.id)).toEqual({
          grantedEvents: 1,
          evidence: 1,
          decisions: 2,
        });
      }
    }

    const halfWritten = await t.dataSource.query<{ id: string; status: string }[]>(`
      SELECT c.id, c.status FROM consents c
       WHERE (c.answered_at IS NOT NULL AND c.status NOT IN ('refused', 'lapsed')) <>
             EXISTS (SELECT 1 FROM audit_events e WHERE e.consent_id = c.id AND e.action = 'consent.granted')
          OR (c.answered_at IS NOT NULL AND c.status NOT IN ('refused', 'lapsed')) <>
             EXISTS (SELECT 1 FROM evidence_documents d WHERE d.consent_id = c.id AND d.kind <> 'withdrawal')
          OR (c.answered_at IS NULL) = EXISTS (SELECT 1 FROM consent_channels d WHERE d.consent_id = c.id)`);
    expect(halfWritten).toEqual([]);
    const verified = await journey.hr().get('/v1/audit/verify').expect(200);
    expect(verified.body.ok).toBe(true);
  }, 60_000);

  async function grantFacts(
    consentId: string,
  ): Promise<{ grantedEvents: number; evidence: number; decisions: number }> {
    const [row] = await t.dataSource.query<
      { granted_events: string; evidence: string; decisions: string }[]
    >(
      `SELECT (SELECT count(*) FROM audit_events WHERE consent_id = $1 AND action = 'consent.granted') AS granted_events,
              (SELECT count(*) FROM evidence_documents WHERE consent_id = $1 AND kind <> 'withdrawal') AS evidence,
              (SELECT count(*) FROM consent_channels WHERE consent_id = $1) AS decisions`,
      [consentId],
    );
    return {
      grantedEvents: Number(row.granted_events),
      evidence: Number(row.evidence),
      decisions: Number(row.decisions),
    };
  }
});
