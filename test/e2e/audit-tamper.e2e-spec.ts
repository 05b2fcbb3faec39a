import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { AuditAppender } from 'src/audit/audit-appender';
import { AuditCheckpoints } from 'src/audit/audit-checkpoints.service';
import { AuditLog } from 'src/audit/audit-log.service';
import { AuditVerifier } from 'src/audit/audit-verifier.service';
import { encodeFrontier } from 'src/audit/domain/frontier-codec';
import { appendLeaf, Frontier, leafHash } from 'src/audit/domain/merkle';
import { QueueName } from 'src/queue/queue-names';
import { runCli } from 'test/support/run-cli';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

const AUDIT_TABLES = ['audit_events', 'audit_tree_nodes', 'audit_checkpoints'];
const ALL_TABLES = [...AUDIT_TABLES, 'audit_tree_state'];
const SYSTEM = { type: 'system', id: 'test' } as const;

describe('audit log tampering', () => {
  let t: TestApp;
  let verifier: AuditVerifier;
  let auditLog: AuditLog;
  let legal: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { AUDIT_CHECKPOINT_EVERY: '1000' } });
    verifier = t.app.get(AuditVerifier);
    auditLog = t.app.get(AuditLog);
    legal = await t.keyFor('hr_legal');
    // The checkpoint scheduler runs once at start; let it finish before the log is frozen.
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Audit));
    await waitFor(async () => (await queue.getCompletedCount()) >= 1, {
      what: 'first scheduled checkpoint',
    });
    for (let i = 0; i < 40; i += 1) {
      if (i === 10 || i === 30) await t.app.get(AuditCheckpoints).create(SYSTEM);
      await append(i);
    }
    await snapshot();
  });
  afterAll(() => t.close());

  const append = (i: number) =>
    t.dataSource.transaction((em) =>
      auditLog.append(em, {
        action: 'email.sent',
        actor: { type: 'system', id: 'mailer' },
        data: { i },
      }),
    );
  const sql = (text: string, params: unknown[] = []) => t.dataSource.query(text, params);
  const size = async () =>
    Number((await sql('SELECT tree_size FROM audit_tree_state'))[0].tree_size);
  const seqOf = async (i: number) =>
    Number(
      (
        await sql(`SELECT seq FROM audit_events WHERE convert_from(canonical, 'UTF8') LIKE $1`, [
          `%"data":{"i":${i}}%`,
        ])
      )[0].seq,
    );

  /** What a database superuser can do: switch the append-only triggers off, then back on. */
  async function asSuperuserWithoutTriggers(work: () => Promise<void>): Promise<void> {
    for (const table of ALL_TABLES) await sql(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    try {
      await work();
    } finally {
      const triggers = (await sql(
        `SELECT tgname, tgrelid::regclass::text AS table FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY($1)`,
        [ALL_TABLES],
      )) as { tgname: string; table: string }[];
      for (const { tgname, table } of triggers)
        await sql(`ALTER TABLE ${table} ENABLE ALWAYS TRIGGER ${tgname}`);
    }
  }

  async function snapshot(): Promise<void> {
    for (const table of ALL_TABLES) await sql(`CREATE TABLE snapshot_${table} AS TABLE ${table}`);
  }

  async function restore(): Promise<void> {
    await asSuperuserWithoutTriggers(async () => {
      for (const table of ALL_TABLES) {
        await sql(`DELETE FROM ${table}`);
        await sql(`INSERT INTO ${table} SELECT * FROM snapshot_${table}`);
      }
    });
    expect((await verifier.verify()).ok).toBe(true);
  }

  it('verifies the intact log, over HTTP too, and records who verified', async () => {
    const { body } = await request(t.http)
      .get('/v1/audit/verify')
      .set('authorization', `Bearer ${legal}`)
      .expect(200);
    // Every stored checkpoint: the two made above, and the scheduler's first one when it ran after
    // the test's API keys were recorded (it signs only a log that grew).
    const checkpoints = Number((await sql('SELECT count(*) AS n FROM audit_checkpoints'))[0].n);
    expect(checkpoints).toBeGreaterThanOrEqual(2);
    expect(body).toMatchObject({ ok: true, treeSize: (await size()) - 1, checkedCheckpoints: checkpoints });
    expect(body.rootHash).toMatch(/^[0-9a-f]{64}$/);
    const last = (
      await sql('SELECT canonical FROM audit_events ORDER BY seq DESC LIMIT 1')
    )[0].canonical.toString();
    expect(JSON.parse(last)).toMatchObject({
      action: 'audit.verified',
      data: { ok: true, treeSize: body.treeSize },
    });
    await restore();
  });

  it("finds the exact event whose bytes a superuser changed behind the triggers' back", async () => {
    const seq = await seqOf(17);
    await asSuperuserWithoutTriggers(async () => {
      await sql(
        `UPDATE audit_events SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), '"i":17', '"i":71'), 'UTF8') WHERE seq = $1`,
        [seq],
      );
    });
    expect(await verifier.verify()).toMatchObject({
      ok: false,
      firstBadSeq: seq,
      reason: expect.stringContaining('do not hash'),
    });

    const cli = await runCli(['audit', 'verify'], { DATABASE_URL: t.database.url });
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: false, firstBadSeq: seq });
    await restore();
  }, 60_000);

  it('finds the exact event a superuser deleted', async () => {
    const seq = await seqOf(23);
    await asSuperuserWithoutTriggers(() => sql('DELETE FROM audit_events WHERE seq = $1', [seq]));
    expect(await verifier.verify()).toMatchObject({
      ok: false,
      firstBadSeq: seq,
      reason: expect.stringContaining(`event ${seq} is missing`),
    });
    await restore();
  });

  it('finds the first of two rows a superuser swapped', async () => {
    const [a, b] = [await seqOf(5), await seqOf(33)];
    await asSuperuserWithoutTriggers(async () => {
      await sql(
        `UPDATE audit_events e SET canonical = o.canonical, leaf_hash = o.leaf_hash
         FROM audit_events o WHERE (e.seq, o.seq) IN (($1::bigint, $2::bigint), ($2::bigint, $1::bigint))`,
        [a, b],
      );
    });
    expect(await verifier.verify()).toMatchObject({ ok: false, firstBadSeq: a });
    await restore();
  });

  it('catches a tail rewritten and re-hashed consistently, through the signed checkpoint', async () => {
    const checkpointSizes = (
      (await sql('SELECT tree_size FROM audit_checkpoints ORDER BY tree_size')) as {
        tree_size: string;
      }[]
    ).map((r) => Number(r.tree_size));
    const from = checkpointSizes[checkpointSizes.length - 2];
    await asSuperuserWithoutTriggers(async () => {
      const rows = (await sql(
        'SELECT seq, canonical, leaf_hash FROM audit_events ORDER BY seq',
      )) as {
        seq: string;
        canonical: Buffer;
        leaf_hash: Buffer;
      }[];
      let frontier: Frontier = [];
      await sql('DELETE FROM audit_tree_nodes');
      for (const row of rows) {
        const seq = Number(row.seq);
        let hash = row.leaf_hash;
        if (seq >= from) {
          const forged = Buffer.from(
            row.canonical.toString().replace('"mailer"', '"forger"').replace('"audit"', '"forger"'),
          );
          hash = leafHash(forged);
          await sql('UPDATE audit_events SET canonical = $1, leaf_hash = $2 WHERE seq = $3', [
            forged,
            hash,
            seq,
          ]);
        }
        const next = appendLeaf(frontier, seq, hash);
        for (const node of next.completedNodes.slice(1)) {
          await sql('INSERT INTO audit_tree_nodes (level, idx, hash) VALUES ($1, $2, $3)', [
            node.level,
            node.index,
            node.hash,
          ]);
        }
        frontier = next.frontier;
      }
      await sql('UPDATE audit_tree_state SET frontier = $1', [encodeFrontier(frontier)]);
    });
    const result = await verifier.verify();
    expect(result).toMatchObject({
      ok: false,
      firstBadSeq: from,
      checkedCheckpoints: checkpointSizes.length - 1,
    });
    expect(result.reason).toContain(
      `checkpoint at tree size ${checkpointSizes[checkpointSizes.length - 1]}`,
    );
    await restore();
  });

  it('notices a signed checkpoint deleted by a superuser, since the log records each checkpoint', async () => {
    await asSuperuserWithoutTriggers(() =>
      sql(
        'DELETE FROM audit_checkpoints WHERE tree_size = (SELECT max(tree_size) FROM audit_checkpoints)',
      ),
    );
    expect(await verifier.verify()).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not stored'),
    });
    await restore();
  });

  it('refuses to append onto a tree state whose frontier was damaged behind its back', async () => {
    await asSuperuserWithoutTriggers(() =>
      sql('UPDATE audit_tree_state SET frontier = substring(frontier FROM 33)'),
    );
    await expect(
      t.dataSource.transaction((em) => auditLog.append(em, { action: 'person.updated', actor: SYSTEM })),
    ).rejects.toThrow(/audit_tree_state is damaged/);
    await restore();
  });

  describe('PostgreSQL itself enforces append-only', () => {
    const UPDATES: Record<string, string> = {
      audit_events: 'UPDATE audit_events SET action = action',
      audit_tree_nodes: 'UPDATE audit_tree_nodes SET hash = hash',
      audit_checkpoints: 'UPDATE audit_checkpoints SET note = note',
      audit_tree_state: 'UPDATE audit_tree_state SET tree_size = 0',
    };
    const attempts = (table: string) => [
      UPDATES[table],
      `DELETE FROM ${table}`,
      `TRUNCATE ${table}`,
    ];

    it('refuses UPDATE, DELETE and TRUNCATE even to a superuser, even with session_replication_role = replica', async () => {
      for (const replica of [false, true]) {
        for (const table of ALL_TABLES) {
          for (const statement of attempts(table)) {
            const runner = t.dataSource.createQueryRunner();
            await runner.startTransaction();
            try {
              if (replica) await runner.query('SET LOCAL session_replication_role = replica');
              await expect(runner.query(statement)).rejects.toThrow(/append-only/);
            } finally {
              await runner.rollbackTransaction();
              await runner.release();
            }
          }
        }
      }
    });

    it('lets the tree state only grow', async () => {
      await expect(sql('UPDATE audit_tree_state SET tree_size = tree_size - 1')).rejects.toThrow(
        /may only grow/,
      );
      await expect(sql("UPDATE audit_tree_state SET frontier = ''::bytea")).rejects.toThrow(
        /may only grow/,
      );
      await expect(sql('UPDATE audit_tree_state SET last_checkpoint_size = NULL')).rejects.toThrow(
        /may only grow/,
      );
    });

    it('gives the app role SELECT and INSERT only: appends work, UPDATE, DELETE and TRUNCATE are refused', async () => {
      const asAppRole = async <T>(
        work: (runner: ReturnType<TestApp['dataSource']['createQueryRunner']>) => Promise<T>,
      ) => {
        const runner = t.dataSource.createQueryRunner();
        await runner.startTransaction();
        try {
          await runner.query('SET LOCAL ROLE consent_ledger_app');
          return await work(runner);
        } finally {
          await runner.rollbackTransaction();
          await runner.release();
        }
      };
      const appended = await asAppRole(async (runner) => {
        const event = await auditLog.append(runner.manager, {
          action: 'person.updated',
          actor: SYSTEM,
        });
        const tree = await t.app.get(AuditAppender).lock(runner.manager);
        await t.app.get(AuditCheckpoints).createLocked(runner.manager, tree, SYSTEM);
        await runner.query('SELECT count(*) FROM audit_events');
        return event;
      });
      expect(appended.seq).toBe(await size());

      for (const table of ALL_TABLES) {
        for (const statement of attempts(table)) {
          // The state row is updatable by the app (appends), and its trigger refuses shrinking it.
          const refusal =
            statement === UPDATES.audit_tree_state ? /may only grow/ : /permission denied/;
          await expect(asAppRole((runner) => runner.query(statement))).rejects.toThrow(refusal);
        }
      }
    });
  });
});
