import 'reflect-metadata';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stripVTControlCharacters } from 'node:util';
import { BenchEnvironment, BenchScenario } from 'test/bench/bench-environment';
import {
  BenchRow,
  goalOutcome,
  notMeasured,
  ratioOf,
  ScenarioTiming,
  tableLines,
  writeResults,
} from 'test/bench/bench-report';
import { benchScale } from 'test/bench/bench-scale';
import { FeatureMissing } from 'test/bench/feature-missing';
import { describeMachine, MachineInfo, machineLines } from 'test/bench/machine';
import { auditAppends } from 'test/bench/scenarios/audit-appends';
import { auditVerify } from 'test/bench/scenarios/audit-verify';
import { bulkClearance } from 'test/bench/scenarios/bulk-clearance';
import { clearanceCheck } from 'test/bench/scenarios/clearance-check';
import { evidencePdf } from 'test/bench/scenarios/evidence-pdf';
import { reminders } from 'test/bench/scenarios/reminders';
import { withdrawalBlocking } from 'test/bench/scenarios/withdrawal-blocking';

const RESULTS_FILE = path.join(__dirname, 'results', 'latest.json');

/**
 * In-process scenarios first; then the verify on a service of its own; then the HTTP scenarios on
 * one shared service, the clearance check first so scenario 7 reads its memory right after it.
 */
const SCENARIOS: BenchScenario[] = [
  auditAppends,
  reminders,
  evidencePdf,
  auditVerify,
  clearanceCheck,
  bulkClearance,
  withdrawalBlocking,
];

/** `BENCH_ONLY=appends,verify` runs the scenarios whose names contain one of the words. */
function selectedScenarios(only: string | undefined): BenchScenario[] {
  const words = (only ?? '')
    .split(',')
    .map((word) => word.trim().toLowerCase())
    .filter(Boolean);
  if (words.length === 0) return SCENARIOS;
  return SCENARIOS.filter((scenario) =>
    words.some((word) => scenario.name.toLowerCase().includes(word)),
  );
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** One line, without the terminal colours a compiler's output carries. */
function message(error: unknown): string {
  return stripVTControlCharacters(error instanceof Error ? error.message : String(error))
    .replace(/\s+/g, ' ')
    .slice(0, 400);
}

async function main(): Promise<number> {
  const scale = benchScale(process.env.BENCH_SCALE);
  const startedAt = new Date();
  say(`Consent Ledger benchmarks, BENCH_SCALE=${scale.name}`);
  const env = await BenchEnvironment.create();
  let machine: MachineInfo;
  try {
    machine = await describeMachine(env.pool, env.redis);
  } catch (error) {
    await env.close();
    throw error;
  }
  const rows: BenchRow[] = [];
  const timings: ScenarioTiming[] = [];
  let failures = 0;
  try {
    machineLines(machine).forEach(say);
    say(
      `database ${env.database.name} (server from ${env.database.server}), Redis ${env.redisUrl} prefix ${env.queuePrefix}`,
    );
    for (const scenario of selectedScenarios(process.env.BENCH_ONLY)) {
      const started = performance.now();
      say(`\n-- ${scenario.name}`);
      try {
        rows.push(...(await scenario.run(env, scale)));
      } catch (error) {
        rows.push(notMeasured(scenario.name, scale.name, message(error)));
        if (!(error instanceof FeatureMissing)) {
          failures += 1;
          say(
            `   failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
        } else {
          say(`   not measured: ${error.message}`);
        }
      }
      const timing = {
        scenario: scenario.name,
        seconds: Math.round((performance.now() - started) / 100) / 10,
        loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
      };
      timings.push(timing);
      say(`   ${timing.seconds} s, load average ${timing.loadAverage1m} at the end`);
    }
  } finally {
    await env.close();
  }

  const finishedAt = new Date();
  say('');
  tableLines(rows).forEach(say);
  const notes = rows.filter((row) => row.value !== null && row.note);
  if (notes.length > 0) {
    say('');
    notes.forEach((row) => say(`${row.scenario}, ${row.figure}: ${row.note}`));
  }
  writeResults(RESULTS_FILE, {
    scale: scale.name,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    machine,
    scenarios: timings,
    rows: rows.map((row) => ({ ...row, ratio: ratioOf(row), outcome: goalOutcome(row) })),
  });
  say(
    `\nwrote ${path.relative(process.cwd(), RESULTS_FILE)} (${Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000)} s)`,
  );
  if (failures > 0) say(`${failures} scenario(s) failed: the benchmark code itself needs fixing`);
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
