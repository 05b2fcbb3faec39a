import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from 'src/common/auth/roles';
import { JobRelay } from 'src/queue/job-relay.service';
import { errorShapeProblems, leakIn } from 'test/support/error-shape';
import { Journey } from 'test/support/journey';
import { apiOperations, ApiOperation, PAGE_ROUTES } from 'test/support/route-catalog';
import { SmtpSink } from 'test/support/smtp-sink';
import { changedTables, tableCounter, TableCounts } from 'test/support/table-counts';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';
import { apiRequest, FuzzRequest, KnownValues, pageRequest } from 'test/faults/fuzz-inputs';

/** FUZZ_SEED reproduces a run; FUZZ_RUNS scales it (runs per route). */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const API_RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 100);
const PAGE_RUNS_PER_ROUTE = Math.ceil(API_RUNS_PER_ROUTE * 1.2);
const MINIMUM_REQUESTS = 5_000;

describe(`fuzzed requests to every /v1 route and every page (FUZZ_SEED=${SEED})`, () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let known: KnownValues;
  let keys: Record<Role, string>;
  let counts: () => Promise<TableCounts>;
  let baseline: TableCounts;
  let sent = 0;
  let countingMs = 0;
  const statuses = new Map<number, number>();
  const statusesByRoute = new Map<string, Map<number, number>>();
  const msByRoute = new Map<string, number>();

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    // Checkpoints are signed only on demand, so no background write lands between two requests.
    t = await startTestApp({
      env: {
        SMTP_URL: smtp.url,
        AUDIT_CHECKPOINT_EVERY: '100000000',
        AUDIT_CHECKPOINT_MINUTES: '100000',
      },
    });
    keys = {
      admin: await t.keyFor('admin'),
      hr_legal: await t.keyFor('hr_legal'),
      marketing: await t.keyFor('marketing'),
    };
    known = await seedKnownValues(t, smtp, keys.hr_legal);
    await settle(t);
    // From here nothing runs in the background: every row change comes from the request just sent.
    await t.app.get(JobRelay).onModuleDestroy();
    counts = await tableCounter(t.dataSource);
    baseline = await stableCounts(counts);
  }, 120_000);

  afterAll(async () => {
    const tally = (map: Map<number, number>) =>
      JSON.stringify(Object.fromEntries([...map].sort(([a], [b]) => a - b)));
    process.stdout.write(
      `fuzz: ${sent} requests, seed ${SEED}, statuses ${tally(statuses)}, ${countingMs} ms counting rows\n`,
    );
    if (process.env.FUZZ_VERBOSE === '1') {
      for (const [route, map] of statusesByRoute)
        process.stdout.write(`  ${route} ${tally(map)} ${msByRoute.get(route)} ms\n`);
    }
    await t?.close();
    await smtp?.stop();
  });

  const inject = (request: FuzzRequest): Promise<LightMyRequestResponse> =>
    t.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: request.method as 'GET',
        url: request.url,
        headers: request.headers,
        payload: request.payload,
        // A fresh client address each time, so the per-address rate limits never answer for the handler.
        remoteAddress: `10.${sent % 250}.${Math.floor(sent / 250) % 250}.${(sent % 7) + 1}`,
      });

  /** Sends one request and returns what is wrong with the answer (empty when nothing is). */
  async function probe(route: string, request: FuzzRequest, page: boolean): Promise<string[]> {
    let response: LightMyRequestResponse;
    try {
      response = await inject(request);
    } catch (error) {
      if (refusedByInject(error)) return [];
      throw error;
    }
    sent += 1;
    const status = response.statusCode;
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const byRoute = statusesByRoute.get(route) ?? new Map<number, number>();
    byRoute.set(status, (byRoute.get(status) ?? 0) + 1);
    statusesByRoute.set(route, byRoute);

    const problems = answerProblems(response, page);
    const countingStart = Date.now();
    const after = await counts();
    countingMs += Date.now() - countingStart;
    const changed = changedTables(baseline, after);
    if (status >= 400 && changed.length > 0) {
      problems.push(`a rejected request (${status}) changed rows: ${changed.join('; ')}`);
    }
    baseline = after;
    return problems;
  }

  async function fuzz(
    label: string,
    arbitrary: fc.Arbitrary<FuzzRequest>,
    runs: number,
    seed: number,
    page: boolean,
  ): Promise<string | undefined> {
    const started = Date.now();
    const details = await fc.check(
      fc.asyncProperty(arbitrary, async (request) => {
        const problems = await probe(label, request, page);
        if (problems.length > 0)
          throw new Error(`${problems.join('\n  ')}\n  request: ${describeRequest(request)}`);
      }),
      { seed, numRuns: runs, endOnFailure: process.env.FUZZ_SHRINK !== '1' },
    );
    msByRoute.set(label, Date.now() - started);
    if (!details.failed) return undefined;
    const error =
      details.errorInstance instanceof Error
        ? details.errorInstance.message
        : String(details.errorInstance);
    return `${label} (seed ${details.seed}, path ${details.counterexamplePath}):\n  ${error}`;
  }

  it('answers every generated /v1 request below 500, in the error shape, and a rejected one writes nothing', async () => {
    const operations = apiOperations(t.app);
    expect(operations.length).toBeGreaterThan(20);
    const failures: string[] = [];
    for (const [index, operation] of operations.entries()) {
      const failure = await fuzz(
        operation.label,
        apiRequest(operation, keyFor(operation, keys), known),
        API_RUNS_PER_ROUTE,
        SEED + index,
        false,
      );
      if (failure) failures.push(failure);
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it('answers every generated page request below 500, without leaks, and a rejected one writes nothing', async () => {
    const failures: string[] = [];
    for (const [index, route] of PAGE_ROUTES.entries()) {
      const failure = await fuzz(
        `${route.method} ${route.path}`,
        pageRequest(route, known),
        PAGE_RUNS_PER_ROUTE,
        SEED + 1_000 + index,
        true,
      );
      if (failure) failures.push(failure);
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it(`sent at least ${MINIMUM_REQUESTS} requests`, () => {
    if (process.env.FUZZ_RUNS === undefined) expect(sent).toBeGreaterThanOrEqual(MINIMUM_REQUESTS);
  });
});

/** Below 500; an error in the JSON error shape, or (pages) an HTML page under the strict CSP; no leak. */
function answerProblems(response: LightMyRequestResponse, page: boolean): string[] {
  const status = response.statusCode;
  if (status >= 500) return [`answered ${status}: ${response.body.slice(0, 300)}`];
  if (status < 400) return [];
  const type =
    response.headers['content-type'] === undefined
      ? undefined
      : String(response.headers['content-type']);
  if (!page || !/^text\/html/.test(type ?? ''))
    return errorShapeProblems(status, type, response.body);
  const problems: string[] = [];
  const leak = leakIn(response.body);
  if (leak) problems.push(`the ${status} page carries ${leak}`);
  if (!String(response.headers['content-security-policy'] ?? '').includes("default-src 'none'")) {
    problems.push(`the ${status} page has no strict CSP`);
  }
  return problems;
}

/** light-my-request refuses a few inputs itself (a URL it cannot parse): those never reach the app. */
function refusedByInject(error: unknown): boolean {
  const { message, code } = error as { message?: unknown; code?: unknown };
  return /Invalid URL|ERR_INVALID_URL|Invalid character|ERR_INVALID_CHAR/i.test(
    `${String(message)} ${String(code)}`,
  );
}

function keyFor(operation: ApiOperation, keys: Record<Role, string>): string {
  const role = operation.roles?.[0];
  if (!role) throw new Error(`${operation.label} declares no roles`);
  return keys[role];
}

function describeRequest(request: FuzzRequest): string {
  const payload =
    request.payload === undefined
      ? ''
      : typeof request.payload === 'string'
        ? request.payload
        : `<${request.payload.length} bytes>`;
  const shown =
    payload.length > 300 ? `${payload.slice(0, 300)}… (${payload.length} chars)` : payload;
  const url =
    request.url.length > 300
      ? `${request.url.slice(0, 300)}… (${request.url.length} chars)`
      : request.url;
  return `${request.method} ${url} ${JSON.stringify(request.headers['content-type'] ?? null)} ${JSON.stringify(shown)}`;
}

/**
 * People and consents in every state a link can be in, so generated requests reach past the lookups:
 * a pending consent with its sign link, a granted one with its manage link, a used sign link.
 */
async function seedKnownValues(t: TestApp, smtp: SmtpSink, hrKey: string): Promise<KnownValues> {
  const journey = new Journey(t, smtp, hrKey);
  const pendingPeople = [
    await journey.person({ fullName: 'Anaïs Pending' }),
    await journey.person({ fullName: "O'Brien-Łukasz Ñandú" }),
  ];
  const pending = await Promise.all(
    pendingPeople.map((person) => journey.requestConsent(person.id)),
  );
  const pendingSigns = await Promise.all(
    pendingPeople.map((person) => journey.linkFromMail(person.email, '/s/')),
  );
  const granted = await journey.grantedConsent(['website', 'linkedin', 'instagram']);
  await journey.linkFromMail(granted.person.email, '/m/');
  const documents = await t.dataSource
    .query<{ id: string }[]>('SELECT id FROM evidence_documents WHERE consent_id = $1', [
      granted.consentId,
    ])
    .catch(() => []);
  const meForm = await t.app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/me' });
  const cookie = /_csrf=([^;]+)/.exec(String(meForm.headers['set-cookie']))?.[1] ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(meForm.body)?.[1] ?? '';
  const tokenOf = (path: string) => path.split('/')[2];
  return {
    uuids: [
      ...pendingPeople.map((p) => p.id),
      ...pending.map((c) => c.id),
      granted.person.id,
      granted.consentId,
      ...documents.map((d) => d.id),
    ],
    signTokens: [...pendingSigns.map(tokenOf), tokenOf(granted.signPath)],
    manageTokens: [tokenOf(granted.managePath)],
    emails: [...pendingPeople.map((p) => p.email), granted.person.email],
    names: [...pendingPeople.map((p) => p.fullName), granted.person.fullName],
    csrf: { cookie: decodeURIComponent(cookie), token },
  };
}

/** Waits until every job due now has run (mails sent, evidence sealed). */
async function settle(t: TestApp): Promise<void> {
  await waitFor(
    async () => {
      await t.app.get(JobRelay).runOnce();
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM queued_jobs WHERE done_at IS NULL AND run_at <= $1',
        [t.clock.now()],
      );
      return n === 0;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'queued work done before fuzzing' },
  );
}

/** Counts, once two readings a second apart agree (a job started at boot may still be writing). */
async function stableCounts(counts: () => Promise<TableCounts>): Promise<TableCounts> {
  let previous = await counts();
  return waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const current = await counts();
      const stable = changedTables(previous, current).length === 0;
      previous = current;
      return stable ? current : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 0, what: 'row counts to settle' },
  );
}
