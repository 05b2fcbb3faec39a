import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { pgConnectionOf, pgPoolOf } from 'src/database/pg-connections';
import type { AssetFacts, ConsentFacts, PersonFacts } from 'src/assets/domain/clearance';
import { CHANNELS, Channel, MediaType } from 'src/consents/domain/consent-scope';
import type { ConsentStatus } from 'src/consents/domain/consent-state';

/**
 * What the clearance rule needs about a set of assets on some channels: the assets with who is in
 * them (in person id order), and everyone in them with their consents.
 */
export interface ClearanceFacts {
  assets: Map<string, AssetFacts>;
  persons: Map<string, PersonFacts>;
  /** The channels these facts were read to answer for (clearedChannels judges these). */
  channels: readonly Channel[];
}

type Ms = number | null;
/** One consent as person_clearance_facts stores it (see the migration PersonClearanceFacts). */
type StoredConsent = [
  id: string,
  status: ConsentStatus,
  requestedAt: number,
  answeredAt: Ms,
  signDeadline: number,
  validFrom: number,
  validUntil: number,
  endedAt: Ms,
  coversAfterEmployment: boolean,
  channels: Channel[],
  mediaTypes: MediaType[],
  decisions: [Channel, 'accepted' | 'refused', Ms][],
];
type StoredPerson = [personId: string, employmentEndedAt: Ms, consents: StoredConsent[] | null];
/** An asset, its media type and who is in it (person ids in order; null when nobody is). */
type StoredAsset = [id: string, mediaType: MediaType, personIds: string[] | null];
interface FactsRow {
  assets: StoredAsset[] | null;
  persons: StoredPerson[] | null;
}
/** `version` is the facts row's xmin: it changes whenever the row is rewritten. */
interface VersionsRow {
  assets: StoredAsset[] | null;
  versions: [personId: string, version: string][] | null;
}
type VersionedPersonRow = [
  personId: string,
  version: string,
  employmentEndedAt: Ms,
  consents: StoredConsent[] | null,
];
type AssetRow = [
  assetId: string,
  mediaType: MediaType,
  personId: string | null,
  employmentEndedAt: Ms,
  consents: StoredConsent[] | null,
];

/**
 * The assets `wanted` selects (id, media_type) with who is in them, and a column `persons`
 * computed from `person_ids` (every person shown, once). One round trip, no query per asset.
 */
function setStatement(wanted: string, persons: string): string {
  // Who is in each asset through one index-only range scan of asset_persons per asset: measured
  // faster than grouping a join of the two tables for ten thousand assets.
  return `
    WITH shown AS MATERIALIZED (
      SELECT w.id, w.media_type, p.person_ids
      FROM (${wanted}) w
      CROSS JOIN LATERAL (
        SELECT array_agg(ap.person_id ORDER BY ap.person_id) AS person_ids
        FROM asset_persons ap WHERE ap.asset_id = w.id
      ) p
    ),
    person_ids AS (SELECT DISTINCT unnest(person_ids) AS person_id FROM shown)
    SELECT (SELECT json_agg(json_build_array(s.id, s.media_type, s.person_ids)) FROM shown s) AS assets,
           (SELECT json_agg(${persons}) FROM person_clearance_facts f JOIN person_ids p USING (person_id)) AS persons`;
}
const WITH_FACTS = 'json_build_array(f.person_id, f.employment_ended_at_ms, f.consents)';
const VERSIONS_ONLY = 'json_build_array(f.person_id, f.xmin::text)';

/**
 * A few assets: a row per person in each (one row with no person when nobody is), by primary keys
 * only. Named, so each connection plans it once.
 */
const BY_FEW_IDS = {
  name: 'clearance-facts-by-few-assets',
  text: `
    SELECT a.id, a.media_type, ap.person_id, f.employment_ended_at_ms, f.consents
    FROM assets a
    LEFT JOIN asset_persons ap ON ap.asset_id = a.id
    LEFT JOIN person_clearance_facts f ON f.person_id = ap.person_id
    WHERE a.id = ANY($1::uuid[])
    ORDER BY a.id, ap.person_id`,
};
/**
 * Single checks asked during the same turn of the event loop share one statement. Under load
 * (50 connections) a turn brings several requests, and each statement sent costs the service a
 * write to PostgreSQL's socket that wakes a backend, which profiling showed to be the largest part
 * of a check. Every statement is sent after the requests it answers arrived, so an answer is never
 * older than its request: nothing is kept between turns (no cache).
 */
const SINGLE_CHECKS_PER_STATEMENT = 100;
// The set statements are planned at each run: PostgreSQL's generic plan for them (what a named
// statement switches to after five runs) was measured twice as slow for thousands of assets.
const ASSETS_BY_IDS = 'SELECT a.id, a.media_type FROM assets a WHERE a.id = ANY($1::uuid[])';
const BY_IDS = { text: setStatement(ASSETS_BY_IDS, WITH_FACTS) };
const VERSIONS_BY_IDS = {
  text: setStatement(ASSETS_BY_IDS, VERSIONS_ONLY).replace('AS persons', 'AS versions'),
};
const PERSONS_BY_IDS = {
  text: `SELECT f.person_id, f.xmin::text, f.employment_ended_at_ms, f.consents
         FROM person_clearance_facts f WHERE f.person_id = ANY($1::uuid[])`,
};
const BY_PERSON = {
  text: setStatement(
    'SELECT a.id, a.media_type FROM assets a WHERE a.id IN (SELECT asset_id FROM asset_persons WHERE person_id = $1)',
    WITH_FACTS,
  ),
};

/**
 * Bulk clearance reads the assets of a large request in two statements run at once, on two
 * connections: PostgreSQL runs a statement on one core, and its part (about 120 ms for 10,000
 * assets on a 2-core machine) is the largest of the request. Every answer is still as fresh as the
 * request: both statements start after it.
 */
const ASSETS_PER_PART = 2_500;
const MAX_PARTS = 2;

function inParts(ids: readonly string[]): (readonly string[])[] {
  if (ids.length <= ASSETS_PER_PART) return [ids];
  const size = Math.ceil(ids.length / MAX_PARTS);
  const parts: (readonly string[])[] = [];
  for (let start = 0; start < ids.length; start += size) parts.push(ids.slice(start, start + size));
  return parts;
}

/**
 * Persons' facts last read, each valid while its row's version is the one read with it (about a
 * kilobyte each: 25,000 hold a large employer's whole staff in some 25 MB).
 */
const MAX_CACHED_PERSONS = 25_000;

@Injectable()
export class ClearanceFactsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private readonly cachedPersons = new Map<string, { version: string; facts: PersonFacts }>();

  private readonly singleChecks = new DataLoader<string, AssetRow[]>(
    (assetIds) => this.rowsOfAssets(assetIds),
    {
      cache: false,
      maxBatchSize: SINGLE_CHECKS_PER_STATEMENT,
      // After the poll phase, so every request read in this turn is in the batch.
      batchScheduleFn: (send) => setImmediate(send),
    },
  );

  /**
   * Outside a transaction (bulk clearance), the persons' facts are read in two steps: their
   * versions with the assets (two statements at once for a large request, see inParts), then the
   * facts of the persons whose version is not the one cached (one more statement, only when there
   * are such persons). Facts are megabytes for thousands of
   * assets and change rarely; every answer still reflects the rows as the first statement read
   * them, or later ones.
   */
  async forAssets(
    em: EntityManager | undefined,
    assetIds: readonly string[],
    channels: readonly Channel[] = CHANNELS,
  ): Promise<ClearanceFacts> {
    if (assetIds.length === 0) return { assets: new Map(), persons: new Map(), channels };
    if (em?.queryRunner) {
      return setToFacts((await this.read<FactsRow>(BY_IDS, [assetIds], em))[0], channels);
    }
    const parts = await Promise.all(
      inParts(assetIds).map(
        async (part) => (await this.read<VersionsRow>(VERSIONS_BY_IDS, [part], undefined))[0],
      ),
    );
    const persons = new Map<string, PersonFacts>();
    const stale = new Set<string>();
    for (const row of parts) {
      for (const [personId, version] of row?.versions ?? []) {
        if (persons.has(personId) || stale.has(personId)) continue;
        const cached = this.cachedPersons.get(personId);
        if (cached?.version === version) persons.set(personId, cached.facts);
        else stale.add(personId);
      }
    }
    if (stale.size > 0) {
      const rows = await this.read<VersionedPersonRow>(
        PERSONS_BY_IDS,
        [[...stale]],
        undefined,
        'array',
      );
      for (const [personId, version, employmentEndedAt, consents] of rows) {
        const facts = personFacts(personId, employmentEndedAt, consents);
        persons.set(personId, facts);
        this.remember(personId, version, facts);
      }
    }
    const assets = new Map<string, AssetFacts>();
    for (const row of parts) assetsOf(row?.assets, assets);
    return { assets, persons, channels };
  }

  private remember(personId: string, version: string, facts: PersonFacts): void {
    if (this.cachedPersons.size >= MAX_CACHED_PERSONS) {
      const oldest = this.cachedPersons.keys().next();
      if (!oldest.done) this.cachedPersons.delete(oldest.value);
    }
    this.cachedPersons.delete(personId);
    this.cachedPersons.set(personId, { version, facts });
  }

  /**
   * One asset: inside a transaction with its EntityManager (the publication gate); otherwise (the
   * clearance route) in the statement shared by the checks asked in this turn of the event loop.
   */
  async forAsset(
    em: EntityManager | undefined,
    assetId: string,
    channels: readonly Channel[] = CHANNELS,
  ): Promise<ClearanceFacts> {
    const rows = em?.queryRunner
      ? await this.read<AssetRow>(BY_FEW_IDS, [[assetId]], em, 'array')
      : await this.singleChecks.load(assetId);
    return assetToFacts(assetId, rows, channels);
  }

  /** The rows of BY_FEW_IDS for each asset id, in the order of the ids. */
  private async rowsOfAssets(assetIds: readonly string[]): Promise<AssetRow[][]> {
    const rows = await this.read<AssetRow>(BY_FEW_IDS, [assetIds], undefined, 'array');
    const byAsset = new Map<string, AssetRow[]>();
    for (const row of rows) {
      const ofAsset = byAsset.get(row[0]);
      if (ofAsset) ofAsset.push(row);
      else byAsset.set(row[0], [row]);
    }
    return assetIds.map((id) => byAsset.get(id) ?? []);
  }

  /**
   * Every asset the person appears in, for re-evaluating them when the person's consents change,
   * inside that change's transaction: the person's facts are refreshed first, since the triggers
   * that keep them only run at commit.
   */
  async forAssetsShowing(
    em: EntityManager,
    personId: string,
    channels: readonly Channel[] = CHANNELS,
  ): Promise<ClearanceFacts> {
    await em.query('SELECT person_clearance_facts_refresh($1::uuid)', [personId]);
    return setToFacts((await this.read<FactsRow>(BY_PERSON, [personId], em))[0], channels);
  }

  /** On the connection of `em`'s transaction when it has one, else on the pool as a named prepared statement. */
  private async read<Row>(
    statement: { name?: string; text: string },
    values: unknown[],
    em: EntityManager | undefined,
    rowMode?: 'array',
  ): Promise<Row[]> {
    const config = { ...statement, values };
    const target = em?.queryRunner ? await pgConnectionOf(em) : pgPoolOf(this.dataSource);
    const result = rowMode
      ? await target.query({ ...config, rowMode })
      : await target.query(config);
    return result.rows as Row[];
  }
}

function consentFacts(c: StoredConsent): ConsentFacts {
  return {
    id: c[0],
    status: c[1],
    requestedAt: c[2],
    answeredAt: c[3],
    signDeadline: c[4],
    validFrom: c[5],
    validUntil: c[6],
    endedAt: c[7],
    coversAfterEmployment: c[8],
    channels: c[9],
    mediaTypes: c[10],
    decisions: c[11].map(([channel, decision, withdrawnAt]) => ({
      channel,
      decision,
      withdrawnAt,
    })),
  };
}

function personFacts(
  id: string,
  employmentEndedAt: Ms,
  consents: StoredConsent[] | null,
): PersonFacts {
  return { id, employmentEndedAt, consents: (consents ?? []).map(consentFacts) };
}

function assetToFacts(
  assetId: string,
  rows: AssetRow[],
  channels: readonly Channel[],
): ClearanceFacts {
  const assets = new Map<string, AssetFacts>();
  const persons = new Map<string, PersonFacts>();
  if (rows.length === 0) return { assets, persons, channels };
  const personIds: string[] = [];
  for (const [, , personId, employmentEndedAt, consents] of rows) {
    if (personId === null) continue;
    personIds.push(personId);
    persons.set(personId, personFacts(personId, employmentEndedAt, consents));
  }
  assets.set(assetId, { id: assetId, mediaType: rows[0][1], personIds });
  return { assets, persons, channels };
}

function assetsOf(
  stored: StoredAsset[] | null | undefined,
  assets = new Map<string, AssetFacts>(),
): Map<string, AssetFacts> {
  for (const [id, mediaType, personIds] of stored ?? [])
    assets.set(id, { id, mediaType, personIds: personIds ?? [] });
  return assets;
}

function setToFacts(row: FactsRow | undefined, channels: readonly Channel[]): ClearanceFacts {
  const persons = new Map<string, PersonFacts>();
  for (const [id, employmentEndedAt, consents] of row?.persons ?? [])
    persons.set(id, personFacts(id, employmentEndedAt, consents));
  return { assets: assetsOf(row?.assets), persons, channels };
}
