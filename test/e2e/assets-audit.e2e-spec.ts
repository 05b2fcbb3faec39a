import request from 'supertest';
import { AssetFixtures } from 'test/support/asset-fixtures';
import { startTestApp, TestApp } from 'test/support/test-app';

/** Every state change of marketing's and admins' own records is in the audit log too. */
describe('audit of publications and webhooks', () => {
  let t: TestApp;
  let f: AssetFixtures;

  beforeAll(async () => {
    t = await startTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
    f = new AssetFixtures(t, { hr: await t.keyFor('hr_legal'), marketing: await t.keyFor('marketing') });
  });
  afterAll(() => t.close());

  const actions = async (action: string) =>
    (await t.dataSource.query<{ canonical: Buffer }[]>('SELECT canonical FROM audit_events WHERE action = $1', [action])).map(
      (row) => JSON.parse(row.canonical.toString('utf8')) as { data: Record<string, unknown> },
    );

  it('records a publication removed by hand', async () => {
    const person = await f.person();
    await f.granted(person, { channels: ['website'] });
    const asset = await f.asset([person]);
    const publication = await f.marketing.post(`/v1/assets/${asset}/publications`, { channel: 'website', location: 'https://example.com/team' }).expect(201);
    await f.marketing.post(`/v1/publications/${publication.body.id}/removed`, { removedAt: t.clock.now().toISOString(), note: 'page redesigned' }).expect(200);
    expect((await actions('publication.removed')).map((e) => e.data.publicationId)).toEqual([publication.body.id]);
  });

  it('records webhook registration and deactivation, without the secret or the URL', async () => {
    const admin = await t.keyFor('admin');
    const created = await request(t.http)
      .post('/v1/webhooks')
      .set('authorization', `Bearer ${admin}`)
      .send({ url: 'http://127.0.0.1:9/hook', events: ['asset.blocked'] })
      .expect(201);
    await request(t.http).delete(`/v1/webhooks/${created.body.id}`).set('authorization', `Bearer ${admin}`).expect(200);
    const registered = await actions('webhook.registered');
    expect(registered.map((e) => e.data.webhookId)).toEqual([created.body.id]);
    expect(JSON.stringify(registered)).not.toContain(created.body.secret);
    expect(JSON.stringify(registered)).not.toContain('127.0.0.1');
    expect((await actions('webhook.deactivated')).map((e) => e.data.webhookId)).toEqual([created.body.id]);
  });
});
