import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { BENCH_LOG_ORIGIN, BenchScenario } from 'test/bench/bench-environment';
import { BenchRow, formatNumber } from 'test/bench/bench-report';
import { sampleRss } from 'test/bench/service-process';
import { growAuditLog } from 'test/bench/seed/audit-log';
import { megabytes, timed } from 'test/bench/stats';

const SCENARIO = '4 audit verify';
const PAGE = 5_000;
const LEAF_PREFIX = Buffer.of(0x00);
/** The service's default AUDIT_CHECKPOINT_EVERY: the seeded log is signed as often as a real one. */
const CHECKPOINT_EVERY = 1_000;
/**
 * "Flat" made measurable: the peak RSS of the last quarter of the verify against that of the second
 * (the first is the heap growing to its working size). A verifier holding what it read would grow
 * by the bytes of half the log between them (200 MB at a million events); a streaming one stays
 * within its garbage collector's swing.
 */
const FLAT_GROWTH_MB = 25;
/** Below this the heap is still growing to its working size in the last quarter: flatness cannot be judged. */
const FLAT_JUDGED_FROM_MS = 4_000;
/**
 * Memory is watched over at least this long: a verify faster than that is repeated (untimed) so
 * the service's working size is reached early in the window and its last quarter can be judged.
 */
const MEMORY_WINDOW_MS = 12_000;

interface VerifyResult {
  ok: boolean;
  treeSize: number;
  checkedCheckpoints: number;
  reason?: string;
}

/**
 * GET /v1/audit/verify on a freshly started service over a log of the target size, timing the
 * request and sampling the service's RSS meanwhile (every 20 ms), and over verifies repeated until
 * MEMORY_WINDOW_MS have passed. Baseline: SHA-256 of every event's stored
 * bytes (the leaf hashes alone) in one process, timing only the hashing.
 */
export const auditVerify: BenchScenario = {
  name: SCENARIO,
  async run(env, scale) {
    const target = scale.auditVerify.events;
    const key = await env.apiKey('hr_legal');
    const seeding = await timed(() =>
      growAuditLog(env.pool, target, {
        signingKey: env.auditSigningKey,
        origin: BENCH_LOG_ORIGIN,
        checkpointEvery: CHECKPOINT_EVERY,
      }),
    );
    const { rows } = await env.pool.query<{ bytes: string }>(
      "SELECT pg_total_relation_size('audit_events') AS bytes",
    );
    const logMB = megabytes(Number(rows[0].bytes));

    const service = await env.startService();
    try {
      const headers = { authorization: `Bearer ${key}` };
      await fetch(`${service.url}/v1/audit/checkpoints?limit=1`, { headers });
      const idleMB = service.memory().rssMB;
      const sampler = sampleRss(service.pid, 20);
      const verifyOnce = async () => {
        const response = await fetch(`${service.url}/v1/audit/verify`, { headers });
        if (response.status !== 200)
          throw new Error(
            `GET /v1/audit/verify answered ${response.status}: ${await response.text()}`,
          );
        return (await response.json()) as VerifyResult;
      };
      const window = await timed(async () => {
        const first = await timed(verifyOnce);
        let verifies = 1;
        for (let ms = first.ms; ms < MEMORY_WINDOW_MS; ms += (await timed(verifyOnce)).ms)
          verifies += 1;
        return { first, verifies };
      });
      const { first: verify, verifies } = window.result;
      const samples = sampler.stop();
      const result = verify.result;
      const scaleText = `${formatNumber(result.treeSize)} events`;
      if (!result.ok)
        throw new Error(`the seeded log did not verify: ${result.reason ?? 'no reason given'}`);

      const hashing = await leafHashRate(env.pool);
      const verifyRow: BenchRow = {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'events/s',
        value: result.treeSize / (verify.ms / 1000),
        unit: 'events/s',
        goal: { of: 'value', comparison: '≥', target: 200_000 },
        baseline: hashing.eventsPerSecond,
        baselineLabel: 'bare SHA-256',
        note:
          `${(verify.ms / 1000).toFixed(2)} s, ${formatNumber(result.checkedCheckpoints)} checkpoints; ` +
          `log seeded in ${(seeding.ms / 1000).toFixed(1)} s; ${formatNumber(megabytes(hashing.bytes))} MB of event bytes`,
      };
      const quarter = window.ms / 4;
      const peakOf = (from: number, to: number) =>
        Math.max(
          ...samples
            .filter((sample) => sample.atMs >= from && sample.atMs <= to)
            .map((sample) => sample.rssMB),
        );
      const secondQuarterMB = peakOf(quarter, 2 * quarter);
      const lastQuarterMB = peakOf(3 * quarter, Infinity);
      const peakMB = peakOf(0, Infinity);
      const memoryRow: BenchRow = {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'peak RSS, last quarter − 2nd quarter',
        // -Infinity when a quarter was too short to hold a sample.
        value: Number.isFinite(lastQuarterMB - secondQuarterMB)
          ? lastQuarterMB - secondQuarterMB
          : null,
        unit: 'MB',
        goal:
          window.ms >= FLAT_JUDGED_FROM_MS
            ? {
                of: 'value',
                comparison: '<',
                target: FLAT_GROWTH_MB,
                label: `flat (< ${FLAT_GROWTH_MB} MB)`,
              }
            : undefined,
        note:
          `peak ${formatNumber(secondQuarterMB)} MB in the second quarter, ${formatNumber(lastQuarterMB)} MB in the last ` +
          `(${samples.length} samples over ${formatNumber(verifies)} verifies in ${(window.ms / 1000).toFixed(1)} s); ` +
          `audit_events holds ${formatNumber(logMB)} MB` +
          (window.ms < FLAT_JUDGED_FROM_MS
            ? `; ${(window.ms / 1000).toFixed(1)} s is too short to judge flatness`
            : ''),
      };
      const peakRow: BenchRow = {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'peak RSS during verify',
        value: peakMB,
        unit: 'MB',
        note: `${formatNumber(idleMB)} MB idle before the request`,
      };
      return [verifyRow, peakRow, memoryRow];
    } finally {
      await service.stop();
    }
  },
};

/** Reads every event's stored bytes page by page and times only SHA-256(0x00 ‖ bytes). */
async function leafHashRate(pool: Pool): Promise<{ eventsPerSecond: number; bytes: number }> {
  const client = await pool.connect();
  try {
    let afterSeq = -1;
    let count = 0;
    let bytes = 0;
    let hashingMs = 0;
    for (;;) {
      const page = await client.query<[seq: string, canonical: Buffer]>({
        text: 'SELECT seq, canonical FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2',
        values: [afterSeq, PAGE],
        rowMode: 'array',
      });
      if (page.rows.length === 0) break;
      const started = performance.now();
      for (const [, canonical] of page.rows) {
        createHash('sha256').update(LEAF_PREFIX).update(canonical).digest();
        bytes += canonical.length;
      }
      hashingMs += performance.now() - started;
      count += page.rows.length;
      afterSeq = Number(page.rows[page.rows.length - 1][0]);
    }
    return { eventsPerSecond: count / (hashingMs / 1000), bytes };
  } finally {
    client.release();
  }
}
