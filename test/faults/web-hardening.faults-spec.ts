import { randomBytes, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import request from 'supertest';
import { errorShapeProblems } from 'test/support/error-shape';
import { csrfOf, Journey } from 'test/support/journey';
import {
  apiOperations,
  fillPath,
  HttpMethod,
  INFRASTRUCTURE_ROUTES,
  PAGE_ROUTES,
} from 'test/support/route-catalog';
import { SmtpSink } from 'test/support/smtp-sink';
import { changedTables, tableCounter } from 'test/support/table-counts';
import { startTestApp, TestApp } from 'test/support/test-app';

const MB = 1024 * 1024;

/** Headers every response carries, whatever answered it. */
const ALWAYS = {
  'x-content-type-options': /^nosniff$/,
  'x-frame-options': /^(DENY|SAMEORIGIN)$/,
  'referrer-policy': /no-referrer/,
  'x-request-id': /^\S{8,64}$/,
};
/** And what helmet adds to everything routed. */
const ROUTED = {
  ...ALWAYS,
  'strict-transport-security': /max-age=\d{7,}/,
  'cross-origin-opener-policy': /same-origin/,
  'cross-origin-resource-policy': /same-origin/,
  'x-dns-prefetch-control': /off/,
};

describe('web hardening', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let journey: Journey;
  let hr: string;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    t = await startTestApp({ env: { SMTP_URL: smtp.url } });
    hr = await t.keyFor('hr_legal');
    journey = new Journey(t, smtp, hr);
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const inject = (
    method: HttpMethod,
    url: string,
    headers: Record<string, string> = {},
    payload?: string | Buffer,
  ) =>
    t.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method,
        url,
        headers,
        payload,
        remoteAddress: `10.9.${randomBytes(1)[0]}.${randomBytes(1)[0]}`,
      });

  const missingHeaders = (
    label: string,
    response: LightMyRequestResponse,
    expected: Record<string, RegExp>,
  ): string[] => [
    ...Object.entries(expected)
      .filter(([name, pattern]) => !pattern.test(String(response.headers[name] ?? '')))
      .map(([name]) => `${label} (${response.statusCode}) lacks ${name}`),
    ...(response.headers['x-powered-by'] ? [`${label} sends x-powered-by`] : []),
  ];

  it('sends the security headers on every route, on errors and on requests no route answers', async () => {
    const token = randomBytes(32).toString('base64url');
    const values = { token, consentId: randomUUID(), documentId: randomUUID(), id: randomUUID() };
    const problems: string[] = [];
    for (const operation of apiOperations(t.app)) {
      const url = fillPath(operation.path, values);
      problems.push(
        ...missingHeaders(
          `${operation.label} without a key`,
          await inject(operation.method, url),
          ROUTED,
        ),
      );
      problems.push(
        ...missingHeaders(
          `${operation.label} as hr_legal`,
          await inject(operation.method, url, { authorization: `Bearer ${hr}` }),
          ROUTED,
        ),
      );
    }
    for (const route of [...PAGE_ROUTES, ...INFRASTRUCTURE_ROUTES].filter(
      (r) => !r.path.includes('*'),
    )) {
      problems.push(
        ...missingHeaders(
          `${route.method} ${route.path}`,
          await inject(route.method, fillPath(route.path, values)),
          ROUTED,
        ),
      );
    }
    problems.push(
      ...missingHeaders('an unknown route', await inject('GET', '/nothing/here'), ROUTED),
    );
    problems.push(
      ...missingHeaders(
        'malformed JSON',
        await inject(
          'POST',
          '/v1/persons',
          { authorization: `Bearer ${hr}`, 'content-type': 'application/json' },
          '{"a":',
        ),
        ROUTED,
      ),
    );
    problems.push(
      ...missingHeaders(
        'a body over the limit',
        await inject(
          'POST',
          '/v1/persons',
          { authorization: `Bearer ${hr}`, 'content-type': 'application/json' },
          `"${'x'.repeat(MB + 10)}"`,
        ),
        ROUTED,
      ),
    );
    problems.push(
      ...missingHeaders('a badly encoded URL', await inject('GET', '/v1/persons/%zz'), ALWAYS),
    );
    problems.push(
      ...missingHeaders(
        'an over-long path segment',
        await inject('GET', `/s/${'a'.repeat(500)}`),
        ALWAYS,
      ),
    );
    expect(problems).toEqual([]);
  });

  it('gives every page a strict Content-Security-Policy and no script', async () => {
    const granted = await journey.grantedConsent();
    const person = await journey.person();
    await journey.requestConsent(person.id);
    const signPath = await journey.linkFromMail(person.email, '/s/');
    const pages = [
      await request(t.http).get('/me'),
      await request(t.http).get(signPath),
      await request(t.http).get(granted.managePath),
      await request(t.http).get(`${granted.managePath}/consents/${granted.consentId}/withdraw`),
      await request(t.http).get(`/s/${randomBytes(32).toString('base64url')}`),
      await request(t.http).get(granted.signPath),
      await request(t.http).post('/me').type('form').send('email=x@example.com'),
    ];
    expect(pages.map((page) => page.status)).toEqual([200, 200, 200, 200, 404, 410, 403]);
    for (const page of pages) {
      const csp = String(page.headers['content-security-policy'] ?? '');
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(page.headers['cache-control']).toMatch(/no-store/);
      expect(page.text).not.toMatch(/<script|\son\w+=|javascript:/i);
    }
  });

  it('refuses every form post without a matching CSRF token, and changes nothing', async () => {
    const granted = await journey.grantedConsent(['website', 'linkedin']);
    const person = await journey.person();
    const pending = await journey.requestConsent(person.id);
    const signPath = await journey.linkFromMail(person.email, '/s/');
    await journey.settled();
    const counts = await tableCounter(t.dataSource);
    const before = await counts();

    const victim = request.agent(t.http);
    const attacker = request.agent(t.http);
    const victimToken = csrfOf((await victim.get('/me').expect(200)).text);
    const attackerToken = csrfOf((await attacker.get('/me').expect(200)).text);
    expect(victimToken).not.toBe('');
    const forms: Record<string, string> = {
      [`${signPath}/accept`]: `channels=website&fullName=${encodeURIComponent(person.fullName)}&read=yes`,
      [`${signPath}/decline`]: '',
      [`${granted.managePath}/consents/${granted.consentId}/withdraw`]: 'channel=linkedin',
      '/me': `email=${encodeURIComponent(granted.person.email)}`,
    };
    expect(Object.keys(forms)).toHaveLength(PAGE_ROUTES.filter((route) => route.form).length);
    const problems: string[] = [];
    for (const [path, fields] of Object.entries(forms)) {
      const attempts = {
        'no token, no cookie': request(t.http).post(path),
        'a token without its cookie': request(t.http).post(path),
        "another browser's token": victim.post(path),
        'a forged token': victim.post(path),
        'the token in a query string': victim.post(
          `${path}?_csrf=${encodeURIComponent(victimToken)}`,
        ),
      };
      const tokens: Record<keyof typeof attempts, string> = {
        'no token, no cookie': '',
        'a token without its cookie': victimToken,
        "another browser's token": attackerToken,
        'a forged token': 'forged',
        'the token in a query string': '',
      };
      for (const [attempt, post] of Object.entries(attempts)) {
        const token = tokens[attempt as keyof typeof attempts];
        // Through the trusted loopback proxy, each attempt from its own address: /me allows only 5 posts.
        const response = await post
          .set('x-forwarded-for', `192.0.2.${Object.keys(attempts).indexOf(attempt) + 1}`)
          .type('form')
          .send(token ? `${fields}&_csrf=${encodeURIComponent(token)}` : fields);
        if (response.status !== 403) problems.push(`${path} with ${attempt}: ${response.status}`);
      }
    }
    expect(problems).toEqual([]);
    expect(changedTables(before, await counts())).toEqual([]);
    expect((await journey.hr().get(`/v1/consents/${pending.id}`).expect(200)).body.status).toBe(
      'pending',
    );

    const cookie = String((await request(t.http).get('/me')).headers['set-cookie']);
    expect(cookie).toMatch(/_csrf=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
  });

  it('refuses bodies over their limit with 413 in the error shape', async () => {
    const auth = { authorization: `Bearer ${hr}` };
    const pending = await journey.requestConsent((await journey.person()).id);
    const boundary = 'limitboundary';
    const bigPdf = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="acceptedChannels"\r\n\r\nwebsite\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`,
      ),
      Buffer.alloc(10 * MB + 10, 0x20),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const cases: [string, LightMyRequestResponse][] = [
      [
        'JSON over 1 MB',
        await inject(
          'POST',
          '/v1/persons',
          { ...auth, 'content-type': 'application/json' },
          JSON.stringify({ fullName: 'x'.repeat(MB), email: 'a@example.com' }),
        ),
      ],
      [
        'a form over 1 MB',
        await inject(
          'POST',
          '/me',
          { 'content-type': 'application/x-www-form-urlencoded' },
          `email=${'x'.repeat(MB)}`,
        ),
      ],
      [
        'CSV over 10 MB',
        await inject(
          'POST',
          '/v1/persons/import',
          { ...auth, 'content-type': 'text/csv' },
          `externalRef,fullName,email,locale\n${'x,'.repeat(5 * MB + 10)}`,
        ),
      ],
      [
        'a paper scan over 10 MB',
        await inject(
          'POST',
          `/v1/consents/${pending.id}/paper`,
          { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
          bigPdf,
        ),
      ],
      [
        'text over 1 MB',
        await inject(
          'POST',
          '/v1/persons',
          { ...auth, 'content-type': 'text/plain' },
          'x'.repeat(MB + 10),
        ),
      ],
    ];
    const problems = cases.flatMap(([label, response]) =>
      response.statusCode === 413
        ? errorShapeProblems(413, String(response.headers['content-type']), response.body).map(
            (problem) => `${label}: ${problem}`,
          )
        : [`${label}: ${response.statusCode}`],
    );
    expect(problems).toEqual([]);
    expect((await journey.hr().get(`/v1/consents/${pending.id}`).expect(200)).body.status).toBe(
      'pending',
    );
  });
});
