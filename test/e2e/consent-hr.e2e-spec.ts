import request from 'supertest';
import { ManualClock } from 'src/common/clock/clock';
import { JobRelay } from 'src/queue/job-relay.service';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';
import { staleClearanceFacts } from 'test/support/clearance-facts';

const DAY = 86_400_000;
/** The smallest file a PDF reader accepts as a PDF; enough for a "scan". */
const SCAN = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

describe('HR side of consents: persons, import, requests, paper, withdrawals, end of employment', () => {
  let t: TestApp;
  let clock: ManualClock;
  let hr: string;
  let marketing: string;
  let seq = 0;

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await startTestApp({ clock });
    hr = await t.keyFor('hr_legal');
    marketing = await t.keyFor('marketing');
  });
  afterAll(() => t.close());

  const as = (key: string) => ({
    get: (path: string) => request(t.http).get(path).set('authorization', `Bearer ${key}`),
    post: (path: string, body?: object) => request(t.http).post(path).set('authorization', `Bearer ${key}`).send(body),
    patch: (path: string, body?: object) => request(t.http).patch(path).set('authorization', `Bearer ${key}`).send(body),
  });
  const count = async (table: string) => Number((await t.dataSource.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  async function person(overrides: Record<string, unknown> = {}) {
    seq += 1;
    return (await as(hr).post('/v1/persons', { fullName: `Person ${seq}`, email: `p${seq}.${Date.now()}@example.com`, ...overrides }).expect(201)).body as {
      id: string;
      email: string;
    };
  }

  const consentBody = (personId: string, overrides: Record<string, unknown> = {}) => ({
    personId,
    purpose: 'Photos of the sales team at the spring trade fair',
    channels: ['website', 'linkedin', 'print'],
    mediaTypes: ['photo', 'video'],
    validFrom: new Date(clock.now().getTime() - 60_000).toISOString(),
    validUntil: new Date(clock.now().getTime() + 365 * DAY).toISOString(),
    ...overrides,
  });

  async function pendingConsent(personId: string, overrides: Record<string, unknown> = {}): Promise<string> {
    return (await as(hr).post('/v1/consents', consentBody(personId, overrides)).expect(201)).body.id;
  }

  function paperGrant(consentId: string, channels: string[]) {
    let req = request(t.http).post(`/v1/consents/${consentId}/paper`).set('authorization', `Bearer ${hr}`);
    for (const channel of channels) req = req.field('acceptedChannels', channel);
    return req.attach('file', SCAN, { filename: 'form.pdf', contentType: 'application/pdf' });
  }

  describe('persons', () => {
    it('normalizes emails, refuses duplicates by email or externalRef, and finds by either', async () => {
      const created = await as(hr).post('/v1/persons', { fullName: '  Zoé   Martin ', email: ' Zoe.Martin@Example.COM ', externalRef: 'HR-1' }).expect(201);
      expect(created.body).toMatchObject({ fullName: 'Zoé Martin', email: 'zoe.martin@example.com', locale: 'fr', employmentEndedAt: null });
      const dup = await as(hr).post('/v1/persons', { fullName: 'Other', email: 'zoe.martin@example.com' }).expect(409);
      expect(dup.body).toMatchObject({ code: 'PERSON_ALREADY_EXISTS', details: { field: 'email' } });
      const dupRef = await as(hr).post('/v1/persons', { fullName: 'Other', email: 'other@example.com', externalRef: 'HR-1' }).expect(409);
      expect(dupRef.body.details.field).toBe('externalRef');
      expect((await as(hr).get('/v1/persons?email=ZOE.MARTIN@example.com').expect(200)).body.items).toHaveLength(1);
      expect((await as(hr).get('/v1/persons?externalRef=HR-1').expect(200)).body.items[0].id).toBe(created.body.id);
      await as(marketing).get('/v1/persons').expect(403);
    });

    it.each([
      [{ fullName: 'A', email: 'not-an-email' }, 'email'],
      [{ fullName: '', email: 'a@example.com' }, 'fullName'],
      [{ fullName: 'A', email: 'a@example.com', locale: 'de' }, 'locale'],
      [{ fullName: 'A', email: 'a@example.com', employmentEndedAt: 'yesterday' }, 'employmentEndedAt'],
      [{ fullName: 'A', email: 'a@example.com', admin: true }, 'admin'],
    ])('refuses %j naming %s, and writes nothing', async (body, field) => {
      const before = await count('persons');
      const res = await as(hr).post('/v1/persons', body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await count('persons')).toBe(before);
    });

    it('answers 400, not 500, for text PostgreSQL cannot store (NUL), and writes nothing', async () => {
      const before = await count('persons');
      const search = await as(hr).get('/v1/persons?email=%00').expect(400);
      expect(search.body.code).toBe('VALIDATION_FAILED');
      const created = await as(hr).post('/v1/persons', { fullName: 'Nul\u0000Name', email: 'nul@example.com' }).expect(400);
      expect(created.body.code).toBe('VALIDATION_FAILED');
      expect(await count('persons')).toBe(before);
    });

    it('answers 400 naming the field, not 500, for text that is not well-formed Unicode (a lone surrogate)', async () => {
      const before = await count('persons');
      const res = await as(hr).post('/v1/persons', { fullName: 'Ann', email: '\ud800' }).expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'email' }] });
      const nested = await as(hr).post('/v1/persons', { fullName: 'Ann', email: 'a@example.com', x: ['\udfff'] }).expect(400);
      expect(nested.body.details).toEqual([expect.objectContaining({ field: 'x.0' })]);
      expect(await count('persons')).toBe(before);
    });

    it('pages through persons with a cursor', async () => {
      for (let i = 0; i < 3; i += 1) await person();
      const first = await as(hr).get('/v1/persons?limit=2').expect(200);
      expect(first.body.items).toHaveLength(2);
      const second = await as(hr).get(`/v1/persons?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body.items[0].id).not.toBe(first.body.items[1].id);
      await as(hr).get('/v1/persons?cursor=garbage').expect(400);
      await as(hr).get('/v1/persons?limit=0').expect(400);
    });
  });

  describe('CSV import', () => {
    const importCsv = (csv: string) =>
      request(t.http).post('/v1/persons/import').set('authorization', `Bearer ${hr}`).set('content-type', 'text/csv').send(csv);

    it('upserts by externalRef, else email', async () => {
      const res = await importCsv('externalRef,fullName,email,locale\nCSV-1,Ana Souza,ana@example.com,en\n,Luc Petit,luc@example.com,fr\n').expect(200);
      expect(res.body).toEqual({ created: 2, updated: 0, unchanged: 0 });
      const again = await importCsv('externalRef,fullName,email,locale\nCSV-1,Ana Souza-Lima,ana@example.com,en\n,Luc Petit,luc@example.com,fr\n').expect(200);
      expect(again.body).toEqual({ created: 0, updated: 1, unchanged: 1 });
      const ana = await as(hr).get('/v1/persons?externalRef=CSV-1').expect(200);
      expect(ana.body.items[0]).toMatchObject({ fullName: 'Ana Souza-Lima', locale: 'en' });
    });

    it('is all or nothing and reports every bad line with its number and field', async () => {
      const before = await count('persons');
      const res = await importCsv('externalRef,fullName,email,locale\nCSV-9,Good Line,good@example.com,fr\nCSV-10,,bad@example.com,fr\nCSV-11,Bad Mail,nope,xx\n').expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual([
        { line: 3, field: 'fullName', problems: ['fullName is required'] },
        { line: 4, field: 'email', problems: ['email is not an email address'] },
        { line: 4, field: 'locale', problems: ['locale must be fr or en'] },
      ]);
      expect(await count('persons')).toBe(before);
    });

    it('refuses a body that is not CSV', async () => {
      await request(t.http).post('/v1/persons/import').set('authorization', `Bearer ${hr}`).send({ csv: 'x' }).expect(415);
    });
  });

  describe('consent requests', () => {
    it.each([
      [{ purpose: 'short' }, 'purpose'],
      [{ channels: [] }, 'channels'],
      [{ channels: ['website', 'myspace'] }, 'channels'],
      [{ mediaTypes: ['hologram'] }, 'mediaTypes'],
      [{ territory: ['France'] }, 'territory'],
      [{ validFrom: 'soon' }, 'validFrom'],
      [{ validUntil: new Date(Date.now() - 10 * DAY).toISOString() }, 'validUntil'],
      [{ validUntil: new Date(Date.now() + 61 * 31 * DAY).toISOString() }, 'validUntil'],
      [{ personId: 'nope' }, 'personId'],
      [{ locale: 'es' }, 'locale'],
      [{ unexpected: 1 }, 'unexpected'],
    ])('refuses %j naming %s, and writes nothing', async (overrides, field) => {
      const p = await person();
      const before = await count('consents');
      const events = await count('audit_events');
      const res = await as(hr).post('/v1/consents', consentBody(p.id, overrides)).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await count('consents')).toBe(before);
      expect(await count('audit_events')).toBe(events);
    });

    it('answers 404 for an unknown person and 403 to marketing', async () => {
      await as(hr).post('/v1/consents', consentBody('00000000-0000-4000-8000-000000000000')).expect(404);
      const p = await person();
      await as(marketing).post('/v1/consents', consentBody(p.id)).expect(403);
      await as(marketing).get('/v1/consents').expect(403);
    });

    it('freezes the notice: the stored text and its hash do not change', async () => {
      const p = await person({ locale: 'en' });
      const id = await pendingConsent(p.id, { territory: ['FR', 'BE'] });
      const detail = (await as(hr).get(`/v1/consents/${id}`).expect(200)).body;
      expect(detail).toMatchObject({ locale: 'en', templateKey: 'image-rights', templateVersion: 1, territory: ['FR', 'BE'] });
      const { createHash } = await import('node:crypto');
      expect(createHash('sha256').update(detail.noticeText).digest('hex')).toBe(detail.noticeSha256);
      expect(detail.noticeText).toContain('Photos of the sales team');
    });

    it('filters the register by person, status and channel', async () => {
      const p = await person();
      const id = await pendingConsent(p.id, { channels: ['youtube'] });
      const byPerson = await as(hr).get(`/v1/consents?personId=${p.id}`).expect(200);
      expect(byPerson.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
      const byChannel = await as(hr).get('/v1/consents?channel=youtube&status=pending').expect(200);
      expect(byChannel.body.items.map((c: { id: string }) => c.id)).toContain(id);
      await as(hr).get('/v1/consents?status=sleeping').expect(400);
    });
  });

  describe('paper grants and HR-recorded withdrawals', () => {
    it('grants from a scanned paper form, keeping the scan and its hash', async () => {
      const p = await person();
      const id = await pendingConsent(p.id);
      const res = await paperGrant(id, ['website', 'print']).expect(201);
      expect(res.body).toMatchObject({ status: 'granted', method: 'paper' });
      expect(res.body.acceptedChannels.sort()).toEqual(['print', 'website']);
      const scan = await t.dataSource.query('SELECT sha256, length(pdf) AS size FROM consent_paper_scans WHERE consent_id = $1', [id]);
      const { createHash } = await import('node:crypto');
      expect(scan[0].sha256).toBe(createHash('sha256').update(SCAN).digest('hex'));
      await paperGrant(id, ['website']).expect(409);
    });

    it('refuses a paper upload that is not a PDF or names channels not asked for', async () => {
      const p = await person();
      const id = await pendingConsent(p.id);
      const notPdf = await request(t.http)
        .post(`/v1/consents/${id}/paper`)
        .set('authorization', `Bearer ${hr}`)
        .field('acceptedChannels', 'website')
        .attach('file', Buffer.from('hello'), { filename: 'x.pdf', contentType: 'application/pdf' })
        .expect(400);
      expect(notPdf.body.details[0].field).toBe('file');
      const outside = await paperGrant(id, ['tiktok']).expect(400);
      expect(outside.body.details[0].field).toBe('acceptedChannels');
      expect((await as(hr).get(`/v1/consents/${id}`)).body.status).toBe('pending');
    });

    it('records a withdrawal received by letter, for one channel then all', async () => {
      const p = await person();
      const id = await pendingConsent(p.id);
      await paperGrant(id, ['website', 'linkedin']).expect(201);
      const partial = await as(hr).post(`/v1/consents/${id}/withdraw`, { channels: ['linkedin'], reason: 'Letter of 3 March', receivedVia: 'letter' }).expect(200);
      expect(partial.body).toMatchObject({ status: 'granted', acceptedChannels: ['website'] });
      const again = await as(hr).post(`/v1/consents/${id}/withdraw`, { channels: ['linkedin'], reason: 'Duplicate', receivedVia: 'letter' }).expect(409);
      expect(again.body.code).toBe('CONSENT_NOT_GRANTED');
      const all = await as(hr).post(`/v1/consents/${id}/withdraw`, { reason: 'Told HR in person', receivedVia: 'in_person' }).expect(200);
      expect(all.body.status).toBe('withdrawn');
      expect(all.body.withdrawals.map((w: { receivedVia: string }) => w.receivedVia)).toEqual(['letter', 'in_person']);
      const bad = await as(hr).post(`/v1/consents/${id}/withdraw`, { reason: 'x', receivedVia: 'pigeon' }).expect(400);
      expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['reason', 'receivedVia']);
    });

    it('answers 409 with the current state for a transition that is not allowed', async () => {
      const p = await person();
      const id = await pendingConsent(p.id);
      const res = await as(hr).post(`/v1/consents/${id}/withdraw`, { reason: 'Letter', receivedVia: 'letter' }).expect(409);
      expect(res.body).toMatchObject({ code: 'CONSENT_NOT_GRANTED', details: { status: 'pending' } });
    });
  });

  describe('end of employment', () => {
    it('revokes at once the consents that do not cover use after employment', async () => {
      const p = await person();
      const plain = await pendingConsent(p.id);
      const covering = await pendingConsent(p.id, { coversAfterEmployment: true });
      await paperGrant(plain, ['website']).expect(201);
      await paperGrant(covering, ['website']).expect(201);
      await as(hr).patch(`/v1/persons/${p.id}`, { employmentEndedAt: new Date(clock.now().getTime() - DAY).toISOString() }).expect(200);
      expect((await as(hr).get(`/v1/consents/${plain}`)).body.status).toBe('revoked');
      expect((await as(hr).get(`/v1/consents/${covering}`)).body.status).toBe('granted');
    });

    it('revokes when a future end date arrives', async () => {
      const p = await person();
      const id = await pendingConsent(p.id);
      await paperGrant(id, ['website']).expect(201);
      await as(hr).patch(`/v1/persons/${p.id}`, { employmentEndedAt: new Date(clock.now().getTime() + 10 * DAY).toISOString() }).expect(200);
      expect((await as(hr).get(`/v1/consents/${id}`)).body.status).toBe('granted');
      clock.advance(11 * DAY);
      await t.app.get(JobRelay).runOnce();
      await waitFor(async () => (await as(hr).get(`/v1/consents/${id}`)).body.status === 'revoked', { what: 'revoked at employment end' });
      clock.advance(-11 * DAY);
    });
  });

  it('answers a dossier with everything held about a person', async () => {
    const p = await person();
    const id = await pendingConsent(p.id);
    await paperGrant(id, ['website']).expect(201);
    const res = await as(hr).get(`/v1/persons/${p.id}/dossier`).expect(200);
    expect(res.body.person.id).toBe(p.id);
    expect(res.body.consents.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(res.body.consents[0].noticeText).toBeTruthy();
    expect(res.body.emails.map((m: { kind: string }) => m.kind)).toEqual(expect.arrayContaining(['sign-request', 'granted']));
  });

  it('writes mails as .eml files in the outbox folder when no SMTP server is configured', async () => {
    const p = await person();
    await pendingConsent(p.id);
    await t.app.get(JobRelay).runOnce();
    const fs = await import('node:fs');
    const path = await import('node:path');
    const outbox = path.join(process.env.DATA_DIR as string, 'outbox');
    const file = await waitFor(
      async () => {
        if (!fs.existsSync(outbox)) return undefined;
        for (const name of fs.readdirSync(outbox)) {
          const text = fs.readFileSync(path.join(outbox, name), 'utf8');
          if (text.includes(p.email)) return Promise.resolve(text);
        }
        return undefined;
      },
      { what: 'an .eml file for the person' },
    );
    expect(file).toMatch(/\/s\/[A-Za-z0-9_-]{43}/);
  });

  it('leaves every person\'s clearance facts as a recomputation from the consents gives them', async () => {
    const persons = await t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM persons');
    expect(Number(persons[0].n)).toBeGreaterThan(0);
    expect(await staleClearanceFacts(t.dataSource)).toEqual([]);
  });
});
