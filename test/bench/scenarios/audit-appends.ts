import { DataSource } from 'typeorm';
import { AuditLog } from 'src/audit/audit-log.service';
import type { BenchScenario } from 'test/bench/bench-environment';
import { formatNumber } from 'test/bench/bench-report';
import { sampleAuditEvent } from 'test/bench/seed/audit-events';
import { auditTreeSize } from 'test/bench/seed/audit-log';
import { inLanes, timed } from 'test/bench/stats';

const SCENARIO = '4 audit appends';

/**
 * `writers` concurrent lanes, each appending one event per transaction through AuditLog.append,
 * as every change in the service does. Baseline: the same lanes doing only what serializes
 * appends (lock one row, update it, commit), so the ratio shows what the hashing and the inserts
 * cost on top of the commit queue.
 */
export const auditAppends: BenchScenario = {
  name: SCENARIO,
  async run(env, scale) {
    const { events, writers } = scale.auditAppends;
    const app = await env.app();
    const dataSource = app.get(DataSource);
    const auditLog = app.get(AuditLog);

    await env.pool.query('CREATE TABLE bench_row_lock (id int PRIMARY KEY, n bigint NOT NULL)');
    await env.pool.query('INSERT INTO bench_row_lock VALUES (1, 0)');
    const lockCommits = Math.ceil(events / 4);
    const baseline = await timed(() =>
      inLanes(lockCommits, writers, () =>
        dataSource.transaction(async (em) => {
          await em.query('SELECT n FROM bench_row_lock WHERE id = 1 FOR UPDATE');
          await em.query('UPDATE bench_row_lock SET n = n + 1 WHERE id = 1');
        }),
      ),
    );
    await env.pool.query('DROP TABLE bench_row_lock');

    const sizeBefore = await auditTreeSize(env.pool);
    const appends = await timed(() =>
      inLanes(events, writers, (i) =>
        dataSource.transaction((em) =>
          auditLog.append(em, sampleAuditEvent(i)).then(() => undefined),
        ),
      ),
    );
    const written = (await auditTreeSize(env.pool)) - sizeBefore;

    return [
      {
        scenario: SCENARIO,
        scale: `${formatNumber(events)} events, ${writers} writers`,
        figure: 'appends/s',
        value: events / (appends.ms / 1000),
        unit: 'events/s',
        goal: { of: 'value', comparison: '≥', target: 2_000 },
        baseline: lockCommits / (baseline.ms / 1000),
        baselineLabel: 'lock+commit only',
        note: `${formatNumber(written)} rows appended (checkpoints included) in ${(appends.ms / 1000).toFixed(1)} s`,
      },
    ];
  },
};
