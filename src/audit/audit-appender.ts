import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  AuditEventInput,
  auditEventRecord,
  canonicalBytes,
  canonicalTemplate,
} from 'src/audit/domain/audit-event';
import { decodeFrontier, encodeFrontier } from 'src/audit/domain/frontier-codec';
import { appendLeaf, Frontier, HASH_SIZE, leafHash } from 'src/audit/domain/merkle';

/** The tree state read under its row lock, updated in place by each append of the transaction. */
export interface LockedTree {
  size: number;
  frontier: Frontier;
  lastCheckpointSize: number | null;
}

export interface AppendedEvent {
  seq: number;
  leafHash: Buffer;
}

interface StateRow {
  tree_size: string;
  frontier: Buffer;
  last_checkpoint_size: string | null;
}

/**
 * One append as one statement, so the state row's lock is held for this one round trip and the
 * commit: it locks the state, puts the seq into the event's bytes (prefix ‖ seq ‖ suffix, see
 * canonicalTemplate), and does what appendLeaf does in PostgreSQL: the leaf hash, then one node
 * hash per trailing 1 bit of the old size, merging the frontier's last hashes right to left. It
 * stores the event, the completed inner nodes and the new state, and returns the event's seq and
 * leaf hash with the new state. The verifier rebuilds every node from the events, so a
 * difference from merkle.ts could not pass unnoticed; the e2e tests check both agree.
 */
const APPEND_ONE_SQL = `
  WITH RECURSIVE
  state AS MATERIALIZED (
    SELECT tree_size, frontier, last_checkpoint_size FROM audit_tree_state WHERE id = 1 FOR UPDATE
  ),
  leaf AS MATERIALIZED (
    SELECT tree_size AS seq, canonical, pg_catalog.sha256('\\x00'::bytea || canonical) AS hash
    FROM state
    CROSS JOIN LATERAL (
      SELECT $1::bytea || convert_to(tree_size::text, 'UTF8') || $2::bytea AS canonical
    ) bytes
  ),
  merged (level, hash) AS (
    SELECT 0, hash FROM leaf
    UNION ALL
    SELECT m.level + 1,
           pg_catalog.sha256('\\x01'::bytea
             || substring(s.frontier FROM octet_length(s.frontier) - ${HASH_SIZE} * (m.level + 1) + 1 FOR ${HASH_SIZE})
             || m.hash)
    FROM merged m, state s
    WHERE (s.tree_size >> m.level) & 1 = 1
  ),
  root AS (SELECT level, hash FROM merged ORDER BY level DESC LIMIT 1),
  nodes AS (
    INSERT INTO audit_tree_nodes (level, idx, hash)
    SELECT m.level, s.tree_size >> m.level, m.hash FROM merged m, state s WHERE m.level >= 1
  ),
  event AS (
    INSERT INTO audit_events (seq, occurred_at, action, person_id, consent_id, asset_id, canonical, leaf_hash)
    SELECT seq, $3, $4, $5, $6, $7, canonical, hash FROM leaf
  ),
  next AS (
    UPDATE audit_tree_state
    SET tree_size = s.tree_size + 1,
        frontier = substring(s.frontier FROM 1 FOR octet_length(s.frontier) - ${HASH_SIZE} * root.level) || root.hash
    FROM state s, root
    WHERE id = 1
    RETURNING audit_tree_state.tree_size, audit_tree_state.frontier, audit_tree_state.last_checkpoint_size
  )
  SELECT leaf.seq, leaf.hash, next.tree_size, next.frontier, next.last_checkpoint_size
  FROM leaf, next`;

interface AppendOneRow extends StateRow {
  seq: string;
  hash: Buffer;
}

/**
 * Writes leaves. A single append is one statement that locks the state row and writes everything
 * (lockAndAppend); appends of many events or of a checkpoint lock and read the state row, then
 * write with one statement per run of events. The row lock is held until the caller's
 * transaction ends, so appends are serialized and gapless, and a rollback leaves nothing behind.
 */
@Injectable()
export class AuditAppender {
  async lock(em: EntityManager): Promise<LockedTree> {
    assertInTransaction(em);
    const rows = await em.query<StateRow[]>(
      'SELECT tree_size, frontier, last_checkpoint_size FROM audit_tree_state WHERE id = 1 FOR UPDATE',
    );
    const row = rows[0];
    if (!row) throw new Error('audit_tree_state has no row: run the migrations');
    return lockedTree(row);
  }

  /**
   * Locks the tree and appends one event in a single statement (APPEND_ONE_SQL). Returns the
   * event and the tree as it stands after it, still locked by the caller's transaction.
   */
  async lockAndAppend(
    em: EntityManager,
    input: AuditEventInput,
    occurredAt: Date,
  ): Promise<{ appended: AppendedEvent; tree: LockedTree }> {
    assertInTransaction(em);
    const { prefix, suffix } = canonicalTemplate(occurredAt, input);
    const rows = await em.query<AppendOneRow[]>(APPEND_ONE_SQL, [
      prefix,
      suffix,
      occurredAt,
      input.action,
      input.personId?.toLowerCase() ?? null,
      input.consentId?.toLowerCase() ?? null,
      input.assetId?.toLowerCase() ?? null,
    ]);
    const row = rows[0];
    if (!row) throw new Error('audit_tree_state has no row: run the migrations');
    return {
      appended: { seq: Number(row.seq), leafHash: row.hash },
      tree: lockedTree(row),
    };
  }

  async appendLocked(
    em: EntityManager,
    tree: LockedTree,
    input: AuditEventInput,
    occurredAt: Date,
  ): Promise<AppendedEvent> {
    const seq = tree.size;
    const record = auditEventRecord(seq, occurredAt, input);
    const bytes = canonicalBytes(record);
    const leaf = leafHash(bytes);
    const next = appendLeaf(tree.frontier, tree.size, leaf);
    const inner = next.completedNodes.slice(1);
    await em.query(
      `WITH state AS (
         UPDATE audit_tree_state SET tree_size = $1, frontier = $2, last_checkpoint_size = $3 WHERE id = 1
       ), nodes AS (
         INSERT INTO audit_tree_nodes (level, idx, hash)
         SELECT * FROM unnest($4::smallint[], $5::bigint[], $6::bytea[])
       )
       INSERT INTO audit_events (seq, occurred_at, action, person_id, consent_id, asset_id, canonical, leaf_hash)
       VALUES ($7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        next.size,
        encodeFrontier(next.frontier),
        tree.lastCheckpointSize,
        inner.map((node) => node.level),
        inner.map((node) => node.index),
        inner.map((node) => node.hash),
        seq,
        occurredAt,
        record.action,
        record.personId ?? null,
        record.consentId ?? null,
        record.assetId ?? null,
        bytes,
        leaf,
      ],
    );
    tree.size = next.size;
    tree.frontier = next.frontier;
    return { seq, leafHash: leaf };
  }

  /**
   * appendLocked for many events in one statement. Appends them in order until `stopAfter(tree)`
   * holds (a checkpoint is due) or none is left, and returns how many it appended.
   */
  async appendManyLocked(
    em: EntityManager,
    tree: LockedTree,
    inputs: readonly AuditEventInput[],
    occurredAt: Date,
    stopAfter: (tree: LockedTree) => boolean,
  ): Promise<number> {
    const events = {
      seq: [] as number[],
      action: [] as string[],
      person: [] as (string | null)[],
      consent: [] as (string | null)[],
      asset: [] as (string | null)[],
      canonical: [] as Buffer[],
      leaf: [] as Buffer[],
    };
    const nodes = { level: [] as number[], index: [] as number[], hash: [] as Buffer[] };
    const next: LockedTree = {
      size: tree.size,
      frontier: tree.frontier,
      lastCheckpointSize: tree.lastCheckpointSize,
    };
    for (const input of inputs) {
      const record = auditEventRecord(next.size, occurredAt, input);
      const bytes = canonicalBytes(record);
      const leaf = leafHash(bytes);
      const appended = appendLeaf(next.frontier, next.size, leaf);
      events.seq.push(next.size);
      events.action.push(record.action);
      events.person.push(record.personId ?? null);
      events.consent.push(record.consentId ?? null);
      events.asset.push(record.assetId ?? null);
      events.canonical.push(bytes);
      events.leaf.push(leaf);
      for (const node of appended.completedNodes.slice(1)) {
        nodes.level.push(node.level);
        nodes.index.push(node.index);
        nodes.hash.push(node.hash);
      }
      next.size = appended.size;
      next.frontier = appended.frontier;
      if (stopAfter(next)) break;
    }
    const count = events.seq.length;
    if (count === 0) return 0;
    await em.query(
      `WITH state AS (
         UPDATE audit_tree_state SET tree_size = $1, frontier = $2, last_checkpoint_size = $3 WHERE id = 1
       ), nodes AS (
         INSERT INTO audit_tree_nodes (level, idx, hash)
         SELECT * FROM unnest($4::smallint[], $5::bigint[], $6::bytea[])
       )
       INSERT INTO audit_events (seq, occurred_at, action, person_id, consent_id, asset_id, canonical, leaf_hash)
       SELECT seq, $7::timestamptz, action, person_id, consent_id, asset_id, canonical, leaf_hash
       FROM unnest($8::bigint[], $9::text[], $10::uuid[], $11::uuid[], $12::uuid[], $13::bytea[], $14::bytea[])
         AS e(seq, action, person_id, consent_id, asset_id, canonical, leaf_hash)`,
      [
        next.size,
        encodeFrontier(next.frontier),
        tree.lastCheckpointSize,
        nodes.level,
        nodes.index,
        nodes.hash,
        occurredAt,
        events.seq,
        events.action,
        events.person,
        events.consent,
        events.asset,
        events.canonical,
        events.leaf,
      ],
    );
    tree.size = next.size;
    tree.frontier = next.frontier;
    return count;
  }
}

function assertInTransaction(em: EntityManager): void {
  if (!em.queryRunner?.isTransactionActive) {
    throw new Error(
      'audit appends need the EntityManager of a transaction (dataSource.transaction)',
    );
  }
}

function lockedTree(row: StateRow): LockedTree {
  return {
    size: Number(row.tree_size),
    frontier: decodeFrontier(row.frontier),
    lastCheckpointSize: row.last_checkpoint_size === null ? null : Number(row.last_checkpoint_size),
  };
}
