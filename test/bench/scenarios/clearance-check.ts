import * as path from 'node:path';
import type { BenchEnvironment, BenchScenario } from 'test/bench/bench-environment';
import { BenchRow, formatNumber } from 'test/bench/bench-report';
import type { BenchScale } from 'test/bench/bench-scale';
import { FeatureMissing } from 'test/bench/feature-missing';
import { LoadResult, warmThenLoad } from 'test/bench/load';
import { ServedProcess } from 'test/bench/service-process';
import {
  CLEARANCE_CHANNELS,
  ClearanceDataset,
  seedClearanceDataset,
} from 'test/bench/seed/clearance-dataset';

const SCENARIO = '1 clearance check';
const BASELINE_SERVER = path.join(__dirname, '..', 'baseline', 'pk-lookup-server.ts');

export function clearanceDataset(
  env: BenchEnvironment,
  scale: BenchScale,
): Promise<ClearanceDataset> {
  return env.once('clearance-dataset', () => seedClearanceDataset(env.pool, scale));
}

/** The service every HTTP scenario shares, started after the data it serves is seeded. */
export function httpService(env: BenchEnvironment): Promise<ServedProcess> {
  return env.once('http-service', () => env.startService());
}

export function marketingKey(env: BenchEnvironment): Promise<string> {
  return env.once('marketing-key', () => env.apiKey('marketing'));
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

/**
 * GET /v1/assets/:id/clearance?channel= for random assets and channels, with a marketing key,
 * against the built service in its own process; then the same load on a bare node:http server doing
 * one primary-key lookup per request. Each side gets a short warm-up first. Then the service's RSS
 * (scenario 7).
 */
export const clearanceCheck: BenchScenario = {
  name: SCENARIO,
  async run(env, scale) {
    const dataset = await clearanceDataset(env, scale);
    const key = await marketingKey(env);
    const service = await httpService(env);
    const probe = await fetch(
      `${service.url}/v1/assets/${dataset.assetIds[0]}/clearance?channel=website`,
      {
        headers: { authorization: `Bearer ${key}` },
      },
    );
    if (probe.status === 404)
      throw new FeatureMissing('GET /v1/assets/:id/clearance is not served (404)');
    if (probe.status !== 200)
      throw new Error(
        `GET /v1/assets/:id/clearance answered ${probe.status}: ${await probe.text()}`,
      );

    const { connections, durationSeconds } = scale.clearance;
    const warmUpSeconds = Math.max(1, Math.round(durationSeconds / 5));
    const measured = await warmThenLoad(
      {
        url: service.url,
        connections,
        durationSeconds,
        headers: { authorization: `Bearer ${key}` },
        nextPath: () =>
          `/v1/assets/${pick(dataset.assetIds)}/clearance?channel=${pick(CLEARANCE_CHANNELS)}`,
      },
      warmUpSeconds,
    );
    const memory = service.memory();

    const baselineServer = await ServedProcess.script(
      BASELINE_SERVER,
      { DATABASE_URL: env.database.url },
      '/health',
    );
    let baseline: LoadResult;
    try {
      baseline = await warmThenLoad(
        {
          url: baselineServer.url,
          connections,
          durationSeconds,
          nextPath: () => `/assets/${pick(dataset.assetIds)}`,
        },
        warmUpSeconds,
      );
    } finally {
      await baselineServer.stop();
    }

    const scaleText = `${formatNumber(dataset.persons)} persons, ${formatNumber(dataset.assetIds.length)} assets, ${connections} conn, ${durationSeconds} s`;
    const failures = (load: LoadResult) =>
      load.non2xx + load.errors > 0
        ? `; ${formatNumber(load.non2xx)} non-2xx, ${formatNumber(load.errors)} errors`
        : '';
    const rows: BenchRow[] = [
      {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'req/s',
        value: measured.requestsPerSecond,
        unit: 'req/s',
        goal: { of: 'ratio', comparison: '≥', target: 0.5 },
        baseline: baseline.requestsPerSecond,
        baselineLabel: 'node:http + pg',
        note: `${formatNumber(measured.requests)} requests${failures(measured)}; baseline ${formatNumber(baseline.requests)}${failures(baseline)}; ${warmUpSeconds} s warm-up each`,
      },
      {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'p50',
        value: measured.p50Ms,
        unit: 'ms',
        baseline: baseline.p50Ms,
        baselineLabel: 'node:http + pg',
      },
      {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'p99',
        value: measured.p99Ms,
        unit: 'ms',
        goal: { of: 'value', comparison: '<', target: 20 },
        baseline: baseline.p99Ms,
        baselineLabel: 'node:http + pg',
      },
      {
        scenario: '7 service memory',
        scale: 'after scenario 1',
        figure: 'service RSS',
        value: memory.rssMB,
        unit: 'MB',
        goal: { of: 'value', comparison: '<', target: 300 },
        note: `peak RSS since start (VmHWM) ${formatNumber(memory.peakRssMB)} MB`,
      },
    ];
    return rows;
  },
};
