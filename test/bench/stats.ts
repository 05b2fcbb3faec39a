import { performance } from 'node:perf_hooks';

/** Nearest-rank percentile (p in 0..100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs `work` and returns its result with the elapsed milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/** Decimal megabytes (10^6 bytes), the unit the goals are written in. */
export function megabytes(bytes: number): number {
  return bytes / 1e6;
}

export function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

/** Runs `work` for items 0..count-1 on `concurrency` parallel lanes, each taking the next item. */
export async function inLanes(
  count: number,
  concurrency: number,
  work: (item: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    range(Math.min(concurrency, count)).map(async () => {
      while (next < count) {
        const item = next;
        next += 1;
        await work(item);
      }
    }),
  );
}
