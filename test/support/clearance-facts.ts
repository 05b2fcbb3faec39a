import type { DataSource } from 'typeorm';

/**
 * Person ids whose stored clearance facts (kept by triggers at commit) differ from the facts
 * recomputed now from persons, consents and consent_channels. Empty when the read model is current.
 */
export async function staleClearanceFacts(dataSource: DataSource): Promise<string[]> {
  return dataSource
    .transaction(async (em) => {
      await em.query(
        'CREATE TEMP TABLE stored_facts ON COMMIT DROP AS SELECT person_id, employment_ended_at_ms, consents::text AS consents FROM person_clearance_facts',
      );
      await em.query('SELECT person_clearance_facts_refresh(id) FROM persons');
      const rows = await em.query<{ person_id: string }[]>(
        `SELECT coalesce(f.person_id, s.person_id) AS person_id
       FROM person_clearance_facts f FULL JOIN stored_facts s ON s.person_id = f.person_id
       WHERE f.person_id IS NULL OR s.person_id IS NULL
          OR f.consents::text IS DISTINCT FROM s.consents
          OR f.employment_ended_at_ms IS DISTINCT FROM s.employment_ended_at_ms`,
      );
      // Rolls back: this only looks.
      throw new LookOnly(rows.map((row) => row.person_id));
    })
    .catch((error: unknown) => {
      if (error instanceof LookOnly) return error.personIds;
      throw error;
    });
}

class LookOnly extends Error {
  constructor(readonly personIds: string[]) {
    super('rolled back on purpose');
  }
}
