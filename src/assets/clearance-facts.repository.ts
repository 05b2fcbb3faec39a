import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { AssetFacts, ConsentFacts, PersonFacts } from 'src/assets/domain/clearance';
import type { Channel, MediaType } from 'src/consents/domain/consent-scope';
import type { ConsentStatus } from 'src/consents/domain/consent-state';

/** What the clearance rule needs about a set of assets: the assets, and everyone in them with all their consents. */
export interface ClearanceFacts {
  assets: Map<string, AssetFacts>;
  persons: Map<string, PersonFacts>;
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
interface FactsRow {
  assets: [string, MediaType][] | null;
  shown: [string, string][] | null;
  persons: StoredPerson[] | null;
}
type AssetRow = [
  mediaType: MediaType,
  personId: string | null,
  employmentEndedAt: Ms,
  consents: StoredConsent[] | null,
];

/**
 * One statement whatever the number of assets: the assets, who is in them, and those persons'
 * clearance facts (each person once), as JSON (one round trip, no query per asset). `wanted`
 * selects the assets; the rest follows through asset_persons(asset_id, person_id) and the
 * person_clearance_facts primary key.
 */
function setStatement(wanted: string): string {
  return `
    WITH wanted AS (${wanted}),
    shown AS (
      SELECT ap.asset_id, ap.person_id FROM asset_persons ap WHERE ap.asset_id IN (SELECT id FROM wanted)
    )
    SELECT
      (SELECT json_agg(json_build_array(w.id, w.media_type)) FROM wanted w) AS assets,
      (SELECT json_agg(json_build_array(s.asset_id, s.person_id)) FROM shown s) AS shown,
      (SELECT json_agg(json_build_array(f.person_id, f.employment_ended_at_ms, f.consents))
         FROM person_clearance_facts f WHERE f.person_id IN (SELECT person_id FROM shown)) AS persons`;
}

/** One asset: a row per person in it (one row with no person when nobody is), by primary keys only. */
const BY_ID = {
  name: 'clearance-facts-by-asset',
  text: `
    SELECT a.media_type, ap.person_id, f.employment_ended_at_ms, f.consents
    FROM assets a
    LEFT JOIN asset_persons ap ON ap.asset_id = a.id
    LEFT JOIN person_clearance_facts f ON f.person_id = ap.person_id
    WHERE a.id = $1
    ORDER BY ap.person_id`,
};
const BY_IDS = {
  name: 'clearance-facts-by-assets',
  text: setStatement('SELECT a.id, a.media_type FROM assets a WHERE a.id = ANY($1::uuid[])'),
};
const BY_PERSON = {
  name: 'clearance-facts-by-person',
  text: setStatement(
    'SELECT a.id, a.media_type FROM assets a WHERE a.id IN (SELECT asset_id FROM asset_persons WHERE person_id = $1)',
  ),
};

@Injectable()
export class ClearanceFactsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inside a transaction with its EntityManager; otherwise (the clearance routes) on the pool as a
   * named prepared statement, planned once per connection, which is most of the cost of one check.
   */
  async forAssets(
    em: EntityManager | undefined,
    assetIds: readonly string[],
  ): Promise<ClearanceFacts> {
    if (assetIds.length === 0) return { assets: new Map(), persons: new Map() };
    return setToFacts((await this.read<FactsRow>(BY_IDS, [assetIds], em))[0]);
  }

  async forAsset(em: EntityManager | undefined, assetId: string): Promise<ClearanceFacts> {
    return assetToFacts(assetId, await this.read<AssetRow>(BY_ID, [assetId], em, 'array'));
  }

  /**
   * Every asset the person appears in, for re-evaluating them when the person's consents change,
   * inside that change's transaction: the person's facts are refreshed first, since the triggers
   * that keep them only run at commit.
   */
  async forAssetsShowing(em: EntityManager, personId: string): Promise<ClearanceFacts> {
    await em.query('SELECT person_clearance_facts_refresh(ARRAY[$1::uuid])', [personId]);
    return setToFacts((await this.read<FactsRow>(BY_PERSON, [personId], em))[0]);
  }

  /** On the connection of `em`'s transaction when it has one, else on the pool as a named prepared statement. */
  private async read<Row>(
    statement: { name: string; text: string },
    values: unknown[],
    em: EntityManager | undefined,
    rowMode?: 'array',
  ): Promise<Row[]> {
    const runner = em?.queryRunner;
    const config = { ...statement, values };
    const target = runner ? ((await runner.connect()) as PoolClient) : this.pool();
    const result = rowMode
      ? await target.query({ ...config, rowMode })
      : await target.query(config);
    return result.rows as Row[];
  }

  private pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }
}

const date = (value: number) => new Date(value);
const maybeDate = (value: Ms) => (value === null ? null : new Date(value));

function consentFacts(c: StoredConsent): ConsentFacts {
  return {
    id: c[0],
    status: c[1],
    requestedAt: date(c[2]),
    answeredAt: maybeDate(c[3]),
    signDeadline: date(c[4]),
    validFrom: date(c[5]),
    validUntil: date(c[6]),
    endedAt: maybeDate(c[7]),
    coversAfterEmployment: c[8],
    channels: c[9],
    mediaTypes: c[10],
    decisions: c[11].map(([channel, decision, withdrawnAt]) => ({
      channel,
      decision,
      withdrawnAt: maybeDate(withdrawnAt),
    })),
  };
}

function personFacts(
  id: string,
  employmentEndedAt: Ms,
  consents: StoredConsent[] | null,
): PersonFacts {
  return {
    id,
    employmentEndedAt: maybeDate(employmentEndedAt),
    consents: (consents ?? []).map(consentFacts),
  };
}

function assetToFacts(assetId: string, rows: AssetRow[]): ClearanceFacts {
  const assets = new Map<string, AssetFacts>();
  const persons = new Map<string, PersonFacts>();
  if (rows.length === 0) return { assets, persons };
  const personIds: string[] = [];
  for (const [, personId, employmentEndedAt, consents] of rows) {
    if (personId === null) continue;
    personIds.push(personId);
    persons.set(personId, personFacts(personId, employmentEndedAt, consents));
  }
  assets.set(assetId, { id: assetId, mediaType: rows[0][0], personIds });
  return { assets, persons };
}

function setToFacts(row: FactsRow | undefined): ClearanceFacts {
  const personIds = new Map<string, string[]>();
  for (const [assetId, personId] of row?.shown ?? []) {
    const list = personIds.get(assetId);
    if (list) list.push(personId);
    else personIds.set(assetId, [personId]);
  }
  const assets = new Map<string, AssetFacts>();
  for (const [id, mediaType] of row?.assets ?? []) {
    // Reasons come out in person-id order, as for a single asset.
    assets.set(id, { id, mediaType, personIds: personIds.get(id)?.sort() ?? [] });
  }
  const persons = new Map<string, PersonFacts>();
  for (const [id, employmentEndedAt, consents] of row?.persons ?? [])
    persons.set(id, personFacts(id, employmentEndedAt, consents));
  return { assets, persons };
}
