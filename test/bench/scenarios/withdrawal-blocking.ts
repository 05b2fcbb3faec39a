import { DataSource } from 'typeorm';
import { ConsentsService } from 'src/consents/consents.service';
import { PersonsService } from 'src/persons/persons.service';
import type { BenchScenario } from 'test/bench/bench-environment';
import { formatNumber } from 'test/bench/bench-report';
import { FeatureMissing } from 'test/bench/feature-missing';
import { httpService } from 'test/bench/scenarios/clearance-check';
import { seedAssets } from 'test/bench/seed/assets';
import { auditTreeSize } from 'test/bench/seed/audit-log';
import { timed } from 'test/bench/stats';

const SCENARIO = '3 withdrawal blocking';
const BENCH_ACTOR = { type: 'system' as const, id: 'bench' };

/**
 * One person, granted through the services (so the grant has its evidence and audit events), then
 * shown alone in `assets` assets. HR records the withdrawal of the whole consent with
 * POST /v1/consents/:id/withdraw; the answer comes once the transaction that blocked every asset,
 * wrote an asset.blocked event per asset and sealed the withdrawal receipt has committed.
 */
export const withdrawalBlocking: BenchScenario = {
  name: SCENARIO,
  async run(env, scale) {
    const { assets } = scale.withdrawal;
    const app = await env.app();
    const consents = app.get(ConsentsService);
    const person = await app
      .get(PersonsService)
      .create(
        { fullName: 'Dominique Retrait', email: 'withdrawal-1@bench.example', locale: 'fr' },
        BENCH_ACTOR,
      );
    const validFrom = new Date();
    const consent = await consents.request(
      {
        personId: person.id,
        purpose: 'Photos et vidéos de l’équipe pour le site, l’intranet et LinkedIn.',
        channels: ['website', 'intranet', 'linkedin'],
        mediaTypes: ['photo', 'video'],
        validFrom: validFrom.toISOString(),
        validUntil: new Date(validFrom.getTime() + 365 * 86_400_000).toISOString(),
      },
      BENCH_ACTOR,
      null,
    );
    await app.get(DataSource).transaction(async (em) => {
      const locked = await consents.lockConsent(em, consent.id);
      await consents.grantByLink(
        em,
        locked,
        { accepted: ['website', 'intranet', 'linkedin'], signerName: 'Dominique Retrait' },
        { ip: null, userAgent: null },
      );
    });
    const { rows: table } = await env.pool.query<{ assets: string | null }>(
      "SELECT to_regclass('assets')::text AS assets",
    );
    if (!table[0].assets) throw new FeatureMissing('the assets table is not in the migrations yet');
    await seedAssets(env.pool, {
      prefix: 'withdrawalasset',
      count: assets,
      personGroup: 'withdrawal',
      personCount: 1,
      maxPersonsPerAsset: 1,
    });
    await env.pool.query('VACUUM ANALYZE assets, asset_persons, person_clearance_facts');

    const key = await env.once('hr-key', () => env.apiKey('hr_legal'));
    const service = await httpService(env);
    const sizeBefore = await auditTreeSize(env.pool);
    const withdrawal = await timed(async () => {
      const response = await fetch(`${service.url}/v1/consents/${consent.id}/withdraw`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          receivedVia: 'letter',
          reason: 'Letter received by HR, withdrawing everything',
        }),
      });
      if (response.status !== 200)
        throw new Error(
          `POST /v1/consents/:id/withdraw answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
        );
    });
    const { rows } = await env.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM audit_events WHERE action = 'asset.blocked' AND consent_id = $1",
      [consent.id],
    );
    const blocked = Number(rows[0].n);
    if (blocked === 0)
      throw new FeatureMissing(
        'withdrawing a consent blocks no asset yet (no asset.blocked events)',
      );
    if (blocked !== assets)
      throw new Error(`the withdrawal blocked ${blocked} assets, not ${assets}`);

    return [
      {
        scenario: SCENARIO,
        scale: `1 person in ${formatNumber(assets)} assets`,
        figure: 'withdraw to commit',
        value: withdrawal.ms,
        unit: 'ms',
        goal: { of: 'value', comparison: '<', target: 1_000 },
        note: `${formatNumber(blocked)} asset.blocked events among ${formatNumber((await auditTreeSize(env.pool)) - sizeBefore)} audit events appended; includes the sealed withdrawal receipt and the HTTP answer`,
      },
    ];
  },
};
