import { Client } from 'pg';
import { ClearanceService } from 'src/assets/clearance.service';
import { ManualClock } from 'src/common/clock/clock';
import { AssetFixtures } from 'test/support/asset-fixtures';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

const DAY = 86_400_000;

describe('assets and clearance', () => {
  let t: TestApp;
  let f: AssetFixtures;
  let admin: string;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    t = await startTestApp({ clock });
    f = new AssetFixtures(t, {
      hr: await t.keyFor('hr_legal'),
      marketing: await t.keyFor('marketing'),
    });
    admin = await t.keyFor('admin');
  });
  afterAll(() => t.close());

  const now = () => clock.now();

  describe('registration', () => {
    it('registers an asset with its persons, shows it to marketing without any consent text, and audits it', async () => {
      const person = await f.person();
      await f.granted(person, { channels: ['website'] });
      const res = await f.marketing
        .post('/v1/assets', {
          title: 'Fair stand',
          mediaType: 'photo',
          externalRef: 'dam://fair/stand-1',
          sha256: 'A'.repeat(64),
          capturedAt: '2026-01-10T10:00:00Z',
          personIds: [person.toUpperCase()],
        })
        .expect(201);
      expect(res.body).toMatchObject({
        title: 'Fair stand',
        mediaType: 'photo',
        externalRef: 'dam://fair/stand-1',
        sha256: 'a'.repeat(64),
        personIds: [person],
        clearedChannels: ['website'],
        status: 'cleared',
      });
      const detail = await f.marketing.get(`/v1/assets/${res.body.id}`).expect(200);
      expect(JSON.stringify(detail.body)).not.toMatch(/purpose|notice|Photos and videos/i);
      const events = await t.dataSource.query(
        "SELECT canonical FROM audit_events WHERE action = 'asset.registered' AND asset_id = $1",
        [res.body.id],
      );
      const data = JSON.parse(events[0].canonical.toString()).data;
      expect(data).toMatchObject({
        mediaType: 'photo',
        personIds: [person],
        sha256: 'a'.repeat(64),
      });
      expect(JSON.stringify(data)).not.toContain('dam://');
    });

    it('refuses a second asset with the same externalRef', async () => {
      const first = await f.asset([], { externalRef: 'dam://dup-1' });
      const res = await f.marketing
        .post('/v1/assets', {
          title: 'x',
          mediaType: 'video',
          externalRef: 'dam://dup-1',
          personIds: [],
        })
        .expect(409);
      expect(res.body).toMatchObject({
        code: 'ASSET_ALREADY_EXISTS',
        details: { field: 'externalRef', assetId: first },
      });
    });

    it.each([
      [{ mediaType: 'hologram' }, 'mediaType'],
      [{ title: '' }, 'title'],
      [{ externalRef: undefined }, 'externalRef'],
      [{ sha256: 'xyz' }, 'sha256'],
      [{ capturedAt: 'last week' }, 'capturedAt'],
      [{ personIds: ['not-a-uuid'] }, 'personIds'],
      [{ personIds: 'nobody' }, 'personIds'],
      [{ personIds: ['5f0c1f4e-8a55-4c53-9d49-0a0d1ad0c001'] }, 'personIds'],
      [{ owner: 'me' }, 'owner'],
    ])('refuses %j naming %s, and writes nothing', async (overrides, field) => {
      const before = await f.count('SELECT count(*) AS n FROM assets');
      const res = await f.marketing
        .post('/v1/assets', {
          title: 'T',
          mediaType: 'photo',
          externalRef: `dam://bad-${field}`,
          personIds: [],
          ...overrides,
        })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await f.count('SELECT count(*) AS n FROM assets')).toBe(before);
    });

    it('registers in bulk all or nothing, reporting every bad item by index', async () => {
      const person = await f.person();
      const before = await f.count('SELECT count(*) AS n FROM assets');
      const taken = await f.asset([], { externalRef: 'dam://bulk-taken' });
      const bad = await f.marketing
        .post('/v1/assets/bulk', {
          assets: [
            { title: 'ok', mediaType: 'photo', externalRef: 'dam://bulk-a', personIds: [person] },
            { title: 'same ref', mediaType: 'photo', externalRef: 'dam://bulk-a', personIds: [] },
            { title: 'taken', mediaType: 'photo', externalRef: 'dam://bulk-taken', personIds: [] },
            {
              title: 'nobody',
              mediaType: 'photo',
              externalRef: 'dam://bulk-b',
              personIds: ['5f0c1f4e-8a55-4c53-9d49-0a0d1ad0c002'],
            },
            { title: 'bad media', mediaType: 'gif', externalRef: 'dam://bulk-c', personIds: [] },
          ],
        })
        .expect(400);
      expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual([
        'assets.4.mediaType',
      ]);
      const conflicts = await f.marketing
        .post('/v1/assets/bulk', {
          assets: [
            { title: 'ok', mediaType: 'photo', externalRef: 'dam://bulk-a', personIds: [person] },
            { title: 'same ref', mediaType: 'photo', externalRef: 'dam://bulk-a', personIds: [] },
            { title: 'taken', mediaType: 'photo', externalRef: 'dam://bulk-taken', personIds: [] },
            {
              title: 'nobody',
              mediaType: 'photo',
              externalRef: 'dam://bulk-b',
              personIds: ['5f0c1f4e-8a55-4c53-9d49-0a0d1ad0c002'],
            },
          ],
        })
        .expect(400);
      expect(conflicts.body.details.map((d: { field: string }) => d.field)).toEqual([
        'assets.1.externalRef',
        'assets.2.externalRef',
        'assets.3.personIds',
      ]);
      expect(await f.count('SELECT count(*) AS n FROM assets')).toBe(before + 1);
      expect(taken).toBeDefined();
      const ok = await f.marketing
        .post('/v1/assets/bulk', {
          assets: [
            { title: 'ok', mediaType: 'photo', externalRef: 'dam://bulk-a', personIds: [person] },
          ],
        })
        .expect(201);
      expect(ok.body).toMatchObject({ created: 1, items: [{ externalRef: 'dam://bulk-a' }] });
      await f.marketing.post('/v1/assets/bulk', { assets: [] }).expect(400);
      await f.marketing
        .post('/v1/assets/bulk', {
          assets: Array.from({ length: 1001 }, (_, i) => ({
            title: 't',
            mediaType: 'photo',
            externalRef: `r${i}`,
            personIds: [],
          })),
        })
        .expect(400);
    });

    it('lists assets by person and by status with a cursor', async () => {
      const cleared = await f.person();
      await f.granted(cleared, { channels: ['intranet'] });
      const stranger = await f.person();
      const a = await f.asset([cleared]);
      clock.advance(1000);
      const b = await f.asset([cleared, stranger]);
      clock.advance(1000);
      const c = await f.asset([cleared]);
      const first = await f.marketing.get(`/v1/assets?personId=${cleared}&limit=2`).expect(200);
      expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([c, b]);
      const second = await f.marketing
        .get(`/v1/assets?personId=${cleared}&limit=2&cursor=${first.body.nextCursor}`)
        .expect(200);
      expect(second.body.items.map((i: { id: string }) => i.id)).toEqual([a]);
      expect(second.body.nextCursor).toBeNull();
      const blocked = await f.marketing
        .get(`/v1/assets?personId=${cleared}&status=blocked`)
        .expect(200);
      expect(blocked.body.items.map((i: { id: string }) => i.id)).toEqual([b]);
      const onIntranet = await f.marketing
        .get(`/v1/assets?personId=${cleared}&status=cleared&channel=intranet`)
        .expect(200);
      expect(onIntranet.body.items.map((i: { id: string }) => i.id)).toEqual([c, a]);
      await f.marketing.get('/v1/assets?status=maybe').expect(400);
      await f.as(admin).get('/v1/assets').expect(403);
    });
  });

  describe('the clearance rule', () => {
    it('allows an asset with nobody in it everywhere', async () => {
      const asset = await f.asset([]);
      expect(await f.clearance(asset, 'tiktok')).toMatchObject({ allowed: true, reasons: [] });
    });

    it('answers each reason code', async () => {
      const person = async (setup: (id: string) => Promise<unknown>) => {
        const id = await f.person();
        await setup(id);
        return id;
      };
      const cases: [string, string, Date?][] = [];
      const noConsent = await person(() => Promise.resolve());
      cases.push([noConsent, 'NO_CONSENT']);
      cases.push([await person((id) => f.pending(id)), 'PENDING']);
      cases.push([await person((id) => f.refused(id)), 'REFUSED']);
      cases.push([await person(async (id) => f.withdraw(await f.granted(id))), 'WITHDRAWN']);
      const expiring = await person((id) =>
        f.granted(id, { validUntil: new Date(now().getTime() + 10 * DAY) }),
      );
      cases.push([expiring, 'EXPIRED', new Date(now().getTime() + 11 * DAY)]);
      cases.push([
        await person(async (id) =>
          f.hr
            .post(`/v1/consents/${await f.granted(id)}/revoke`, { reason: 'Left the project' })
            .expect(200),
        ),
        'REVOKED',
      ]);
      cases.push([
        await person((id) => f.granted(id, { validFrom: new Date(now().getTime() + 5 * DAY) })),
        'NOT_YET_VALID',
      ]);
      cases.push([
        await person((id) => f.granted(id, { channels: ['website', 'print'] })),
        'CHANNEL_NOT_COVERED',
      ]);
      cases.push([
        await person((id) => f.granted(id, { mediaTypes: ['video'] })),
        'MEDIA_NOT_COVERED',
      ]);
      for (const [personId, code, at] of cases) {
        const asset = await f.asset([personId]);
        const answer = await f.clearance(asset, 'linkedin', at);
        expect({ code, answer }).toMatchObject({
          code,
          answer: { allowed: false, reasons: [{ personId, code }] },
        });
        if (code !== 'NO_CONSENT') expect(answer.reasons[0].consentId).toEqual(expect.any(String));
      }
    });

    it('blocks a group photo on LinkedIn only when one of three withdraws LinkedIn, and a renewal unblocks it', async () => {
      const [a, b, c] = [await f.person(), await f.person(), await f.person()];
      await f.granted(a);
      const bConsent = await f.granted(b);
      await f.granted(c);
      const group = await f.asset([a, b, c]);
      expect((await f.clearance(group, 'linkedin')).allowed).toBe(true);

      const beforeWithdrawal = now();
      clock.advance(60_000);
      await f.withdraw(bConsent, ['linkedin']);
      const linkedin = await f.clearance(group, 'linkedin');
      expect(linkedin).toMatchObject({
        allowed: false,
        reasons: [{ personId: b, code: 'WITHDRAWN', consentId: bConsent }],
      });
      expect(linkedin.reasons).toHaveLength(1);
      expect((await f.clearance(group, 'website')).allowed).toBe(true);
      expect((await f.clearance(group, 'linkedin', beforeWithdrawal)).allowed).toBe(true);
      const blockedEvents = await t.dataSource.query(
        "SELECT canonical FROM audit_events WHERE action = 'asset.blocked' AND asset_id = $1",
        [group],
      );
      expect(
        blockedEvents.map((e: { canonical: Buffer }) => JSON.parse(e.canonical.toString()).data),
      ).toEqual([{ channels: ['linkedin'], cause: 'consent_withdrawn' }]);
      expect(
        (await f.marketing.get(`/v1/assets/${group}`).expect(200)).body.clearedChannels,
      ).toEqual(['website', 'print']);

      clock.advance(60_000);
      await f.granted(b, { channels: ['linkedin'] });
      expect((await f.clearance(group, 'linkedin')).allowed).toBe(true);
      const unblocked = await t.dataSource.query(
        "SELECT canonical FROM audit_events WHERE action = 'asset.unblocked' AND asset_id = $1",
        [group],
      );
      expect(unblocked).toHaveLength(1);
      expect(JSON.parse(unblocked[0].canonical.toString()).data).toEqual({
        channels: ['linkedin'],
        cause: 'consent_granted',
      });
    });

    it('answers a past instant with what was allowed then', async () => {
      const person = await f.person();
      const consent = await f.granted(person);
      const asset = await f.asset([person]);
      const grantedAt = now();
      clock.advance(DAY);
      await f.withdraw(consent);
      expect((await f.clearance(asset, 'website')).reasons[0]).toMatchObject({
        code: 'WITHDRAWN',
        since: now().toISOString(),
      });
      expect(
        (await f.clearance(asset, 'website', new Date(grantedAt.getTime() + DAY / 2))).allowed,
      ).toBe(true);
      expect(
        (await f.clearance(asset, 'website', new Date(grantedAt.getTime() - 10 * DAY))).reasons[0]
          .code,
      ).toBe('NO_CONSENT');
    });

    it('refuses bad questions with 400 and unknown assets with 404', async () => {
      const asset = await f.asset([]);
      await f.marketing.get(`/v1/assets/${asset}/clearance`).expect(400);
      await f.marketing.get(`/v1/assets/${asset}/clearance?channel=myspace`).expect(400);
      await f.marketing.get(`/v1/assets/${asset}/clearance?channel=x&at=soon`).expect(400);
      await f.marketing.get('/v1/assets/nope/clearance?channel=x').expect(400);
      await f.marketing
        .get('/v1/assets/5f0c1f4e-8a55-4c53-9d49-0a0d1ad0c003/clearance?channel=x')
        .expect(404);
    });
  });

  describe('PUT /v1/assets/:id/persons', () => {
    it('replaces who appears, audits it and judges the asset again at once', async () => {
      const covered = await f.person();
      await f.granted(covered);
      const stranger = await f.person();
      const asset = await f.asset([covered]);
      const res = await f.marketing
        .put(`/v1/assets/${asset}/persons`, { personIds: [covered, stranger] })
        .expect(200);
      expect(res.body).toMatchObject({
        personIds: [covered, stranger].sort(),
        clearedChannels: [],
        status: 'blocked',
      });
      const events = await t.dataSource.query(
        "SELECT action, canonical FROM audit_events WHERE asset_id = $1 AND action IN ('asset.subjects_changed','asset.blocked') ORDER BY seq",
        [asset],
      );
      expect(events.map((e: { action: string }) => e.action)).toEqual([
        'asset.subjects_changed',
        'asset.blocked',
      ]);
      expect(JSON.parse(events[1].canonical.toString()).data).toEqual({
        channels: ['website', 'linkedin', 'print'],
        cause: 'persons_changed',
      });
      await f.marketing
        .put(`/v1/assets/${asset}/persons`, { personIds: ['5f0c1f4e-8a55-4c53-9d49-0a0d1ad0c004'] })
        .expect(400);
      await f.marketing
        .put('/v1/assets/5f0c1f4e-8a55-4c53-9d49-0a0d1ad0c004/persons', { personIds: [] })
        .expect(404);
      const back = await f.marketing
        .put(`/v1/assets/${asset}/persons`, { personIds: [covered] })
        .expect(200);
      expect(back.body.clearedChannels).toEqual(['website', 'linkedin', 'print']);
    });
  });

  describe('bulk clearance', () => {
    it('answers 5,000 assets with three SQL statements at most (two at once), and 2 with one', async () => {
      const people = [await f.person(), await f.person(), await f.person()];
      await f.granted(people[0]);
      await f.granted(people[1], { channels: ['website'] });
      const ids = await f.assets(5000, (i) => [people[i % 3], people[(i + 1) % 3]]);
      // Count every statement any pg client sends, once queued work (mails of the grants) is done.
      await waitFor(
        async () =>
          (await f.count(
            'SELECT count(*) AS n FROM queued_jobs WHERE done_at IS NULL AND run_at <= $1',
            [clock.now()],
          )) === 0,
        {
          what: 'queued jobs done',
        },
      );
      const queries: string[] = [];
      const original = Client.prototype.query;
      const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (
        this: Client,
        ...args: unknown[]
      ) {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        // The API key's lookup is left out too: whether it runs depends on the key cache.
        if (!/queued_jobs|api_keys|^(START TRANSACTION|COMMIT|ROLLBACK)/.test(text)) queries.push(text);
        return Reflect.apply(original, this, args);
      } as never);
      try {
        const unknown = '5f0c1f4e-8a55-4c53-9d49-0a0d1ad0c005';
        const started = performance.now();
        const big = await f.marketing
          .post('/v1/clearance', { channel: 'website', assetIds: [...ids, unknown] })
          .expect(200);
        const elapsed = performance.now() - started;
        const bigCount = queries.length;
        // Assets with who is in them and the persons' versions, in two halves read at once, then
        // the facts of the persons not already known at that version: here all of them.
        expect(bigCount).toBe(3);
        expect(queries.filter((q) => q.includes('asset_persons'))).toHaveLength(2);
        queries.length = 0;
        await f.marketing
          .post('/v1/clearance', { channel: 'website', assetIds: ids.slice(0, 2) })
          .expect(200);
        // Same persons, same versions: their facts are not read again.
        expect(queries).toHaveLength(1);
        expect(big.body.items).toHaveLength(5000);
        expect(big.body.unknownAssetIds).toEqual([unknown]);
        expect(big.body.items[0]).toMatchObject({ assetId: ids[0], allowed: true });
        expect(big.body.items[1]).toMatchObject({
          assetId: ids[1],
          allowed: false,
          reasons: [{ personId: people[2], code: 'NO_CONSENT' }],
        });
        process.stdout.write(
          `bulk clearance of 5,000 assets: ${bigCount} statements, ${elapsed.toFixed(0)} ms over HTTP\n`,
        );
      } finally {
        spy.mockRestore();
      }
      // A change to a person's consents is seen by the next bulk answer.
      const before = await f.marketing
        .post('/v1/clearance', { channel: 'website', assetIds: ids.slice(0, 3) })
        .expect(200);
      expect(before.body.items[0]).toMatchObject({ assetId: ids[0], allowed: true });
      const consentOf0 = await t.dataSource.query<{ id: string }[]>(
        "SELECT id FROM consents WHERE person_id = $1 AND status = 'granted'",
        [people[0]],
      );
      await f.withdraw(consentOf0[0].id, ['website']);
      const after = await f.marketing
        .post('/v1/clearance', { channel: 'website', assetIds: ids.slice(0, 3) })
        .expect(200);
      expect(after.body.items[0]).toMatchObject({
        assetId: ids[0],
        allowed: false,
        reasons: [{ personId: people[0], code: 'WITHDRAWN' }],
      });
      await f.marketing.post('/v1/clearance', { channel: 'website', assetIds: ['x'] }).expect(400);
      await f.marketing.post('/v1/clearance', { channel: 'website', assetIds: [] }).expect(400);
      await f.marketing.post('/v1/clearance', { assetIds: ids.slice(0, 1) }).expect(400);
    });
  });
  describe('single checks asked at once', () => {
    it('share one statement, and each gets the answer it would get alone', async () => {
      const [granted, refused, nobody] = [await f.person(), await f.person(), await f.person()];
      await f.granted(granted, { channels: ['website', 'linkedin'] });
      await f.refused(refused);
      const assets = [
        await f.asset([granted]),
        await f.asset([refused, granted]),
        await f.asset([nobody]),
        await f.asset([]),
      ];
      const unknown = '5f0c1f4e-8a55-4c53-9d49-0a0d1ad0c777';
      const checks = t.app.get(ClearanceService);
      const ask = (assetId: string) =>
        checks.check(assetId, 'linkedin', now()).then(
          (answer) => ({ allowed: answer.allowed, reasons: answer.reasons }),
          (error: Error) => error.constructor.name,
        );
      const alone = [];
      for (const id of [...assets, unknown]) alone.push(await ask(id));

      let statements = 0;
      const original = Client.prototype.query;
      const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (
        this: Client,
        ...args: unknown[]
      ) {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        if (text.includes('person_clearance_facts')) statements += 1;
        return Reflect.apply(original, this, args);
      } as never);
      try {
        const asked = [...assets, unknown, ...assets, assets[0]];
        const together = await Promise.all(asked.map(ask));
        expect(statements).toBe(1);
        expect(together).toEqual([...alone, ...alone.slice(0, 4), alone[0]]);
      } finally {
        spy.mockRestore();
      }
      expect(alone[0]).toEqual({ allowed: true, reasons: [] });
      expect(alone[1]).toMatchObject({ allowed: false, reasons: [{ personId: refused, code: 'REFUSED' }] });
      expect(alone[2]).toMatchObject({ allowed: false, reasons: [{ personId: nobody, code: 'NO_CONSENT' }] });
      expect(alone[3]).toEqual({ allowed: true, reasons: [] });
      expect(alone[4]).toBe('NotFound');
    });
  });
});
