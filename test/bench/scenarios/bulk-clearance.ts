import type { BenchScenario } from 'test/bench/bench-environment';
import { formatNumber } from 'test/bench/bench-report';
import { FeatureMissing } from 'test/bench/feature-missing';
import { clearanceDataset, httpService, marketingKey } from 'test/bench/scenarios/clearance-check';
import { median, timed } from 'test/bench/stats';

const SCENARIO = '2 bulk clearance';

function sample<T>(items: readonly T[], count: number): T[] {
  const pool = [...items];
  for (let i = 0; i < Math.min(count, pool.length); i += 1) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/**
 * POST /v1/clearance with `assets` distinct random assets of scenario 1's data, `runs` times after
 * one warm-up request, each run a new sample; the time is the whole request seen by the client.
 */
export const bulkClearance: BenchScenario = {
  name: SCENARIO,
  async run(env, scale) {
    const { assets, runs } = scale.bulkClearance;
    const dataset = await clearanceDataset(env, scale);
    const key = await marketingKey(env);
    const service = await httpService(env);
    const check = async () => {
      const response = await fetch(`${service.url}/v1/clearance`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'website', assetIds: sample(dataset.assetIds, assets) }),
      });
      if (response.status === 404)
        throw new FeatureMissing('POST /v1/clearance is not served (404)');
      const text = await response.text();
      if (response.status !== 200)
        throw new Error(`POST /v1/clearance answered ${response.status}: ${text.slice(0, 200)}`);
      return JSON.parse(text) as { items: { allowed: boolean }[] };
    };

    // The first request also reads every person's facts (later ones only the versions of those
    // already read): reported apart, with the JIT still cold.
    const first = await timed(check);
    const ms: number[] = [];
    let allowed = 0;
    for (let run = 0; run < runs; run += 1) {
      const { result, ms: elapsed } = await timed(check);
      ms.push(elapsed);
      allowed = result.items.filter((item) => item.allowed).length;
    }
    return [
      {
        scenario: SCENARIO,
        scale: `${formatNumber(assets)} assets per request, ${runs} runs`,
        figure: 'median request',
        value: median(ms),
        unit: 'ms',
        goal: { of: 'value', comparison: '<', target: 300 },
        note: `first request ${formatNumber(first.ms)} ms; then min ${formatNumber(Math.min(...ms))} ms, max ${formatNumber(Math.max(...ms))} ms; ${formatNumber(allowed)} of ${formatNumber(assets)} allowed on website in the last run`,
      },
    ];
  },
};
