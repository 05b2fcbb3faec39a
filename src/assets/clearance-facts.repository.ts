import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
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
type ConsentRow = [
  id: string,
  personId: string,
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
  decisions: [Channel, 'accepted' | 'refused', Ms][] | null,
];
interface FactsRow {
  assets: [string, MediaType][] | null;
  shown: [string, string][] | null;
  persons: [string, Ms][] | null;
  consents: ConsentRow[] | null;
}

const ms = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)::float8`;

const CONSENT_FIELDS = `c.id, c.person_id, c.status, ${ms('c.requested_at')}, ${ms('c.answered_at')}, ${ms('c.sign_deadline')},
  ${ms('c.valid_from')}, ${ms('c.valid_until')}, ${ms('c.ended_at')}, c.covers_after_employment, c.channels, c.media_types,
  (SELECT json_agg(json_build_array(cc.channel, cc.decision, ${ms('cc.withdrawn_at')}))
     FROM consent_channels cc WHERE cc.consent_id = c.id)`;

/**
 * One statement whatever the number of assets: the assets, who is in them, those persons (each
 * once), and all their consents with the decision per channel, as JSON (one round trip, no query
 * per asset). `wanted` selects the assets; the rest follows from it through asset_persons(asset_id,
 * person_id), consents(person_id) and the consent_channels primary key.
 */
function setStatement(wanted: string): string {
  return `
    WITH wanted AS (${wanted}),
    shown AS (
      SELECT ap.asset_id, ap.person_id FROM asset_persons ap WHERE ap.asset_id IN (SELECT id FROM wanted)
    ),
    people AS (SELECT DISTINCT person_id FROM shown)
    SELECT
      (SELECT json_agg(json_build_array(w.id, w.media_type)) FROM wanted w) AS assets,
      (SELECT json_agg(json_build_array(s.asset_id, s.person_id) ORDER BY s.asset_id, s.person_id) FROM shown s) AS shown,
      (SELECT json_agg(json_build_array(p.id, ${ms('p.employment_ended_at')}))
         FROM persons p WHERE p.id IN (SELECT person_id FROM people)) AS persons,
      (SELECT json_agg(json_build_array(${CONSENT_FIELDS}))
         FROM consents c WHERE c.person_id IN (SELECT person_id FROM people)) AS consents`;
}

/**
 * The same facts for one asset, as correlated subqueries on its primary key: a third of the
 * database work of the set statement for one id, which matters for the single check's throughput.
 */
const BY_ID = {
  name: 'clearance-facts-by-asset',
  text: `
    SELECT
      json_build_array(json_build_array(a.id, a.media_type)) AS assets,
      (SELECT json_agg(json_build_array(ap.asset_id, ap.person_id) ORDER BY ap.person_id)
         FROM asset_persons ap WHERE ap.asset_id = a.id) AS shown,
      (SELECT json_agg(json_build_array(p.id, ${ms('p.employment_ended_at')}))
         FROM asset_persons ap JOIN persons p ON p.id = ap.person_id WHERE ap.asset_id = a.id) AS persons,
      (SELECT json_agg(json_build_array(${CONSENT_FIELDS}))
         FROM asset_persons ap JOIN consents c ON c.person_id = ap.person_id WHERE ap.asset_id = a.id) AS consents
    FROM assets a WHERE a.id = $1`,
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
    return toFacts(await this.read(BY_IDS, [assetIds], em));
  }

  async forAsset(em: EntityManager | undefined, assetId: string): Promise<ClearanceFacts> {
    return toFacts(await this.read(BY_ID, [assetId], em));
  }

  /** Every asset the person appears in, for re-evaluating them when the person's consents change. */
  async forAssetsShowing(em: EntityManager, personId: string): Promise<ClearanceFacts> {
    return toFacts(await this.read(BY_PERSON, [personId], em));
  }

  private async read(
    statement: { name: string; text: string },
    values: unknown[],
    em: EntityManager | undefined,
  ): Promise<FactsRow | undefined> {
    if (em) return (await em.query<FactsRow[]>(statement.text, values))[0];
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    return (await pool.query<FactsRow>({ ...statement, values })).rows[0];
  }
}

const date = (value: number) => new Date(value);
const maybeDate = (value: Ms) => (value === null ? null : new Date(value));

function toFacts(row: FactsRow | undefined): ClearanceFacts {
  const personIds = new Map<string, string[]>();
  for (const [assetId, personId] of row?.shown ?? []) {
    const list = personIds.get(assetId);
    if (list) list.push(personId);
    else personIds.set(assetId, [personId]);
  }
  const assets = new Map<string, AssetFacts>();
  for (const [id, mediaType] of row?.assets ?? [])
    assets.set(id, { id, mediaType, personIds: personIds.get(id) ?? [] });

  const consents = new Map<string, ConsentFacts[]>();
  for (const c of row?.consents ?? []) {
    const consent: ConsentFacts = {
      id: c[0],
      status: c[2],
      requestedAt: date(c[3]),
      answeredAt: maybeDate(c[4]),
      signDeadline: date(c[5]),
      validFrom: date(c[6]),
      validUntil: date(c[7]),
      endedAt: maybeDate(c[8]),
      coversAfterEmployment: c[9],
      channels: c[10],
      mediaTypes: c[11],
      decisions: (c[12] ?? []).map(([channel, decision, withdrawnAt]) => ({
        channel,
        decision,
        withdrawnAt: maybeDate(withdrawnAt),
      })),
    };
    const list = consents.get(c[1]);
    if (list) list.push(consent);
    else consents.set(c[1], [consent]);
  }
  const persons = new Map<string, PersonFacts>();
  for (const [id, employmentEndedAt] of row?.persons ?? []) {
    persons.set(id, {
      id,
      employmentEndedAt: maybeDate(employmentEndedAt),
      consents: consents.get(id) ?? [],
    });
  }
  return { assets, persons };
}
