import request from 'supertest';
import { ManualClock } from 'src/common/clock/clock';
import { JobRelay } from 'src/queue/job-relay.service';
import { linkIn, SmtpSink } from 'test/support/smtp-sink';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';
import { staleClearanceFacts } from 'test/support/clearance-facts';

const DAY = 86_400_000;

describe('consent lifecycle: request, email, sign, decline, withdraw', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let clock: ManualClock;
  let hr: string;
  let people = 0;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    clock = new ManualClock(new Date());
    t = await startTestApp({ clock, env: { SMTP_URL: smtp.url, ORG_NAME: 'Acme SAS' } });
    hr = await t.keyFor('hr_legal');
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const api = () => ({
    get: (path: string) => request(t.http).get(path).set('authorization', `Bearer ${hr}`),
    post: (path: string, body?: object) => request(t.http).post(path).set('authorization', `Bearer ${hr}`).send(body),
    patch: (path: string, body?: object) => request(t.http).patch(path).set('authorization', `Bearer ${hr}`).send(body),
  });

  async function newPerson(overrides: Record<string, unknown> = {}): Promise<{ id: string; email: string; fullName: string }> {
    people += 1;
    const body = { fullName: 'Élodie Lefèvre-Çœur', email: `elodie.${people}.${Date.now()}@example.com`, ...overrides };
    const res = await api().post('/v1/persons', body).expect(201);
    return res.body;
  }

  async function requestConsent(personId: string, overrides: Record<string, unknown> = {}) {
    const validFrom = new Date(clock.now().getTime() - 60_000);
    const res = await api()
      .post('/v1/consents', {
        personId,
        purpose: 'Team portraits for the careers page and LinkedIn posts',
        channels: ['website', 'linkedin', 'instagram'],
        mediaTypes: ['photo'],
        excludedUses: ['paid advertising'],
        validFrom: validFrom.toISOString(),
        validUntil: new Date(validFrom.getTime() + 730 * DAY).toISOString(),
        ...overrides,
      })
      .expect(201);
    return res.body as { id: string; status: string; noticeSha256: string; noticeText: string };
  }

  async function signLinkFor(email: string): Promise<string> {
    await t.app.get(JobRelay).runOnce();
    const mail = await smtp.next(email, /./);
    expect(mail.text + mail.html).toMatch(/facultatif|volontaire|voluntary|optional/i);
    return new URL(linkIn(mail, '/s/')).pathname;
  }

  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

  it('takes a person from request to a grant of 2 of 3 channels through the emailed link', async () => {
    const person = await newPerson();
    const consent = await requestConsent(person.id);
    expect(consent.status).toBe('pending');
    expect(consent.noticeText).toContain('Acme SAS');
    expect(consent.noticeSha256).toMatch(/^[0-9a-f]{64}$/);

    const signPath = await signLinkFor(person.email);
    const browser = request.agent(t.http);
    const page = await browser.get(signPath).expect(200).expect('content-type', /html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).toContain('Team portraits for the careers page');
    expect(page.text).not.toMatch(/type="checkbox" name="channels" value="[a-z_]+" checked/);

    const accepted = await browser
      .post(`${signPath}/accept`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfOf(page.text))}&channels=website&channels=linkedin&fullName=${encodeURIComponent('élodie lefevre-cœur')}&read=yes`)
      .expect(303);
    expect(accepted.headers.location).toMatch(new RegExp(`^/m/[A-Za-z0-9_-]{43}\\?done=granted&consent=${consent.id}$`));

    const stored = await api().get(`/v1/consents/${consent.id}`).expect(200);
    expect(stored.body.status).toBe('granted');
    expect(stored.body.acceptedChannels.sort()).toEqual(['linkedin', 'website']);
    expect(stored.body.decisions).toEqual([
      expect.objectContaining({ channel: 'website', decision: 'accepted' }),
      expect.objectContaining({ channel: 'linkedin', decision: 'accepted' }),
      expect.objectContaining({ channel: 'instagram', decision: 'refused' }),
    ]);
    expect(stored.body.history.map((h: { action: string }) => h.action)).toEqual(
      expect.arrayContaining(['consent.requested', 'email.queued', 'consent.link_opened', 'consent.granted']),
    );

    await t.app.get(JobRelay).runOnce();
    const confirmation = await smtp.next(person.email, /./);
    expect(linkIn(confirmation, '/m/')).toContain('/m/');

    const reused = await request(t.http).get(signPath).expect(410);
    expect(reused.text).toMatch(/déjà|already/i);
    await request(t.http).get(accepted.headers.location).expect(200);
  });

  it('refuses the sign form without a ticked channel, the typed name or the read box, and records nothing', async () => {
    const person = await newPerson({ fullName: 'Jean Dupont' });
    const consent = await requestConsent(person.id);
    const signPath = await signLinkFor(person.email);
    const browser = request.agent(t.http);
    const page = await browser.get(signPath).expect(200);
    const invalid = await browser
      .post(`${signPath}/accept`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfOf(page.text))}&fullName=Someone+Else`)
      .expect(400);
    expect(invalid.text).toContain('Jean Dupont');
    expect((await api().get(`/v1/consents/${consent.id}`)).body.status).toBe('pending');

    const forged = await browser.post(`${signPath}/accept`).type('form').send('_csrf=forged&channels=website&fullName=Jean+Dupont&read=yes').expect(403);
    expect(forged.text).toMatch(/formulaire|form/i);
    expect((await api().get(`/v1/consents/${consent.id}`)).body.status).toBe('pending');
  });

  it('records a decline with no reason asked, and the link cannot be used again', async () => {
    const person = await newPerson();
    const consent = await requestConsent(person.id);
    const signPath = await signLinkFor(person.email);
    const browser = request.agent(t.http);
    const page = await browser.get(signPath).expect(200);
    await browser.post(`${signPath}/decline`).type('form').send(`_csrf=${encodeURIComponent(csrfOf(page.text))}`).expect(200);
    const stored = await api().get(`/v1/consents/${consent.id}`).expect(200);
    expect(stored.body.status).toBe('refused');
    expect(stored.body.acceptedChannels).toEqual([]);
    const again = await browser.post(`${signPath}/accept`).type('form').send(`_csrf=${encodeURIComponent(csrfOf(page.text))}&channels=website&fullName=x&read=yes`);
    expect([409, 410]).toContain(again.status);
    expect((await api().get(`/v1/consents/${consent.id}`)).body.status).toBe('refused');
  });

  it('asks again within the cool-down only with force and a justification, which is kept', async () => {
    const person = await newPerson();
    await requestConsent(person.id);
    const signPath = await signLinkFor(person.email);
    const browser = request.agent(t.http);
    const page = await browser.get(signPath).expect(200);
    await browser.post(`${signPath}/decline`).type('form').send(`_csrf=${encodeURIComponent(csrfOf(page.text))}`).expect(200);

    const refused = await api()
      .post('/v1/consents', {
        personId: person.id,
        purpose: 'A second request for the same portraits',
        channels: ['website'],
        mediaTypes: ['photo'],
        validFrom: clock.now().toISOString(),
        validUntil: new Date(clock.now().getTime() + 365 * DAY).toISOString(),
      })
      .expect(409);
    expect(refused.body.code).toBe('CONSENT_RECENTLY_DECLINED');

    const noReason = await api()
      .post('/v1/consents', { personId: person.id, purpose: 'A second request for the same portraits', channels: ['website'], mediaTypes: ['photo'], validFrom: clock.now().toISOString(), validUntil: new Date(clock.now().getTime() + 365 * DAY).toISOString(), force: true })
      .expect(400);
    expect(noReason.body.details[0].field).toBe('justification');

    const forced = await requestConsent(person.id, {
      channels: ['website'],
      force: true,
      justification: 'The person asked HR to be included in the new brochure after all.',
    });
    const detail = await api().get(`/v1/consents/${forced.id}`).expect(200);
    expect(detail.body.forceJustification).toContain('asked HR to be included');
  });

  it('lapses a request left unanswered past its sign deadline, and the link then says expired', async () => {
    const person = await newPerson();
    const consent = await requestConsent(person.id);
    const signPath = await signLinkFor(person.email);
    clock.advance(31 * DAY);
    await t.app.get(JobRelay).runOnce();
    await waitFor(async () => (await api().get(`/v1/consents/${consent.id}`)).body.status === 'lapsed', { what: 'lapsed' });
    const history = (await api().get(`/v1/consents/${consent.id}`)).body.history.map((h: { action: string }) => h.action);
    await waitFor(async () => {
      const actions = (await api().get(`/v1/consents/${consent.id}`)).body.history.map((h: { action: string }) => h.action);
      return actions.includes('consent.lapsed');
    }, { what: 'consent.lapsed recorded' });
    expect(history.length).toBeGreaterThan(0);
    await request(t.http).get(signPath).expect(410);
    clock.advance(-31 * DAY);
  });

  it('answers 404 for a made-up link and changes nothing', async () => {
    await request(t.http).get(`/s/${'A'.repeat(43)}`).expect(404);
    await request(t.http).get('/s/short').expect(404);
    await request(t.http).get(`/m/${'B'.repeat(43)}`).expect(404);
  });

  it('withdraws one channel, then everything, from the manage link; each is confirmed by email', async () => {
    const person = await newPerson();
    const consent = await requestConsent(person.id);
    const signPath = await signLinkFor(person.email);
    const browser = request.agent(t.http);
    const page = await browser.get(signPath).expect(200);
    const accepted = await browser
      .post(`${signPath}/accept`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfOf(page.text))}&channels=website&channels=linkedin&fullName=${encodeURIComponent(person.fullName)}&read=yes`)
      .expect(303);
    const managePath = accepted.headers.location.split('?')[0];
    await t.app.get(JobRelay).runOnce();
    await smtp.next(person.email, /./);

    const manage = await browser.get(managePath).expect(200);
    expect(manage.text).toContain('Team portraits');
    const confirm = await browser.get(`${managePath}/consents/${consent.id}/withdraw?channel=linkedin`).expect(200);
    await browser
      .post(`${managePath}/consents/${consent.id}/withdraw`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfOf(confirm.text))}&channel=linkedin`)
      .expect(303);
    let stored = await api().get(`/v1/consents/${consent.id}`).expect(200);
    expect(stored.body.status).toBe('granted');
    expect(stored.body.acceptedChannels).toEqual(['website']);
    await t.app.get(JobRelay).runOnce();
    const partial = await smtp.next(person.email, /./);
    expect(partial.text).toMatch(/LinkedIn/);

    const confirmAll = await browser.get(`${managePath}/consents/${consent.id}/withdraw`).expect(200);
    await browser
      .post(`${managePath}/consents/${consent.id}/withdraw`)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfOf(confirmAll.text))}`)
      .expect(303);
    stored = await api().get(`/v1/consents/${consent.id}`).expect(200);
    expect(stored.body.status).toBe('withdrawn');
    expect(stored.body.acceptedChannels).toEqual([]);
    expect(stored.body.withdrawals).toHaveLength(2);
    await t.app.get(JobRelay).runOnce();
    await smtp.next(person.email, /./);
  });

  it("never lets one person's manage link act on another person's consent", async () => {
    const alice = await newPerson();
    const bob = await newPerson();
    const bobConsent = await requestConsent(bob.id);
    const bobSign = await signLinkFor(bob.email);
    const bobBrowser = request.agent(t.http);
    const bobPage = await bobBrowser.get(bobSign).expect(200);
    await bobBrowser.post(`${bobSign}/accept`).type('form').send(`_csrf=${encodeURIComponent(csrfOf(bobPage.text))}&channels=website&fullName=${encodeURIComponent(bob.fullName)}&read=yes`).expect(303);

    await request(t.http).post('/me').type('form').send(`email=${encodeURIComponent(alice.email)}&_csrf=x`).expect(403);
    const browser = request.agent(t.http);
    const me = await browser.get('/me').expect(200);
    await browser.post('/me').type('form').send(`_csrf=${encodeURIComponent(csrfOf(me.text))}&email=${encodeURIComponent(alice.email)}`).expect(200);
    await t.app.get(JobRelay).runOnce();
    const aliceManage = new URL(linkIn(await smtp.next(alice.email, /./), '/m/')).pathname;

    await browser.get(`${aliceManage}/consents/${bobConsent.id}/withdraw`).expect(404);
    const page = await browser.get(aliceManage).expect(200);
    await browser.post(`${aliceManage}/consents/${bobConsent.id}/withdraw`).type('form').send(`_csrf=${encodeURIComponent(csrfOf(page.text))}`);
    expect((await api().get(`/v1/consents/${bobConsent.id}`)).body.status).toBe('granted');
    await request(t.http).get(bobSign.replace('/s/', '/m/')).expect(404);
  });

  it('answers /me the same whether the address is known or not', async () => {
    const browser = request.agent(t.http);
    const me = await browser.get('/me').expect(200);
    const unknown = await browser.post('/me').type('form').send(`_csrf=${encodeURIComponent(csrfOf(me.text))}&email=nobody@example.com`).expect(200);
    const person = await newPerson();
    const me2 = await browser.get('/me').expect(200);
    const known = await browser.post('/me').type('form').send(`_csrf=${encodeURIComponent(csrfOf(me2.text))}&email=${encodeURIComponent(person.email)}`).expect(200);
    expect(known.text).toBe(unknown.text);
  });

  it('leaves every person\'s clearance facts as a recomputation from the consents gives them', async () => {
    const persons = await t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM persons');
    expect(Number(persons[0].n)).toBeGreaterThan(0);
    expect(await staleClearanceFacts(t.dataSource)).toEqual([]);
  });
});
