import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { AuditLog } from 'src/audit/audit-log.service';
import { AuditSigner } from 'src/audit/audit-signer';
import { AUDIT_EVENT_VERSION, AuditActor, CHECKPOINT_PREFIX } from 'src/audit/domain/audit-event';
import { decodeFrontier } from 'src/audit/domain/frontier-codec';
import {
  innerNodesCompletedBy,
  LogVerifier,
  NodeBatch,
  StoredCheckpoint,
  VerifyResult,
} from 'src/audit/domain/log-verifier';
import { HASH_SIZE } from 'src/audit/domain/merkle';
import { withPgClient } from 'src/database/pg-connections';

const EVENT_BATCH = 10_000;
const CHECKPOINT_BATCH = 1_000;

/** One keyset page of events, aggregated by PostgreSQL (see EVENT_PAGE_SQL). */
interface EventPage {
  count: number;
  firstSeq: number;
  lastSeq: number;
  /** The seqs in order when they are not firstSeq..lastSeq (some are missing), else null. */
  seqs: number[] | null;
  /** 32 bytes per event in seq order: the stored leaf hash when its bytes were checked. */
  leafHashes: Buffer;
  /** The events whose bytes were not found in order, by seq, for the full check here. */
  unchecked: Map<number, { canonical: Buffer; leafHash: Buffer }>;
}

interface EventBatch {
  page: EventPage;
  nodes: NodeBatch;
}

const NO_EVENTS: EventPage = {
  count: 0,
  firstSeq: 0,
  lastSeq: -1,
  seqs: null,
  leafHashes: Buffer.alloc(0),
  unchecked: new Map(),
};
const NO_MORE_EVENTS: EventBatch = { page: NO_EVENTS, nodes: new NodeBatch() };
const ZERO_HASH = `'\\x${'00'.repeat(32)}'::bytea`;

/**
 * Hashes are sent concatenated, this many per row: the hex text of a row (64 KiB) is decoded as it
 * arrives and dies young, where that of a whole page lives long enough to be promoted and piles
 * up in the old generation until a full collection (memory then grows through a whole verify).
 */
const HASHES_PER_ROW = 1_000;

/**
 * PostgreSQL checks each event's bytes where they are stored, sparing the service their transfer
 * (hex-encoded in the text protocol: twice their size) and their hashing, on the database's core
 * while the service rebuilds the tree on its own: the stored leaf hash is SHA-256(0x00 ‖ bytes),
 * the bytes end with `,"seq":<seq>,"v":<version>}`, and they are not an audit.checkpoint record.
 * A row failing any of these comes with its bytes, and the service checks it in full
 * (LogVerifier.addEvent) to say exactly what is wrong. A page arrives as a few rows of
 * concatenated leaf hashes, which saves parsing and allocating per event.
 */
const EVENT_PAGE_SQL = `
  WITH page AS (
    SELECT seq, leaf_hash, canonical,
           pg_catalog.sha256('\\x00'::bytea || canonical) = leaf_hash
             AND substring(canonical FROM octet_length(canonical) - octet_length(tail) + 1) = tail
             AND substring(canonical FOR octet_length($4::bytea)) <> $4::bytea AS checked
    FROM audit_events
    CROSS JOIN LATERAL (SELECT convert_to(',"seq":' || seq || ',"v":' || $3::int || '}', 'UTF8') AS tail) t
    WHERE seq > $1 ORDER BY seq LIMIT $2
  )
  SELECT count(*)::int, min(seq), max(seq),
         string_agg(CASE WHEN checked THEN leaf_hash ELSE ${ZERO_HASH} END, ''::bytea ORDER BY seq),
         array_agg(seq ORDER BY seq) FILTER (WHERE NOT checked),
         array_agg(leaf_hash ORDER BY seq) FILTER (WHERE NOT checked),
         array_agg(canonical ORDER BY seq) FILTER (WHERE NOT checked)
  FROM page
  GROUP BY seq / ${HASHES_PER_ROW} ORDER BY seq / ${HASHES_PER_ROW}`;

type EventPageRow = [
  count: number,
  firstSeq: string | null,
  lastSeq: string | null,
  leafHashes: Buffer | null,
  uncheckedSeqs: string[] | null,
  uncheckedLeafHashes: Buffer[] | null,
  uncheckedCanonicals: Buffer[] | null,
];

/**
 * Per level, the stored inner nodes of a range as rows of hashes concatenated in index order
 * (one of another length than a hash stands as zeros, so it fails to match), and their indices
 * only when some are missing. OFFSET 0 keeps the lateral subquery from being flattened into a
 * hash join over the whole table: each level stays one index range scan.
 */
const NODES_SQL = `
  SELECT r.level, n.first_idx, n.hashes, n.indices
  FROM unnest($1::smallint[], $2::bigint[], $3::bigint[]) AS r(level, lo, hi)
  CROSS JOIN LATERAL (
    SELECT idx / ${HASHES_PER_ROW} AS chunk, min(idx) AS first_idx,
           string_agg(CASE WHEN octet_length(hash) = 32 THEN hash ELSE ${ZERO_HASH} END, ''::bytea ORDER BY idx) AS hashes,
           CASE WHEN count(*) = max(idx) - min(idx) + 1 THEN NULL ELSE array_agg(idx ORDER BY idx) END AS indices
    FROM (
      SELECT idx, hash FROM audit_tree_nodes
      WHERE level = r.level AND idx BETWEEN r.lo AND r.hi OFFSET 0
    ) s
    GROUP BY chunk
  ) n
  ORDER BY r.level, n.chunk`;

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
      const { page, nodes } = await batch;
      if (page.count === 0) break;
      batch =
        page.count < EVENT_BATCH
          ? Promise.resolve(NO_MORE_EVENTS)
          : this.fetchBatch(client, page.lastSeq);
      for (let i = 0; i < page.count; i += 1) {
        while (pending && pending.treeSize === verifier.treeSize) {
          verifier.addCheckpoint(pending);
          pending = await checkpoints.next();
        }
        const seq = page.seqs ? page.seqs[i] : page.firstSeq + i;
        const unchecked = page.unchecked.get(seq);
        const added = unchecked
          ? verifier.addEvent(seq, unchecked.canonical, unchecked.leafHash, nodes)
          : verifier.addCheckedEvent(seq, page.leafHashes, i * HASH_SIZE, nodes);
        if (!added) break;
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
    const result = await client.query<EventPageRow>({
      text: EVENT_PAGE_SQL,
      values: [afterSeq, EVENT_BATCH, AUDIT_EVENT_VERSION, CHECKPOINT_PREFIX],
      rowMode: 'array',
    });
    const page = eventPage(result.rows);
    if (page.count === 0) return NO_MORE_EVENTS;
    if (page.lastSeq - page.firstSeq + 1 !== page.count) {
      // Rows are missing (only in a damaged log): which ones, the verifier must know.
      const seqs = await client.query<[seq: string]>({
        text: 'SELECT seq FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2',
        values: [afterSeq, EVENT_BATCH],
        rowMode: 'array',
      });
      page.seqs = seqs.rows.map(([seq]) => Number(seq));
    }
    const ranges = innerNodesCompletedBy(page.firstSeq, page.lastSeq);
    const nodes = new NodeBatch();
    if (ranges.length > 0) {
      const stored = await client.query<
        [level: number, first: string, hashes: Buffer, indices: string[] | null]
      >({
        text: NODES_SQL,
        values: [ranges.map((r) => r.level), ranges.map((r) => r.from), ranges.map((r) => r.to)],
        rowMode: 'array',
      });
      for (const [level, first, hashes, indices] of stored.rows)
        nodes.addStored(level, Number(first), hashes, indices && indices.map(Number));
    }
    return { page, nodes };
  }
}

function eventPage(rows: EventPageRow[]): EventPage {
  if (rows.length === 0) return NO_EVENTS;
  const unchecked = new Map<number, { canonical: Buffer; leafHash: Buffer }>();
  for (const [, , , , seqs, leafHashes, canonicals] of rows)
    (seqs ?? []).forEach((seq, i) =>
      unchecked.set(Number(seq), {
        canonical: (canonicals as Buffer[])[i],
        leafHash: (leafHashes as Buffer[])[i],
      }),
    );
  return {
    count: rows.reduce((sum, [count]) => sum + count, 0),
    firstSeq: Number(rows[0][1]),
    lastSeq: Number(rows[rows.length - 1][2]),
    seqs: null,
    leafHashes: Buffer.concat(rows.map(([, , , leafHashes]) => leafHashes as Buffer)),
    unchecked,
  };
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
