import { ManualClock } from 'src/common/clock/clock';
import { ConsentsService } from 'src/consents/consents.service';
import { AssetFixtures } from 'test/support/asset-fixtures';
import { SmtpSink } from 'test/support/smtp-sink';
import { startTestApp, TestApp } from 'test/support/test-app';
import { staleClearanceFacts } from 'test/support/clearance-facts';

const HOUR = 3_600_000;
const MARKETING = ['campaigns@example.com', 'social@example.com'];

describe('blocking, publications and takedowns', () => {
  let t: TestApp;
  let f: AssetFixtures;
  let sink: SmtpSink;
  let marketingKey: string;
  let hrKey: string;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await startTestApp({
      clock,
      env: {
        SMTP_URL: sink.url,
        MARKETING_NOTIFY_EMAILS: MARKETING.join(','),
        TAKEDOWN_DUE_HOURS: '24',
      },
    });
    marketingKey = await t.keyFor('marketing');
    hrKey = await t.keyFor('hr_legal');
    f = new AssetFixtures(t, { hr: hrKey, marketing: marketingKey });
  });
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  const publish = (
    assetId: string,
    channel: string,
    location = `https://example.com/${channel}/${assetId}`,
  ) => f.marketing.post(`/v1/assets/${assetId}/publications`, { channel, location });
  const auditData = async (action: string, assetId: string) =>
    (
      await t.dataSource.query<{ canonical: Buffer }[]>(
        'SELECT canonical FROM audit_events WHERE action = $1 AND asset_id = $2 ORDER BY seq',
        [action, assetId],
      )
    ).map((row) => JSON.parse(row.canonical.toString()).data);

  describe('publications', () => {
    it('records a use only while the asset is cleared there, and audits refusals', async () => {
      const person = await f.person();
      await f.granted(person, { channels: ['website'] });
      const asset = await f.asset([person]);
      const ok = await publish(asset, 'website').expect(201);
      expect(ok.body).toMatchObject({
        assetId: asset,
        channel: 'website',
        live: true,
        removedAt: null,
      });
      const refused = await publish(asset, 'linkedin').expect(409);
      expect(refused.body).toMatchObject({
        code: 'ASSET_NOT_CLEARED',
        details: {
          assetId: asset,
          channel: 'linkedin',
          reasons: [{ personId: person, code: 'CHANNEL_NOT_COVERED' }],
        },
      });
      expect(await auditData('publication.recorded', asset)).toEqual([
        expect.objectContaining({ publicationId: ok.body.id, channel: 'website' }),
      ]);
      expect(await auditData('publication.refused', asset)).toEqual([
        expect.objectContaining({
          channel: 'linkedin',
          uncoveredPersons: 1,
          codes: ['CHANNEL_NOT_COVERED'],
        }),
      ]);
      expect(
        await f.count('SELECT count(*) AS n FROM publications WHERE asset_id = $1', [asset]),
      ).toBe(1);
    });

    it('checks a future publication date against the consent then', async () => {
      const person = await f.person();
      await f.granted(person, { validUntil: new Date(clock.now().getTime() + 10 * 24 * HOUR) });
      const asset = await f.asset([person]);
      const later = new Date(clock.now().getTime() + 11 * 24 * HOUR).toISOString();
      const res = await f.marketing
        .post(`/v1/assets/${asset}/publications`, {
          channel: 'print',
          location: 'Spring brochure, 5,000 copies',
          publishedAt: later,
        })
        .expect(409);
      expect(res.body.details).toMatchObject({ at: later, reasons: [{ code: 'EXPIRED' }] });
    });

    it('lists and removes publications', async () => {
      const asset = await f.asset([]);
      const first = (await publish(asset, 'website').expect(201)).body;
      clock.advance(1000);
      const second = (await publish(asset, 'events').expect(201)).body;
      const live = await f.marketing.get(`/v1/publications?assetId=${asset}&live=true`).expect(200);
      expect(live.body.items.map((p: { id: string }) => p.id)).toEqual([second.id, first.id]);
      const removedAt = clock.now().toISOString();
      const removed = await f.marketing
        .post(`/v1/publications/${first.id}/removed`, { removedAt, note: 'Page unpublished' })
        .expect(200);
      expect(removed.body).toMatchObject({
        live: false,
        removedAt,
        removalNote: 'Page unpublished',
      });
      await f.marketing
        .post(`/v1/publications/${first.id}/removed`, { removedAt, note: 'again' })
        .expect(409);
      await f.marketing
        .post(`/v1/publications/${second.id}/removed`, {
          removedAt: new Date(clock.now().getTime() + HOUR).toISOString(),
          note: 'x',
        })
        .expect(400);
      await f.marketing.post(`/v1/publications/${second.id}/removed`, { note: 'x' }).expect(400);
      expect(
        (
          await f.marketing.get(`/v1/publications?assetId=${asset}&live=false`).expect(200)
        ).body.items.map((p: { id: string }) => p.id),
      ).toEqual([first.id]);
      expect(
        (await f.marketing.get(`/v1/publications?assetId=${asset}&channel=events`).expect(200)).body
          .items,
      ).toHaveLength(1);
      await f.marketing.get('/v1/publications?live=maybe').expect(400);
      await f.marketing
        .post(`/v1/assets/${asset}/publications`, { channel: 'website' })
        .expect(400);
      await f.marketing
        .post('/v1/assets/5f0c1f4e-8a55-4c53-9d49-0a0d1ad0c010/publications', {
          channel: 'website',
          location: 'x',
        })
        .expect(404);
    });
  });

  describe('takedowns', () => {
    it('opens one per live publication on the blocked channel only, mails marketing once, and closes with a note', async () => {
      const [a, b] = [await f.person(), await f.person()];
      await f.granted(a);
      const consent = await f.granted(b);
      const group = await f.asset([a, b], { title: 'Team photo 2026' });
      const solo = await f.asset([a]);
      const liveLinkedin = (
        await publish(group, 'linkedin', 'https://linkedin.example/post/1').expect(201)
      ).body;
      const removedLinkedin = (
        await publish(group, 'linkedin', 'https://linkedin.example/post/0').expect(201)
      ).body;
      await f.marketing
        .post(`/v1/publications/${removedLinkedin.id}/removed`, {
          removedAt: clock.now().toISOString(),
          note: 'old post',
        })
        .expect(200);
      await publish(group, 'website').expect(201);
      await publish(solo, 'linkedin').expect(201);

      clock.advance(60_000);
      const withdrawnAt = clock.now();
      await f.withdraw(consent, ['linkedin']);

      const open = await f.marketing.get('/v1/takedowns?status=open').expect(200);
      const mine = open.body.items.filter((item: { assetId: string }) => item.assetId === group);
      expect(mine).toEqual([
        expect.objectContaining({
          publicationId: liveLinkedin.id,
          channel: 'linkedin',
          location: 'https://linkedin.example/post/1',
          status: 'open',
          cause: 'consent_withdrawn',
          dueAt: new Date(withdrawnAt.getTime() + 24 * HOUR).toISOString(),
        }),
      ]);
      expect(open.body.items.filter((item: { assetId: string }) => item.assetId === solo)).toEqual(
        [],
      );
      expect(await auditData('takedown.opened', group)).toEqual([
        expect.objectContaining({
          publicationId: liveLinkedin.id,
          channel: 'linkedin',
          cause: 'consent_withdrawn',
        }),
      ]);

      for (const address of MARKETING) {
        const mail = await sink.next(address, /retirer/);
        expect(mail.text).toContain('Team photo 2026');
        expect(mail.text).toContain('https://linkedin.example/post/1');
        expect(mail.text).toContain('LinkedIn');
        expect(mail.text).not.toMatch(/Person \d|WITHDRAWN|retir[ée] son/);
        expect(mail.html).toContain('Team photo 2026');
      }

      clock.advance(25 * HOUR);
      const overdue = await f.marketing.get('/v1/takedowns?status=overdue').expect(200);
      const takedown = overdue.body.items.find(
        (item: { assetId: string }) => item.assetId === group,
      );
      expect(takedown).toMatchObject({ status: 'overdue' });
      const done = await f.marketing
        .post(`/v1/takedowns/${takedown.id}/complete`, {
          note: 'Post deleted',
          evidenceUrl: 'https://tickets.example/42',
        })
        .expect(200);
      expect(done.body).toMatchObject({
        status: 'done',
        completionNote: 'Post deleted',
        evidenceUrl: 'https://tickets.example/42',
      });
      await f.marketing
        .post(`/v1/takedowns/${takedown.id}/complete`, { note: 'again' })
        .expect(409);
      const publication = (
        await f.marketing
          .get(`/v1/publications?assetId=${group}&channel=linkedin&live=false`)
          .expect(200)
      ).body.items;
      expect(publication.map((p: { id: string }) => p.id).sort()).toEqual(
        [liveLinkedin.id, removedLinkedin.id].sort(),
      );
      expect(await auditData('takedown.completed', group)).toEqual([
        expect.objectContaining({ takedownId: takedown.id, onTime: false }),
      ]);
      expect(
        (await f.marketing.get('/v1/takedowns?status=done').expect(200)).body.items.map(
          (i: { id: string }) => i.id,
        ),
      ).toContain(takedown.id);
      await f.marketing
        .post(`/v1/takedowns/${takedown.id}/complete`, {
          note: 'x',
          evidenceUrl: 'javascript:alert(1)',
        })
        .expect(400);
      await f.marketing.get('/v1/takedowns?status=later').expect(400);
    });

    it('completes the open takedown when its publication is removed by hand', async () => {
      const person = await f.person();
      const consent = await f.granted(person);
      const asset = await f.asset([person]);
      const publication = (await publish(asset, 'print', 'Brochure').expect(201)).body;
      clock.advance(1000);
      await f.withdraw(consent);
      await f.marketing
        .post(`/v1/publications/${publication.id}/removed`, {
          removedAt: clock.now().toISOString(),
          note: 'Stock destroyed',
        })
        .expect(200);
      const takedowns = (
        await f.marketing.get('/v1/takedowns?status=done').expect(200)
      ).body.items.filter((i: { assetId: string }) => i.assetId === asset);
      expect(takedowns).toEqual([
        expect.objectContaining({
          completionNote: 'Stock destroyed',
          publicationId: publication.id,
        }),
      ]);
    });

    it('enforces expiry by date before any job ran, and opens takedowns when the expiry is recorded', async () => {
      const person = await f.person();
      const consent = await f.granted(person, {
        validUntil: new Date(clock.now().getTime() + 2 * HOUR),
      });
      const asset = await f.asset([person]);
      const publication = (await publish(asset, 'website').expect(201)).body;
      clock.advance(3 * HOUR);
      expect((await f.clearance(asset, 'website')).reasons).toEqual([
        expect.objectContaining({ code: 'EXPIRED', consentId: consent }),
      ]);
      await publish(asset, 'website').expect(409);
      expect(
        await f.count('SELECT count(*) AS n FROM takedowns WHERE publication_id = $1', [
          publication.id,
        ]),
      ).toBe(0);

      const consents = t.app.get(ConsentsService);
      await t.dataSource.transaction(async (em) =>
        consents.endAtValidUntil(em, await consents.lockConsent(em, consent), {
          type: 'system',
          id: 'scheduler',
        }),
      );
      const takedowns = (
        await f.marketing.get('/v1/takedowns?status=open').expect(200)
      ).body.items.filter((i: { assetId: string }) => i.assetId === asset);
      expect(takedowns).toEqual([
        expect.objectContaining({ publicationId: publication.id, cause: 'consent_expired' }),
      ]);
    });

    it('treats an end of employment as a revocation from that date, and blocks at once when it is recorded', async () => {
      const person = await f.person();
      await f.granted(person);
      const survivor = await f.person();
      await f.granted(survivor, { coversAfterEmployment: true });
      const asset = await f.asset([person]);
      const kept = await f.asset([survivor]);
      const publication = (await publish(asset, 'linkedin').expect(201)).body;
      clock.advance(1000);
      const leaving = new Date(clock.now().getTime() + 2 * HOUR);
      await f.hr
        .patch(`/v1/persons/${person}`, { employmentEndedAt: leaving.toISOString() })
        .expect(200);
      await f.hr
        .patch(`/v1/persons/${survivor}`, { employmentEndedAt: leaving.toISOString() })
        .expect(200);
      expect(
        (await f.clearance(asset, 'linkedin', new Date(leaving.getTime() + 1000))).reasons[0],
      ).toMatchObject({ code: 'REVOKED', since: leaving.toISOString() });
      expect(
        (await f.clearance(kept, 'linkedin', new Date(leaving.getTime() + 1000))).allowed,
      ).toBe(true);
      expect((await f.clearance(asset, 'linkedin')).allowed).toBe(true);

      clock.advance(1000);
      await f.hr
        .patch(`/v1/persons/${person}`, { employmentEndedAt: clock.now().toISOString() })
        .expect(200);
      expect((await f.clearance(asset, 'linkedin')).reasons[0].code).toBe('REVOKED');
      const takedowns = (
        await f.marketing.get('/v1/takedowns?status=open').expect(200)
      ).body.items.filter((i: { assetId: string }) => i.assetId === asset);
      expect(takedowns).toEqual([
        expect.objectContaining({ publicationId: publication.id, cause: 'consent_revoked' }),
      ]);
    });

    it('refuses a webhook to a private address when private destinations are not allowed', async () => {
      const admin = await t.keyFor('admin');
      for (const url of [
        'http://127.0.0.1:9/hook',
        'http://localhost/hook',
        'http://[::1]/hook',
        'http://10.0.0.8/hook',
        'ftp://example.com/',
      ]) {
        const res = await f
          .as(admin)
          .post('/v1/webhooks', { url, events: ['asset.blocked'] })
          .expect(400);
        expect(res.body.details[0].field).toBe('url');
      }
      await f
        .as(marketingKey)
        .post('/v1/webhooks', { url: 'https://example.com/hook', events: ['asset.blocked'] })
        .expect(403);
      await f
        .as(admin)
        .post('/v1/webhooks', { url: 'https://example.com/hook', events: ['asset.moved'] })
        .expect(400);
    });
  });

  it('leaves every person\'s clearance facts as a recomputation from the consents gives them', async () => {
    const persons = await t.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM persons');
    expect(Number(persons[0].n)).toBeGreaterThan(0);
    expect(await staleClearanceFacts(t.dataSource)).toEqual([]);
  });
});
