import * as crypto from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import request from 'supertest';
import { ApiKeysService } from 'src/api-keys/api-keys.service';
import { ROLES, Role } from 'src/common/auth/roles';
import { errorShapeProblems } from 'test/support/error-shape';
import { csrfOf, Journey } from 'test/support/journey';
import {
  apiOperations,
  fillPath,
  HttpMethod,
  INFRASTRUCTURE_ROUTES,
  PAGE_ROUTES,
  registeredRoutes,
} from 'test/support/route-catalog';
import { SmtpSink } from 'test/support/smtp-sink';
import { changedTables, tableCounter } from 'test/support/table-counts';
import { startTestApp, TestApp } from 'test/support/test-app';

type Caller = 'no key' | 'malformed key' | 'unknown key' | 'revoked key' | Role;
const CALLERS: Caller[] = ['no key', 'malformed key', 'unknown key', 'revoked key', ...ROLES];

describe('who may call what', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let journey: Journey;
  let authorization: Record<Caller, string | undefined>;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    t = await startTestApp({ env: { SMTP_URL: smtp.url } });
    const keys = {
      admin: await t.keyFor('admin'),
      hr_legal: await t.keyFor('hr_legal'),
      marketing: await t.keyFor('marketing'),
    };
    const revoked = await t.app
      .get(ApiKeysService)
      .create('revoked admin', 'admin', { type: 'system', id: 'test' });
    await t.app.get(ApiKeysService).revoke(revoked.key.id, { type: 'system', id: 'test' });
    authorization = {
      'no key': undefined,
      'malformed key': 'Bearer not-a-key',
      'unknown key': `Bearer clk_${crypto.randomBytes(32).toString('base64url')}`,
      'revoked key': `Bearer ${revoked.plaintext}`,
      admin: `Bearer ${keys.admin}`,
      hr_legal: `Bearer ${keys.hr_legal}`,
      marketing: `Bearer ${keys.marketing}`,
    };
    journey = new Journey(t, smtp, keys.hr_legal);
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const inject = (options: {
    method: HttpMethod;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
    remoteAddress?: string;
  }) =>
    t.app
      .getHttpAdapter()
      .getInstance()
      .inject({ ...options, remoteAddress: options.remoteAddress ?? '127.0.0.1' });

  describe('staff routes (/v1), from the live OpenAPI document', () => {
    it('declares the roles of every operation (x-roles)', () => {
      const undeclared = apiOperations(t.app).filter(
        (operation) => !operation.roles || operation.roles.length === 0,
      );
      expect(undeclared.map((operation) => operation.label)).toEqual([]);
    });

    it('serves no route outside the documented API, the listed pages and the infrastructure routes', () => {
      const documented = new Set(
        apiOperations(t.app).map((operation) => `${operation.method} ${operation.path}`),
      );
      const listed = new Set(
        [...PAGE_ROUTES, ...INFRASTRUCTURE_ROUTES].map((route) => `${route.method} ${route.path}`),
      );
      const served = registeredRoutes(t.app).map((route) => `${route.method} ${route.path}`);
      expect(served.length).toBeGreaterThan(documented.size);
      expect(served.filter((route) => !documented.has(route) && !listed.has(route))).toEqual([]);
      expect(
        [...PAGE_ROUTES]
          .map((route) => `${route.method} ${route.path}`)
          .filter((route) => !served.includes(route)),
      ).toEqual([]);
    });

    it('answers 401 without a valid key, 403 to a role not admitted, and lets an admitted role through', async () => {
      const mismatches: string[] = [];
      let calls = 0;
      for (const operation of apiOperations(t.app)) {
        const url = fillPath(
          operation.path,
          Object.fromEntries(operation.pathParams.map((name) => [name, crypto.randomUUID()])),
        );
        const json = operation.body?.contentTypes.includes('application/json');
        for (const caller of CALLERS) {
          const response = await inject({
            method: operation.method,
            url,
            headers: {
              ...(authorization[caller] ? { authorization: authorization[caller] } : {}),
              ...(json ? { 'content-type': 'application/json' } : {}),
            },
            payload: json ? '{}' : undefined,
          });
          calls += 1;
          const expected = expectedStatus(caller, operation.roles ?? []);
          const status = response.statusCode;
          const ok =
            expected === 'admitted'
              ? status !== 401 && status !== 403 && status < 500
              : status === expected;
          if (!ok)
            mismatches.push(`${operation.label} as ${caller}: expected ${expected}, got ${status}`);
          if (status === 401 || status === 403) {
            const problems = errorShapeProblems(
              status,
              String(response.headers['content-type']),
              response.body,
            );
            if (problems.length > 0)
              mismatches.push(`${operation.label} as ${caller}: ${problems.join('; ')}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(calls).toBe(apiOperations(t.app).length * CALLERS.length);
    });
  });

  describe('employee links', () => {
    const bodyWithoutIds = (response: LightMyRequestResponse) =>
      response.body.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '');

    it("never lets one person's manage link read or change another person's consent or evidence", async () => {
      const alice = await journey.grantedConsent(['website', 'linkedin']);
      const bob = await journey.grantedConsent(['website', 'instagram']);
      const bobDocuments = await t.dataSource.query<{ id: string }[]>(
        'SELECT id FROM evidence_documents WHERE consent_id = $1',
        [bob.consentId],
      );
      // The grants' confirmation mails make link tokens when they are sent: let them go first.
      await journey.settled();
      const counts = await tableCounter(t.dataSource);
      const before = await counts();

      const browser = request.agent(t.http);
      const alicePage = await browser.get(alice.managePath).expect(200);
      expect(alicePage.text).toContain(alice.consentId);
      expect(alicePage.text).not.toContain(bob.consentId);
      expect(alicePage.text).not.toContain(bob.person.email);
      expect(alicePage.text).not.toContain(bob.person.fullName);

      await browser.get(`${alice.managePath}/consents/${bob.consentId}/withdraw`).expect(404);
      const ownConfirm = await browser
        .get(`${alice.managePath}/consents/${alice.consentId}/withdraw`)
        .expect(200);
      const csrf = encodeURIComponent(csrfOf(ownConfirm.text));
      await browser
        .post(`${alice.managePath}/consents/${bob.consentId}/withdraw`)
        .type('form')
        .send(`_csrf=${csrf}`)
        .expect(404);
      await browser
        .post(`${alice.managePath}/consents/${bob.consentId}/withdraw`)
        .type('form')
        .send(`_csrf=${csrf}&channel=instagram`)
        .expect(404);
      for (const document of bobDocuments) {
        await browser
          .get(`${alice.managePath}/consents/${bob.consentId}/documents/${document.id}.pdf`)
          .expect(404);
        await browser
          .get(`${alice.managePath}/consents/${alice.consentId}/documents/${document.id}.pdf`)
          .expect(404);
      }
      await request(t.http).get(alice.signPath).expect(410);

      expect(changedTables(before, await counts())).toEqual([]);
      const bobConsent = await journey.hr().get(`/v1/consents/${bob.consentId}`).expect(200);
      expect(bobConsent.body.status).toBe('granted');
      expect(bobConsent.body.acceptedChannels.sort()).toEqual(['instagram', 'website']);
    });

    it('takes a sign link for no manage link and a manage link for no sign link', async () => {
      const person = await journey.person();
      const pending = await journey.requestConsent(person.id);
      const signPath = await journey.linkFromMail(person.email, '/s/');
      const signToken = signPath.split('/')[2];
      const granted = await journey.grantedConsent();
      const manageToken = granted.managePath.split('/')[2];

      await request(t.http).get(`/m/${signToken}`).expect(404);
      await request(t.http).get(`/m/${signToken}/consents/${pending.id}/withdraw`).expect(404);
      await request(t.http).get(`/s/${manageToken}`).expect(404);
      const browser = request.agent(t.http);
      const csrf = encodeURIComponent(csrfOf((await browser.get('/me').expect(200)).text));
      await browser
        .post(`/s/${manageToken}/accept`)
        .type('form')
        .send(`_csrf=${csrf}&channels=website&fullName=x&read=yes`)
        .expect(404);
      await browser
        .post(`/s/${manageToken}/decline`)
        .type('form')
        .send(`_csrf=${csrf}`)
        .expect(404);
      await browser
        .post(`/m/${signToken}/consents/${pending.id}/withdraw`)
        .type('form')
        .send(`_csrf=${csrf}`)
        .expect(404);

      expect((await journey.hr().get(`/v1/consents/${pending.id}`).expect(200)).body.status).toBe(
        'pending',
      );
      expect(
        (await journey.hr().get(`/v1/consents/${granted.consentId}`).expect(200)).body.status,
      ).toBe('granted');
    });

    it('takes a link token for no API key', async () => {
      const granted = await journey.grantedConsent();
      const manageToken = granted.managePath.split('/')[2];
      for (const scheme of ['Bearer', 'bearer']) {
        const res = await request(t.http)
          .get('/v1/persons')
          .set('authorization', `${scheme} ${manageToken}`)
          .expect(401);
        expect(res.body.code).toBe('UNAUTHENTICATED');
      }
    });

    it('compares link tokens by their hash in constant time, and a near miss looks like any unknown link', async () => {
      const granted = await journey.grantedConsent();
      const token = granted.managePath.split('/')[2];
      // The module object itself: `import * as` hands this file a copy, which the service never calls.
      const compare = jest.spyOn(
        jest.requireActual<typeof crypto>('node:crypto'),
        'timingSafeEqual',
      );
      try {
        await request(t.http).get(granted.managePath).expect(200);
        expect(compare).toHaveBeenCalled();
        const [a, b] = compare.mock.calls[0] as [Buffer, Buffer];
        expect([a.length, b.length]).toEqual([32, 32]);
        expect(a.toString('latin1')).not.toContain(token);
      } finally {
        compare.mockRestore();
      }
      const lastChar = token.endsWith('A') ? 'B' : 'A';
      const nearMiss = await inject({ method: 'GET', url: `/m/${token.slice(0, -1)}${lastChar}` });
      const madeUp = await inject({
        method: 'GET',
        url: `/m/${crypto.randomBytes(32).toString('base64url')}`,
      });
      expect(nearMiss.statusCode).toBe(404);
      expect(madeUp.statusCode).toBe(404);
      expect(bodyWithoutIds(nearMiss)).toBe(bodyWithoutIds(madeUp));
    });

    it('answers 429 in the error shape once a client address passes the limit of a link page or /me', async () => {
      const limited = PAGE_ROUTES.filter((route) => route.rateLimit !== undefined);
      expect(limited.length).toBeGreaterThanOrEqual(8);
      const failures: string[] = [];
      for (const [index, route] of limited.entries()) {
        const limit = route.rateLimit as number;
        const url = fillPath(route.path, {
          token: crypto.randomBytes(32).toString('base64url'),
          consentId: crypto.randomUUID(),
          documentId: crypto.randomUUID(),
        });
        const send = (remoteAddress: string, forwardedFor: string) =>
          inject({
            method: route.method,
            url,
            remoteAddress,
            headers: { 'x-forwarded-for': forwardedFor },
          });
        const address = `203.0.113.${index + 1}`;
        const answers: number[] = [];
        // Each request claims another origin in X-Forwarded-For: a client on the internet is no trusted proxy.
        for (let n = 0; n < limit; n += 1)
          answers.push((await send(address, `198.51.100.${n % 250}`)).statusCode);
        const over = await send(address, '198.51.100.251');
        const elsewhere = await send(`198.18.0.${index + 1}`, '198.51.100.252');
        if (answers.includes(429))
          failures.push(`${route.method} ${route.path}: 429 before the limit of ${limit}`);
        if (over.statusCode !== 429)
          failures.push(
            `${route.method} ${route.path}: request ${limit + 1} answered ${over.statusCode}, not 429`,
          );
        else
          failures.push(
            ...errorShapeProblems(429, String(over.headers['content-type']), over.body).map(
              (p) => `${route.path}: ${p}`,
            ),
          );
        if (elsewhere.statusCode === 429)
          failures.push(`${route.method} ${route.path}: another address was limited too`);
      }
      expect(failures).toEqual([]);
    });
  });
});

function expectedStatus(caller: Caller, roles: Role[]): 401 | 403 | 'admitted' {
  switch (caller) {
    case 'no key':
    case 'malformed key':
    case 'unknown key':
    case 'revoked key':
      return 401;
    case 'admin':
    case 'hr_legal':
    case 'marketing':
      return roles.includes(caller) ? 'admitted' : 403;
  }
}
