import { AddressInfo } from 'node:net';
import { SystemClock } from 'src/common/clock/clock';
import { AssetFixtures } from 'test/support/asset-fixtures';
import { startTestApp, TestApp } from 'test/support/test-app';

/**
 * On the real clock, so a withdrawal and the requests around it get distinct instants as they
 * would in production.
 */
describe('blocking under concurrency', () => {
  let t: TestApp;
  let f: AssetFixtures;
  let base: string;
  let marketingKey: string;
  let hrKey: string;

  beforeAll(async () => {
    t = await startTestApp({ clock: new SystemClock() });
    marketingKey = await t.keyFor('marketing');
    hrKey = await t.keyFor('hr_legal');
    f = new AssetFixtures(t, { hr: hrKey, marketing: marketingKey });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  describe('a withdrawal racing clearance checks and publications', () => {
    const ROUNDS = 20;
    const REQUESTS = 100;

    async function call(
      method: 'GET' | 'POST',
      path: string,
      body?: object,
    ): Promise<{ status: number; body: { allowed?: boolean; id?: string } }> {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${marketingKey}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as { allowed?: boolean; id?: string } };
    }

    it(`never answers "allowed" nor records a publication once the withdrawal committed (${ROUNDS} rounds)`, async () => {
      let startedAfterCommit = 0;
      let allowedBeforeCommit = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        const [person, other] = [await f.person(), await f.person()];
        const consent = await f.granted(person);
        await f.granted(other);
        const assets = await f.assets(4, () => [person, other]);

        let committedAt = Infinity;
        const outcomes: {
          sentAt: number;
          kind: 'clearance' | 'publication';
          status: number;
          allowed: boolean;
          id?: string;
        }[] = [];
        let next = 0;
        const worker = async () => {
          while (next < REQUESTS) {
            const i = next;
            next += 1;
            const asset = assets[i % assets.length];
            const sentAt = performance.now();
            if (i % 2 === 0) {
              const res = await call('GET', `/v1/assets/${asset}/clearance?channel=linkedin`);
              outcomes.push({
                sentAt,
                kind: 'clearance',
                status: res.status,
                allowed: res.body.allowed === true,
              });
            } else {
              const res = await call('POST', `/v1/assets/${asset}/publications`, {
                channel: 'linkedin',
                location: `https://linkedin.example/${round}/${i}`,
              });
              outcomes.push({
                sentAt,
                kind: 'publication',
                status: res.status,
                allowed: res.status === 201,
                id: res.body.id,
              });
            }
          }
        };
        const withdrawn = (async () => {
          await new Promise((resolve) => setTimeout(resolve, 5 + (round % 5) * 5));
          const res = await fetch(`${base}/v1/consents/${consent}/withdraw`, {
            method: 'POST',
            headers: { authorization: `Bearer ${hrKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              channels: ['linkedin'],
              reason: 'Letter',
              receivedVia: 'letter',
            }),
          });
          expect(res.status).toBe(200);
          committedAt = performance.now();
        })();
        await Promise.all([...Array.from({ length: 8 }, worker), withdrawn]);

        expect(outcomes).toHaveLength(REQUESTS);
        const late = outcomes.filter((o) => o.sentAt > committedAt);
        startedAfterCommit += late.length;
        allowedBeforeCommit += outcomes.filter((o) => o.sentAt <= committedAt && o.allowed).length;
        expect(late.filter((o) => o.allowed)).toEqual([]);
        for (const o of outcomes) expect([200, 201, 409]).toContain(o.status);

        const withdrawnSeq = Number(
          (
            await t.dataSource.query(
              "SELECT seq FROM audit_events WHERE action = 'consent.withdrawn' AND consent_id = $1",
              [consent],
            )
          )[0].seq,
        );
        const recorded = await t.dataSource.query<{ seq: string }[]>(
          "SELECT seq FROM audit_events WHERE action = 'publication.recorded' AND asset_id = ANY($1::uuid[])",
          [assets],
        );
        for (const row of recorded) expect(Number(row.seq)).toBeLessThan(withdrawnSeq);
        const live = await f.count(
          "SELECT count(*) AS n FROM publications p WHERE p.asset_id = ANY($1::uuid[]) AND p.channel = 'linkedin' AND p.removed_at IS NULL",
          [assets],
        );
        const covered = await f.count(
          'SELECT count(*) AS n FROM publications p JOIN takedowns t ON t.publication_id = p.id AND t.completed_at IS NULL WHERE p.asset_id = ANY($1::uuid[])',
          [assets],
        );
        expect(covered).toBe(live);
        expect(live).toBe(
          outcomes.filter((o) => o.kind === 'publication' && o.status === 201).length,
        );
      }
      process.stdout.write(
        `race: ${startedAfterCommit} requests started after the withdrawal committed, ${allowedBeforeCommit} allowed before it\n`,
      );
      expect(startedAfterCommit).toBeGreaterThan(ROUNDS * 5);
      expect(allowedBeforeCommit).toBeGreaterThan(0);
    }, 180_000);
  });
});
