import type { Pool } from 'pg';
import type { BenchScale } from 'test/bench/bench-scale';
import { FeatureMissing } from 'test/bench/feature-missing';
import { seedAssets } from 'test/bench/seed/assets';
import { ConsentSeed, seedConsents, seedPersons } from 'test/bench/seed/people';

export const CLEARANCE_CHANNELS = [
  'website',
  'intranet',
  'linkedin',
  'instagram',
  'print',
] as const;

export interface ClearanceDataset {
  assetIds: string[];
  persons: number;
  consents: number;
}

const GROUP = 'clearance';
const CURRENT = "now() + interval '6 months' + random() * interval '12 months'";

/**
 * The persons, consents and assets of scenarios 1 and 2. By person number n % 10: 0–3 granted
 * (website, intranet, linkedin accepted of five asked; photo and video), 4 granted for photos only,
 * 5 withdrawn, 6 expired, 7 refused, 8 pending, 9 never asked; every third person also has an older
 * expired consent. Each asset shows 1–5 of them: about a third of the assets are cleared on website,
 * none on instagram or print, and the rest are refused for one reason or several.
 */
export async function seedClearanceDataset(
  pool: Pool,
  scale: BenchScale,
): Promise<ClearanceDataset> {
  const { rows } = await pool.query<{ assets: string | null }>(
    "SELECT to_regclass('assets')::text AS assets",
  );
  if (!rows[0].assets) throw new FeatureMissing('the assets table is not in the migrations yet');

  const { persons, assets } = scale.clearance;
  await seedPersons(pool, GROUP, persons);
  const base = {
    group: GROUP,
    perPerson: 1,
    channels: [...CLEARANCE_CHANNELS],
    accepted: ['website', 'intranet', 'linkedin'],
    mediaTypes: ['photo', 'video'],
    validUntilSql: CURRENT,
    validForSql: '2 years',
  } satisfies Omit<ConsentSeed, 'status'>;
  const byRemainder = (remainder: number) => ({ modulo: 10, remainder });
  let consents = 0;
  for (const remainder of [0, 1, 2, 3]) {
    consents += await seedConsents(pool, {
      ...base,
      status: 'granted',
      every: byRemainder(remainder),
    });
  }
  consents += await seedConsents(pool, {
    ...base,
    status: 'granted',
    mediaTypes: ['photo'],
    every: byRemainder(4),
  });
  consents += await seedConsents(pool, { ...base, status: 'withdrawn', every: byRemainder(5) });
  const past = "now() - interval '1 month' - random() * interval '11 months'";
  consents += await seedConsents(pool, {
    ...base,
    status: 'expired',
    validUntilSql: past,
    every: byRemainder(6),
  });
  consents += await seedConsents(pool, {
    ...base,
    status: 'refused',
    accepted: [],
    every: byRemainder(7),
  });
  consents += await seedConsents(pool, {
    ...base,
    status: 'pending',
    validUntilSql: "now() + interval '1 year'",
    validForSql: '1 year',
    every: byRemainder(8),
  });
  consents += await seedConsents(pool, {
    ...base,
    status: 'expired',
    validUntilSql: "now() - interval '2 years'",
    every: { modulo: 3, remainder: 0 },
  });
  const assetIds = await seedAssets(pool, {
    prefix: 'clearanceasset',
    count: assets,
    personGroup: GROUP,
    personCount: persons,
    maxPersonsPerAsset: 5,
  });
  // What autovacuum does in production (it is off on some test servers): statistics, and the
  // visibility map that lets index-only scans skip the heap.
  await pool.query(
    'VACUUM ANALYZE persons, consents, consent_channels, assets, asset_persons, person_clearance_facts',
  );
  return { assetIds, persons, consents };
}
