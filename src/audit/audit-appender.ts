import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { pgConnectionOf } from 'src/database/pg-connections';
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

/** Named, so each connection plans it once: it runs while the lock is held. */
const LOCK_STATE = {
  name: 'audit-lock-state',
  text: 'SELECT tree_size, frontier, last_checkpoint_size FROM audit_tree_state WHERE id = 1 FOR UPDATE',
};

/**
 * One append in one call of audit_append_event (migration AuditAppendFunction): it takes the lock,
 * puts the seq into the bytes, hashes, merges the frontier and writes, so the lock is held for
 * this one round trip and the commit.
 */
const LOCK_AND_APPEND = {
  name: 'audit-lock-and-append',
  text: `SELECT event_seq, event_leaf_hash, new_tree_size AS tree_size, new_frontier AS frontier,
                new_last_checkpoint_size AS last_checkpoint_size
         FROM audit_append_event($1, $2, $3, $4, $5, $6, $7)`,
};

interface LockAndAppendRow extends StateRow {
  event_seq: string;
  event_leaf_hash: Buffer;
}

/**
 * Writes leaves. The row lock of the tree state is held until the caller's transaction ends, so
 * appends are serialized and gapless, and a rollback leaves nothing behind; the time it is held
 * bounds how many appends a second the log takes, so each append makes as few round trips under
 * it as it can: one event is one call that locks and writes (lockAndAppend); a checkpoint or a
 * run of events locks and reads the state (lock), then writes with one statement per run.
 */
@Injectable()
export class AuditAppender {
  async lock(em: EntityManager): Promise<LockedTree> {
    assertInTransaction(em);
    const { rows } = await (await pgConnectionOf(em)).query<StateRow>(LOCK_STATE);
    const row = rows[0];
    if (!row) throw new Error('audit_tree_state has no row: run the migrations');
    return lockedTree(row);
  }

  /**
   * Locks the tree and appends one event in one round trip. Returns the event and the tree as it
   * stands after it, still locked by the caller's transaction. The bytes are built before the
   * lock, so `occurredAt` is the time the append was asked for: under concurrent writers, an event
   * can carry a time earlier than the one before it, by as long as it waited for the lock.
   */
  async lockAndAppend(
    em: EntityManager,
    input: AuditEventInput,
    occurredAt: Date,
  ): Promise<{ appended: AppendedEvent; tree: LockedTree }> {
    assertInTransaction(em);
    const template = canonicalTemplate(occurredAt, input);
    const connection = await pgConnectionOf(em);
    const { rows } = await connection.query<LockAndAppendRow>({
      ...LOCK_AND_APPEND,
      values: [
        template.prefix,
        template.suffix,
        occurredAt,
        input.action,
        input.personId?.toLowerCase() ?? null,
        input.consentId?.toLowerCase() ?? null,
        input.assetId?.toLowerCase() ?? null,
      ],
    });
    const row = rows[0];
    return {
      appended: { seq: Number(row.event_seq), leafHash: row.event_leaf_hash },
      tree: lockedTree(row),
    };
  }

  /**
   * Appends events to the tree this transaction holds locked (lock), in one statement. Appends
   * them in order until `stopAfter(tree)` holds (a checkpoint is due) or none is left, and returns
   * how many it appended.
   */
  async appendManyLocked(
    em: EntityManager,
    tree: LockedTree,
    inputs: readonly AuditEventInput[],
    occurredAt: Date,
    stopAfter: (tree: LockedTree) => boolean,
  ): Promise<number> {
    const events = {
      /** 1-based offset of each event's bytes in the concatenated canonical bytes. */
      start: [] as number[],
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
    let nextStart = 1;
    for (const input of inputs) {
      const record = auditEventRecord(next.size, occurredAt, input);
      const bytes = canonicalBytes(record);
      const leaf = leafHash(bytes);
      const appended = appendLeaf(next.frontier, next.size, leaf);
      events.start.push(nextStart);
      nextStart += bytes.length;
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
    const count = events.start.length;
    if (count === 0) return 0;
    // Bytes travel as three binary parameters (all canonical bytes, all leaf hashes, all node
    // hashes, each concatenated) that the statement slices: arrays of bytea would be hex-encoded
    // by the driver and decoded by PostgreSQL, for 10,000 events a good part of the statement.
    await em.query(
      `WITH state AS (
         UPDATE audit_tree_state SET tree_size = $1, frontier = $2, last_checkpoint_size = $3 WHERE id = 1
       ), nodes AS (
         INSERT INTO audit_tree_nodes (level, idx, hash)
         SELECT n.level, n.idx, substring($6::bytea FROM (n.i::int - 1) * ${HASH_SIZE} + 1 FOR ${HASH_SIZE})
         FROM unnest($4::smallint[], $5::bigint[]) WITH ORDINALITY AS n(level, idx, i)
       )
       INSERT INTO audit_events (seq, occurred_at, action, person_id, consent_id, asset_id, canonical, leaf_hash)
       SELECT $8::bigint + e.i - 1, $7::timestamptz, e.action, e.person_id, e.consent_id, e.asset_id,
              substring($13::bytea FROM e.start FOR e.length),
              substring($14::bytea FROM (e.i::int - 1) * ${HASH_SIZE} + 1 FOR ${HASH_SIZE})
       FROM unnest($9::text[], $10::uuid[], $11::uuid[], $12::uuid[], $15::int[], $16::int[])
         WITH ORDINALITY AS e(action, person_id, consent_id, asset_id, start, length, i)`,
      [
        next.size,
        encodeFrontier(next.frontier),
        tree.lastCheckpointSize,
        nodes.level,
        nodes.index,
        Buffer.concat(nodes.hash),
        occurredAt,
        tree.size,
        events.action,
        events.person,
        events.consent,
        events.asset,
        Buffer.concat(events.canonical),
        Buffer.concat(events.leaf),
        events.start,
        events.canonical.map((bytes) => bytes.length),
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
