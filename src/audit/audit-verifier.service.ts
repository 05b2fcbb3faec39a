import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { AuditLog } from 'src/audit/audit-log.service';
import { AuditSigner } from 'src/audit/audit-signer';
import type { AuditActor } from 'src/audit/domain/audit-event';
import { decodeFrontier } from 'src/audit/domain/frontier-codec';
import {
  innerNodesCompletedBy,
  LogVerifier,
  NodeBatch,
  StoredCheckpoint,
  VerifyResult,
} from 'src/audit/domain/log-verifier';
import { withPgClient } from 'src/audit/pg-client';

const EVENT_BATCH = 5_000;
const CHECKPOINT_BATCH = 1_000;

type EventRow = [seq: string, canonical: Buffer, leafHash: Buffer];

interface EventBatch {
  rows: EventRow[];
  nodes: NodeBatch;
}

const NO_MORE_EVENTS: EventBatch = { rows: [], nodes: new NodeBatch([]) };

/**
 * Verifies the whole log from the stored bytes in one REPEATABLE READ snapshot, streaming events
 * by keyset pages of raw rows (never entities): memory stays flat whatever the size of the log.
 * The next page is requested before the current one is hashed, so the database and the hashing
 * overlap.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signer: AuditSigner,
    private readonly auditLog: AuditLog,
  ) {}

  verify(): Promise<VerifyResult> {
    return withPgClient(this.dataSource, async (client) => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await this.verifySnapshot(client);
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }

  /** Verifies, then records who verified and the outcome (audit.verified). */
  async verifyAndRecord(actor: AuditActor): Promise<VerifyResult> {
    const result = await this.verify();
    const data: Record<string, unknown> = {
      ok: result.ok,
      treeSize: result.treeSize,
      checkedCheckpoints: result.checkedCheckpoints,
    };
    if (result.firstBadSeq !== undefined) data.firstBadSeq = result.firstBadSeq;
    await this.dataSource.transaction((em) =>
      this.auditLog.append(em, { action: 'audit.verified', actor, data }),
    );
    return result;
  }

  private async verifySnapshot(client: PoolClient): Promise<VerifyResult> {
    const state = await client.query<{ tree_size: string; frontier: Buffer }>(
      'SELECT tree_size, frontier FROM audit_tree_state WHERE id = 1',
    );
    const nodeCount = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM audit_tree_nodes',
    );
    const verifier = new LogVerifier(this.signer.trustedKey);
    const checkpoints = new CheckpointCursor(client);
    let pending = await checkpoints.next();

    let batch = this.fetchBatch(client, -1);
    for (;;) {
      const { rows, nodes } = await batch;
      if (rows.length === 0) break;
      const lastSeq = Number(rows[rows.length - 1][0]);
      batch =
        rows.length < EVENT_BATCH
          ? Promise.resolve(NO_MORE_EVENTS)
          : this.fetchBatch(client, lastSeq);
      for (const [seq, canonical, leafHash] of rows) {
        while (pending && pending.treeSize === verifier.treeSize) {
          verifier.addCheckpoint(pending);
          pending = await checkpoints.next();
        }
        if (!verifier.addEvent(Number(seq), canonical, leafHash, nodes.get)) break;
      }
      if (verifier.failed) {
        await batch;
        break;
      }
    }
    while (!verifier.failed && pending && pending.treeSize === verifier.treeSize) {
      verifier.addCheckpoint(pending);
      pending = await checkpoints.next();
    }
    return verifier.finish(
      {
        treeSize: Number(state.rows[0]?.tree_size ?? 0),
        frontier: decodeFrontier(state.rows[0]?.frontier ?? Buffer.alloc(0)),
        innerNodeCount: Number(nodeCount.rows[0].n),
      },
      pending?.treeSize,
    );
  }

  /** One page of events after `afterSeq`, with the stored inner nodes its leaves complete. */
  private async fetchBatch(client: PoolClient, afterSeq: number): Promise<EventBatch> {
    const events = await client.query<EventRow>({
      text: 'SELECT seq, canonical, leaf_hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2',
      values: [afterSeq, EVENT_BATCH],
      rowMode: 'array',
    });
    const rows = events.rows;
    if (rows.length === 0) return NO_MORE_EVENTS;
    const ranges = innerNodesCompletedBy(Number(rows[0][0]), Number(rows[rows.length - 1][0]));
    const nodes = new NodeBatch(ranges);
    if (ranges.length > 0) {
      // OFFSET 0 keeps the lateral subquery from being flattened into a hash join over the whole
      // table: each level stays one index range scan.
      const stored = await client.query<[level: number, idx: string, hash: Buffer]>({
        text: `SELECT n.level, n.idx, n.hash
               FROM unnest($1::smallint[], $2::bigint[], $3::bigint[]) AS r(level, lo, hi)
               CROSS JOIN LATERAL (
                 SELECT level, idx, hash FROM audit_tree_nodes
                 WHERE level = r.level AND idx BETWEEN r.lo AND r.hi OFFSET 0
               ) n`,
        values: [ranges.map((r) => r.level), ranges.map((r) => r.from), ranges.map((r) => r.to)],
        rowMode: 'array',
      });
      for (const [level, idx, hash] of stored.rows) nodes.set(level, Number(idx), hash);
    }
    return { rows, nodes };
  }
}

/** Stored checkpoints in tree-size order, a page at a time. */
class CheckpointCursor {
  private page: StoredCheckpoint[] = [];
  private afterSize = -1;
  private exhausted = false;

  constructor(private readonly client: PoolClient) {}

  async next(): Promise<StoredCheckpoint | undefined> {
    if (this.page.length === 0 && !this.exhausted) await this.load();
    return this.page.shift();
  }

  private async load(): Promise<void> {
    const result = await this.client.query<{ tree_size: string; root_hash: Buffer; note: string }>(
      'SELECT tree_size, root_hash, note FROM audit_checkpoints WHERE tree_size > $1 ORDER BY tree_size LIMIT $2',
      [this.afterSize, CHECKPOINT_BATCH],
    );
    this.page = result.rows.map((row) => ({
      treeSize: Number(row.tree_size),
      rootHash: row.root_hash,
      note: row.note,
    }));
    if (this.page.length < CHECKPOINT_BATCH) this.exhausted = true;
    if (this.page.length > 0) this.afterSize = this.page[this.page.length - 1].treeSize;
  }
}
