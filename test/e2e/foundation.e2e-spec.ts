import request from 'supertest';
import { startTestApp, TestApp } from 'test/support/test-app';

describe('service foundation', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.keyFor('admin');
  });
  afterAll(() => t.close());

  const expectErrorShape = (body: Record<string, unknown>, status: number, code: string) => {
    expect(body).toMatchObject({ statusCode: status, code, requestId: expect.any(String) });
    expect(typeof body.message).toBe('string');
    expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+/);
  };

  it('reports the database and the queue backend as up on /health', async () => {
    const res = await request(t.http).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database.status).toBe('up');
    expect(res.body.info.queue).toEqual({ status: 'up', backend: 'redis' });
  });

  it('serves the OpenAPI UI at /docs and the document at /docs-json', async () => {
    await request(t.http).get('/docs').expect(200).expect('content-type', /html/);
    const doc = await request(t.http).get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  describe('staff API keys', () => {
    it('answers 401 with no key, a malformed key or an unknown key', async () => {
      for (const authorization of [undefined, 'Bearer nope', `Bearer clk_${'A'.repeat(43)}`, 'Basic abc']) {
        const req = request(t.http).get('/v1/api-keys');
        if (authorization) void req.set('authorization', authorization);
        const res = await req.expect(401);
        expectErrorShape(res.body, 401, 'UNAUTHENTICATED');
      }
    });

    it('answers 403 when the role is not allowed on the route', async () => {
      const marketing = await t.keyFor('marketing');
      const res = await request(t.http).get('/v1/api-keys').set('authorization', `Bearer ${marketing}`).expect(403);
      expectErrorShape(res.body, 403, 'FORBIDDEN');
    });

    it('creates a key shown once, stores only its hash, and revokes it at once', async () => {
      const created = await request(t.http)
        .post('/v1/api-keys')
        .set('authorization', `Bearer ${admin}`)
        .send({ name: 'Marketing team', role: 'marketing' })
        .expect(201);
      expect(created.body.key).toMatch(/^clk_[A-Za-z0-9_-]{43}$/);
      const stored = await t.dataSource.query('SELECT key_hash FROM api_keys WHERE id = $1', [created.body.id]);
      expect(stored[0].key_hash.toString('hex')).not.toContain(Buffer.from(created.body.key).toString('hex'));

      const list = await request(t.http).get('/v1/api-keys').set('authorization', `Bearer ${admin}`).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(created.body.key);
      expect(list.body.items.map((k: { id: string }) => k.id)).toContain(created.body.id);

      await request(t.http).delete(`/v1/api-keys/${created.body.id}`).set('authorization', `Bearer ${admin}`).expect(200);
      await request(t.http).get('/v1/api-keys').set('authorization', `Bearer ${created.body.key}`).expect(401);
      const again = await request(t.http)
        .delete(`/v1/api-keys/${created.body.id}`)
        .set('authorization', `Bearer ${admin}`)
        .expect(409);
      expectErrorShape(again.body, 409, 'CONFLICT');
    });
  });

  describe('bad input', () => {
    const count = async () => Number((await t.dataSource.query('SELECT count(*) AS n FROM api_keys'))[0].n);
    const post = (body: string | object, type = 'application/json') =>
      request(t.http).post('/v1/api-keys').set('authorization', `Bearer ${admin}`).set('content-type', type).send(body);

    it('answers 400 naming each invalid field, and writes nothing', async () => {
      const before = await count();
      const res = await post({ name: '', role: 'owner' }).expect(400);
      expectErrorShape(res.body, 400, 'VALIDATION_FAILED');
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['name', 'role']);
      expect(await count()).toBe(before);
    });

    it('refuses unknown fields and wrong types by name', async () => {
      const res = await post({ name: 'x', role: 'admin', isSuperuser: true }).expect(400);
      expect(res.body.details).toEqual([{ field: 'isSuperuser', problems: [expect.stringContaining('should not exist')] }]);
      const typed = await post({ name: 42, role: 'admin' }).expect(400);
      expect(typed.body.details[0].field).toBe('name');
    });

    it('answers 400 MALFORMED_JSON for a body that is not JSON', async () => {
      const res = await post('{"name": "x",').expect(400);
      expectErrorShape(res.body, 400, 'MALFORMED_JSON');
    });

    it('answers 400 for a JSON body that is not an object', async () => {
      for (const body of ['[]', '"text"', '42', 'null']) {
        const res = await post(body).expect(400);
        expectErrorShape(res.body, 400, res.body.code);
        expect(['VALIDATION_FAILED', 'MALFORMED_JSON']).toContain(res.body.code);
      }
    });

    it('answers 413 for a body over 1 MB', async () => {
      const res = await post({ name: 'x'.repeat(1_100_000), role: 'admin' }).expect(413);
      expectErrorShape(res.body, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 415 for an unsupported content type', async () => {
      const res = await post('<name>x</name>', 'application/xml').expect(415);
      expectErrorShape(res.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers 400 naming the parameter for a bad UUID', async () => {
      const res = await request(t.http).delete('/v1/api-keys/not-a-uuid').set('authorization', `Bearer ${admin}`).expect(400);
      expectErrorShape(res.body, 400, 'VALIDATION_FAILED');
      expect(res.body.details[0].field).toBe('id');
    });

    it('answers 404 in the error shape for an unknown route and an unknown id', async () => {
      const route = await request(t.http).get('/v1/nothing-here').expect(404);
      expectErrorShape(route.body, 404, 'NOT_FOUND');
      const id = await request(t.http)
        .delete('/v1/api-keys/00000000-0000-4000-8000-000000000000')
        .set('authorization', `Bearer ${admin}`)
        .expect(404);
      expectErrorShape(id.body, 404, 'NOT_FOUND');
    });

    it('echoes a caller request id and makes one otherwise', async () => {
      const given = await request(t.http).get('/v1/nothing').set('x-request-id', 'trace-12345678').expect(404);
      expect(given.body.requestId).toBe('trace-12345678');
      expect(given.headers['x-request-id']).toBe('trace-12345678');
      const made = await request(t.http).get('/v1/nothing').expect(404);
      expect(made.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
