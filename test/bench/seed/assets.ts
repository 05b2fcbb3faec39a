import type { Pool } from 'pg';

export interface AssetSeed {
  /** external_ref is <prefix>-<n>; no '-' in the prefix. */
  prefix: string;
  count: number;
  /** The assets show persons of this group (see seedPersons)… */
  personGroup: string;
  /** …numbered 1..personCount… */
  personCount: number;
  /** …asset n showing 1 + n % maxPersonsPerAsset of them, spread by a fixed hash. */
  maxPersonsPerAsset: number;
}

/** Assets and who is in them, set-based; one in ten is a video. Returns the asset ids. */
export async function seedAssets(pool: Pool, seed: AssetSeed): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(
    `WITH asset AS (
       INSERT INTO assets (id, title, media_type, external_ref, created_at, updated_at)
       SELECT gen_random_uuid(), 'Bench asset ' || n, CASE WHEN n % 10 = 0 THEN 'video' ELSE 'photo' END,
              $1 || '-' || n, now(), now()
       FROM generate_series(1, $2::int) AS n
       RETURNING id, split_part(external_ref, '-', 2)::bigint AS n
     ), person AS (
       SELECT id, split_part(split_part(email, '@', 1), '-', 2)::bigint AS n
       FROM persons WHERE email LIKE $3 || '-%@bench.example'
     ), shown AS (
       INSERT INTO asset_persons (asset_id, person_id)
       SELECT DISTINCT asset.id, person.id
       FROM asset
       CROSS JOIN LATERAL generate_series(1, 1 + (asset.n % $5::int)::int) AS j
       JOIN person ON person.n = 1 + (asset.n * 7919 + j * 104729) % $4::int
     )
     SELECT id FROM asset`,
    [seed.prefix, seed.count, seed.personGroup, seed.personCount, seed.maxPersonsPerAsset],
  );
  return rows.map((row) => row.id);
}
