/** The sizes each scenario runs at. `full` is what issue 8 asks for; `small` keeps CI under 5 minutes. */
export interface BenchScale {
  name: 'small' | 'full';
  clearance: { persons: number; assets: number; connections: number; durationSeconds: number };
  bulkClearance: { assets: number; runs: number };
  withdrawal: { assets: number };
  auditAppends: { events: number; writers: number };
  auditVerify: { events: number };
  evidencePdf: { renders: number };
  reminders: { consents: number };
}

const SCALES: Record<BenchScale['name'], BenchScale> = {
  small: {
    name: 'small',
    clearance: { persons: 2_000, assets: 5_000, connections: 50, durationSeconds: 5 },
    bulkClearance: { assets: 2_000, runs: 10 },
    withdrawal: { assets: 1_000 },
    auditAppends: { events: 10_000, writers: 8 },
    auditVerify: { events: 50_000 },
    evidencePdf: { renders: 50 },
    reminders: { consents: 5_000 },
  },
  full: {
    name: 'full',
    clearance: { persons: 20_000, assets: 100_000, connections: 50, durationSeconds: 15 },
    bulkClearance: { assets: 10_000, runs: 10 },
    withdrawal: { assets: 10_000 },
    auditAppends: { events: 100_000, writers: 8 },
    auditVerify: { events: 1_000_000 },
    evidencePdf: { renders: 500 },
    reminders: { consents: 100_000 },
  },
};

export function benchScale(raw: string | undefined): BenchScale {
  const name = raw?.trim() || 'small';
  if (name !== 'small' && name !== 'full') {
    throw new Error(`BENCH_SCALE must be "small" or "full", not "${name}"`);
  }
  return SCALES[name];
}
