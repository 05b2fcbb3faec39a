import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineInfo } from 'test/bench/machine';

/** What a figure must reach: its value, or its ratio to the baseline. */
export interface Goal {
  of: 'value' | 'ratio';
  comparison: '<' | '≥';
  target: number;
  /** How the goal reads when the target alone would not say it (e.g. "flat"). */
  label?: string;
}

export interface BenchRow {
  scenario: string;
  scale: string;
  figure: string;
  /** Null when the figure could not be measured; `note` says why. */
  value: number | null;
  unit: string;
  goal?: Goal;
  /** The same figure for the baseline, in the same unit. */
  baseline?: number;
  baselineLabel?: string;
  note?: string;
}

export type GoalOutcome = 'met' | 'missed' | 'no goal' | 'not measured';

export function ratioOf(row: BenchRow): number | undefined {
  if (row.value === null || row.baseline === undefined || row.baseline === 0) return undefined;
  return row.value / row.baseline;
}

export function goalOutcome(row: BenchRow): GoalOutcome {
  if (row.value === null) return 'not measured';
  if (!row.goal) return 'no goal';
  const measured = row.goal.of === 'ratio' ? ratioOf(row) : row.value;
  if (measured === undefined) return 'not measured';
  const met =
    row.goal.comparison === '<' ? measured < row.goal.target : measured >= row.goal.target;
  return met ? 'met' : 'missed';
}

export function notMeasured(scenario: string, scale: string, reason: string): BenchRow {
  return { scenario, scale, figure: '—', value: null, unit: '', note: `not measured: ${reason}` };
}

const TABLE_NOTE_LENGTH = 110;

export function formatNumber(value: number, unit = ''): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 || Number.isInteger(value) ? 0 : abs >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return unit ? `${text} ${unit}` : text;
}

function goalText(row: BenchRow): string {
  if (!row.goal) return '';
  const target =
    row.goal.label ??
    `${row.goal.comparison} ${formatNumber(row.goal.target, row.goal.of === 'ratio' ? '' : row.unit)}`;
  const subject = row.goal.of === 'ratio' ? `ratio ${target}` : target;
  const outcome = goalOutcome(row);
  return `${subject} ${outcome === 'met' ? 'met' : outcome === 'missed' ? 'MISSED' : ''}`.trim();
}

export function tableLines(rows: BenchRow[]): string[] {
  const header = ['scenario', 'scale', 'figure', 'goal', 'baseline', 'ratio'];
  const cells = rows.map((row) => {
    const ratio = ratioOf(row);
    return [
      row.scenario,
      row.scale,
      row.value === null
        ? (row.note ?? 'not measured').slice(0, TABLE_NOTE_LENGTH)
        : `${row.figure}: ${formatNumber(row.value, row.unit)}`,
      goalText(row),
      row.baseline === undefined
        ? ''
        : `${formatNumber(row.baseline, row.unit)}${row.baselineLabel ? ` (${row.baselineLabel})` : ''}`,
      ratio === undefined ? '' : ratio.toFixed(2),
    ];
  });
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((cell) => cell[i].length)),
  );
  const line = (cell: string[]) =>
    cell
      .map((text, i) => text.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)];
}

export interface ScenarioTiming {
  scenario: string;
  /** Seeding included. */
  seconds: number;
  /** The machine's 1-minute load average when the scenario ended: above the core count, something else competed. */
  loadAverage1m: number;
}

export interface BenchResults {
  scale: string;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  scenarios: ScenarioTiming[];
  rows: (BenchRow & { ratio?: number; outcome: GoalOutcome })[];
}

export function writeResults(file: string, results: BenchResults): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
