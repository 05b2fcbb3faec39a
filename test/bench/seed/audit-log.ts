import type { Pool, PoolClient } from 'pg';
import { AUDIT_SYSTEM_ACTOR } from 'src/audit/audit-checkpoints.service';
import { AuditEventInput, auditEventRecord, canonicalBytes } from 'src/audit/domain/audit-event';
import { signCheckpoint } from 'src/audit/domain/checkpoint-note';
import { decodeFrontier, encodeFrontier } from 'src/audit/domain/frontier-codec';
import { appendLeaf, Frontier, leafHash, rootFromFrontier } from 'src/audit/domain/merkle';
import { parseSigningKey } from 'src/audit/domain/signing-key';
import { sampleAuditEvent } from 'test/bench/seed/audit-events';

const EVENTS_PER_TRANSACTION = 10_000;

export interface AuditLogSigning {
  /** AUDIT_SIGNING_KEY of the service that will verify the log. */
  signingKey: string;
  origin: string;
  checkpointEvery: number;
}

interface TreeState {
  size: number;
  frontier: Frontier;
  lastCheckpointSize: number | null;
}

/** Rows of one transaction, column by column, as `unnest` takes them. */
class PendingRows {
  readonly events = {
    seq: [] as number[],
    occurredAt: [] as Date[],
    action: [] as string[],
    personId: [] as (string | null)[],
    consentId: [] as (string | null)[],
    assetId: [] as (string | null)[],
    canonical: [] as Buffer[],
    leafHash: [] as Buffer[],
  };
  readonly nodes = { level: [] as number[], idx: [] as number[], hash: [] as Buffer[] };
  readonly checkpoints = {
    treeSize: [] as number[],
    rootHash: [] as Buffer[],
    createdAt: [] as Date[],
    note: [] as string[],
  };
}

/**
 * Grows the audit log to `targetSize` events with the same domain functions the appender uses
 * (record, RFC 8785 bytes, leaf hash, frontier, completed inner nodes) and the same every-N signed
 * checkpoint rule, written set-based, 10,000 events per transaction under the state row's lock.
 * The result is a log the real verifier must accept.
 */
export async function growAuditLog(
  pool: Pool,
  targetSize: number,
  signing: AuditLogSigning,
): Promise<number> {
  const key = parseSigningKey(signing.signingKey);
  let added = 0;
  for (;;) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const tree = await lockTree(client);
      if (tree.size >= targetSize) {
        await client.query('ROLLBACK');
        return added;
      }
      const rows = new PendingRows();
      const occurredAt = new Date();
      const append = (input: AuditEventInput) => {
        const seq = tree.size;
        const record = auditEventRecord(seq, occurredAt, input);
        const bytes = canonicalBytes(record);
        const leaf = leafHash(bytes);
        const next = appendLeaf(tree.frontier, tree.size, leaf);
        const events = rows.events;
        events.seq.push(seq);
        events.occurredAt.push(occurredAt);
        events.action.push(record.action);
        events.personId.push(record.personId ?? null);
        events.consentId.push(record.consentId ?? null);
        events.assetId.push(record.assetId ?? null);
        events.canonical.push(bytes);
        events.leafHash.push(leaf);
        for (const node of next.completedNodes.slice(1)) {
          rows.nodes.level.push(node.level);
          rows.nodes.idx.push(node.index);
          rows.nodes.hash.push(node.hash);
        }
        tree.size = next.size;
        tree.frontier = next.frontier;
      };
      const batchEnd = Math.min(targetSize, tree.size + EVENTS_PER_TRANSACTION);
      while (tree.size < batchEnd) {
        append(sampleAuditEvent(tree.size));
        added += 1;
        if (tree.size - (tree.lastCheckpointSize ?? 0) >= signing.checkpointEvery) {
          const treeSize = tree.size;
          const rootHash = rootFromFrontier(tree.frontier, treeSize);
          const note = signCheckpoint(
            { origin: signing.origin, treeSize, rootHash, time: occurredAt },
            signing.origin,
            key,
          );
          rows.checkpoints.treeSize.push(treeSize);
          rows.checkpoints.rootHash.push(rootHash);
          rows.checkpoints.createdAt.push(occurredAt);
          rows.checkpoints.note.push(note);
          tree.lastCheckpointSize = treeSize;
          append({
            action: 'audit.checkpoint',
            actor: AUDIT_SYSTEM_ACTOR,
            data: { treeSize, rootHash: rootHash.toString('hex') },
          });
          added += 1;
        }
      }
      await writeRows(client, rows, tree);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** The log's size as its state row says. */
export async function auditTreeSize(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ tree_size: string }>(
    'SELECT tree_size FROM audit_tree_state WHERE id = 1',
  );
  return Number(rows[0].tree_size);
}

async function lockTree(client: PoolClient): Promise<TreeState> {
  const { rows } = await client.query<{
    tree_size: string;
    frontier: Buffer;
    last_checkpoint_size: string | null;
  }>(
    'SELECT tree_size, frontier, last_checkpoint_size FROM audit_tree_state WHERE id = 1 FOR UPDATE',
  );
  return {
    size: Number(rows[0].tree_size),
    frontier: decodeFrontier(rows[0].frontier),
    lastCheckpointSize:
      rows[0].last_checkpoint_size === null ? null : Number(rows[0].last_checkpoint_size),
  };
}

async function writeRows(client: PoolClient, rows: PendingRows, tree: TreeState): Promise<void> {
  const e = rows.events;
  await client.query(
    `INSERT INTO audit_events (seq, occurred_at, action, person_id, consent_id, asset_id, canonical, leaf_hash)
     SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::bytea[], $8::bytea[])`,
    [e.seq, e.occurredAt, e.action, e.personId, e.consentId, e.assetId, e.canonical, e.leafHash],
  );
  if (rows.nodes.level.length > 0) {
    await client.query(
      'INSERT INTO audit_tree_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])',
      [rows.nodes.level, rows.nodes.idx, rows.nodes.hash],
    );
  }
  const c = rows.checkpoints;
  if (c.treeSize.length > 0) {
    await client.query(
      `INSERT INTO audit_checkpoints (tree_size, root_hash, created_at, note)
       SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::timestamptz[], $4::text[])`,
      [c.treeSize, c.rootHash, c.createdAt, c.note],
    );
  }
  await client.query(
    'UPDATE audit_tree_state SET tree_size = $1, frontier = $2, last_checkpoint_size = $3 WHERE id = 1',
    [tree.size, encodeFrontier(tree.frontier), tree.lastCheckpointSize],
  );
}
