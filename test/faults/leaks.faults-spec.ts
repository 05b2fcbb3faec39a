import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { JobRelay } from 'src/queue/job-relay.service';
import { captureOutput } from 'test/support/log-capture';
import { errorShapeProblems } from 'test/support/error-shape';
import { csrfOf, Journey } from 'test/support/journey';
import { linkIn, SmtpSink } from 'test/support/smtp-sink';
import { startTestApp, TestApp } from 'test/support/test-app';

const run = promisify(execFile);

/** What must never be written down in the clear: in logs, or (secrets) in the database. */
interface Secrets {
  apiKeys: string[];
  linkTokens: string[];
  emails: string[];
  names: string[];
  webhookSecrets: string[];
}

describe('nothing leaks: logs of a full journey and the database at rest', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let log = '';
  let failureErrorId = '';
  const secrets: Secrets = {
    apiKeys: [],
    linkTokens: [],
    emails: [],
    names: [],
    webhookSecrets: [],
  };

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    const capture = captureOutput();
    try {
      t = await startTestApp({ env: { SMTP_URL: smtp.url, LOG_LEVEL: 'debug' } });
      failureErrorId = await fullJourney(t, smtp, secrets);
    } finally {
      log = capture.stop();
    }
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('captured the logs of the journey (requests, link pages, the unexpected error)', () => {
    expect(log).toContain('"path":"/v1/persons"');
    expect(log).toContain('/s/:redacted');
    expect(log).toContain(failureErrorId);
    expect(secrets.linkTokens.length).toBeGreaterThanOrEqual(4);
    expect(secrets.apiKeys.length).toBeGreaterThanOrEqual(4);
    expect(secrets.webhookSecrets).toEqual([expect.stringMatching(/^whsec_/)]);
  });

  it('logs no email address, name, link token, API key or webhook secret', () => {
    const found = [
      ...secrets.emails
        .filter((email) => log.toLowerCase().includes(email.toLowerCase()))
        .map((email) => `email ${email}`),
      ...secrets.names.filter((name) => log.includes(name)).map((name) => `name ${name}`),
      ...secrets.linkTokens
        .filter((token) => log.includes(token))
        .map((token) => `link token ${token.slice(0, 6)}…`),
      ...secrets.apiKeys
        .filter((key) => log.includes(key))
        .map((key) => `API key ${key.slice(0, 8)}…`),
      ...secrets.webhookSecrets
        .filter((secret) => log.includes(secret))
        .map((secret) => `webhook secret ${secret.slice(0, 8)}…`),
      ...(log.match(/clk_[A-Za-z0-9_-]{43}/g) ?? []).map(
        (key) => `something shaped like an API key ${key.slice(0, 8)}…`,
      ),
      ...(log.match(/\/[sm]\/[A-Za-z0-9_-]{43}/g) ?? []).map(
        (path) => `a link path ${path.slice(0, 8)}…`,
      ),
    ];
    expect(found).toEqual([]);
  });

  it('keeps API keys and link tokens only as hashes in the database', async () => {
    const { stdout: dump } = await run(
      'pg_dump',
      ['--no-owner', '--no-privileges', t.database.url],
      { maxBuffer: 512 * 1024 * 1024 },
    );
    expect(dump).toContain('COPY public.link_tokens');
    expect(dump).toContain('COPY public.api_keys');
    const inDump = (secret: string) =>
      dump.includes(secret) || dump.includes(Buffer.from(secret).toString('hex'));
    const found = [...secrets.apiKeys, ...secrets.linkTokens]
      .filter(inDump)
      .map((secret) => `${secret.slice(0, 8)}…`);
    expect(found).toEqual([]);
  });
});

/**
 * HR registers people, asks, people sign, decline, ask for their link, withdraw; HR reads, exports,
 * gets errors wrong. Returns the errorId of a deliberately unexpected database failure.
 */
async function fullJourney(t: TestApp, smtp: SmtpSink, secrets: Secrets): Promise<string> {
  const admin = await t.keyFor('admin');
  const created = await request(t.http)
    .post('/v1/api-keys')
    .set('authorization', `Bearer ${admin}`)
    .send({ name: 'Legal team', role: 'hr_legal' })
    .expect(201);
  const hr = created.body.key as string;
  const marketing = await t.keyFor('marketing');
  secrets.apiKeys.push(admin, hr, marketing);
  // Subscribed to an event this journey never raises, so nothing is sent to the outside.
  const webhook = await request(t.http)
    .post('/v1/webhooks')
    .set('authorization', `Bearer ${admin}`)
    .send({ url: 'https://hooks.example.com/consent', events: ['takedown.opened'] })
    .expect(201);
  secrets.webhookSecrets.push(webhook.body.secret as string);
  const journey = new Journey(t, smtp, hr);
  const remember = (person: { email: string; fullName: string }) => {
    secrets.emails.push(person.email);
    secrets.names.push(person.fullName);
  };
  const tokenOf = (path: string) => {
    const token = path.split('/')[2];
    secrets.linkTokens.push(token);
    return token;
  };

  const signer = await journey.person({ fullName: 'Hélène Secretname' });
  remember(signer);
  await journey.requestConsent(signer.id, ['website', 'linkedin', 'instagram']);
  const signPath = await journey.linkFromMail(signer.email, '/s/');
  tokenOf(signPath);
  const signed = await journey.sign(signPath, signer, ['website', 'linkedin']);
  tokenOf(signed.managePath);
  tokenOf(await journey.linkFromMail(signer.email, '/m/'));
  await request(t.http).get(signed.managePath).expect(200);
  expect(await journey.withdrawAsPerson(signed.managePath, signed.consentId, 'linkedin')).toBe(303);
  await request(t.http)
    .get(`${signed.managePath}?done=withdrawn&consent=${signed.consentId}`)
    .expect(200);

  const csv = `externalRef,fullName,email,locale\nEMP-${randomBytes(3).toString('hex')},Bartholomew Declinesworth,bart.${randomBytes(3).toString('hex')}@example.com,en\n`;
  const imported = await request(t.http)
    .post('/v1/persons/import')
    .set('authorization', `Bearer ${hr}`)
    .set('content-type', 'text/csv')
    .send(csv)
    .expect(200);
  expect(imported.body).toBeDefined();
  const [, , declinerEmail] = csv.split('\n')[1].split(',');
  const decliner = (
    await journey
      .hr()
      .get(`/v1/persons?email=${encodeURIComponent(declinerEmail)}`)
      .expect(200)
  ).body.items[0] as { id: string; email: string; fullName: string };
  remember(decliner);
  await journey.requestConsent(decliner.id);
  const declinePath = await journey.linkFromMail(decliner.email, '/s/');
  tokenOf(declinePath);
  const browser = request.agent(t.http);
  const page = await browser.get(declinePath).expect(200);
  await browser
    .post(`${declinePath}/decline`)
    .type('form')
    .send(`_csrf=${encodeURIComponent(csrfOf(page.text))}`)
    .expect(200);

  const me = await browser.get('/me').expect(200);
  await browser
    .post('/me')
    .type('form')
    .send(`_csrf=${encodeURIComponent(csrfOf(me.text))}&email=${encodeURIComponent(signer.email)}`)
    .expect(200);
  await t.app.get(JobRelay).runOnce();
  tokenOf(new URL(linkIn(await smtp.next(signer.email), '/m/')).pathname);

  await journey
    .hr()
    .get(`/v1/persons?email=${encodeURIComponent(signer.email)}`)
    .expect(200);
  await journey.hr().get(`/v1/persons/${signer.id}/dossier`).expect(200);
  await journey.hr().get(`/v1/consents?personId=${signer.id}`).expect(200);
  await journey.hr().get(`/v1/consents/${signed.consentId}/document`);
  await journey
    .hr()
    .post(`/v1/consents/${signed.consentId}/withdraw`, {
      reason: `Letter from ${signer.fullName} <${signer.email}>`,
      receivedVia: 'letter',
    })
    .expect(200);
  await journey.hr().get('/v1/audit?limit=5').expect(200);
  await journey.hr().get('/v1/audit/export?format=csv').expect(200);

  // Mistakes carrying personal data: a duplicate, a malformed body, unknown keys and links.
  await journey
    .hr()
    .post('/v1/persons', { fullName: signer.fullName, email: signer.email })
    .expect(409);
  await journey
    .hr()
    .post('/v1/persons', { fullName: signer.fullName, email: signer.email, isAdmin: true })
    .expect(400);
  await request(t.http)
    .post('/v1/persons')
    .set('authorization', `Bearer ${hr}`)
    .set('content-type', 'application/json')
    .send(`{"email":"${signer.email}",`)
    .expect(400);
  const wrongKey = `clk_${randomBytes(32).toString('base64url')}`;
  secrets.apiKeys.push(wrongKey);
  await request(t.http).get('/v1/persons').set('authorization', `Bearer ${wrongKey}`).expect(401);
  const madeUpLink = randomBytes(32).toString('base64url');
  secrets.linkTokens.push(madeUpLink);
  await request(t.http).get(`/s/${madeUpLink}`).expect(404);
  await request(t.http)
    .get(`/m/${madeUpLink}?done=granted&consent=${signed.consentId}`)
    .expect(404);
  await request(t.http)
    .post('/me')
    .type('form')
    .send(`email=${encodeURIComponent(signer.email)}`)
    .expect(403);

  // An unexpected database failure whose error carries the query parameters and a detail naming the row.
  const victim = {
    fullName: 'Ophélie Neverlogged',
    email: `ophelie.${randomBytes(3).toString('hex')}@example.com`,
  };
  remember(victim);
  await t.dataSource.query(`
    CREATE FUNCTION fault_refuse_person() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused' USING DETAIL = 'Key (email)=(' || NEW.email || ') refused.'; END $$;
    CREATE TRIGGER fault_refuse_person BEFORE INSERT ON persons FOR EACH ROW EXECUTE FUNCTION fault_refuse_person();`);
  const failed = await journey.hr().post('/v1/persons', victim).expect(500);
  await t.dataSource.query(
    'DROP TRIGGER fault_refuse_person ON persons; DROP FUNCTION fault_refuse_person();',
  );
  expect(errorShapeProblems(500, String(failed.headers['content-type']), failed.text)).toEqual([]);
  expect(failed.text).not.toContain(victim.email);
  expect(failed.body.code).toBe('INTERNAL_ERROR');

  await t.app.get(JobRelay).runOnce();
  // Let pino flush what the last requests and jobs wrote.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return failed.body.errorId as string;
}
