import { auditEventRecord, AuditEventInput, canonicalBytes } from 'src/audit/domain/audit-event';
import { rawEd25519PublicKey } from 'src/audit/domain/checkpoint';
import { signCheckpoint } from 'src/audit/domain/checkpoint-note';
import {
  innerNodesCompletedBy,
  NodeBatch,
  LogVerifier,
  StoredCheckpoint,
  StoredNodes,
  TrustedLogKey,
} from 'src/audit/domain/log-verifier';
import { appendLeaf, Frontier, leafHash, nodeKey, rootFromFrontier } from 'src/audit/domain/merkle';
import { generateSigningKeyPem, parseSigningKey } from 'src/audit/domain/signing-key';

const ORIGIN = 'hr.example.com/consent-ledger/audit';
const KEY = parseSigningKey(generateSigningKeyPem());
const TRUST: TrustedLogKey = {
  origin: ORIGIN,
  keyName: ORIGIN,
  publicKey: rawEd25519PublicKey(KEY),
};
const AT = new Date('2026-02-01T00:00:00Z');

interface Row {
  seq: number;
  canonical: Buffer;
  leafHash: Buffer;
}

/** An in-memory log built the way the service builds it. */
function buildLog(size: number, checkpointAt: number[]) {
  const rows: Row[] = [];
  const nodes = new Map<string, Buffer>();
  const checkpoints: StoredCheckpoint[] = [];
  let frontier: Frontier = [];
  const append = (input: AuditEventInput) => {
    const seq = rows.length;
    const canonical = canonicalBytes(auditEventRecord(seq, AT, input));
    const hash = leafHash(canonical);
    const next = appendLeaf(frontier, seq, hash);
    next.completedNodes.slice(1).forEach((node) => nodes.set(nodeKey(node), node.hash));
    frontier = next.frontier;
    rows.push({ seq, canonical, leafHash: hash });
  };
  while (rows.length < size) {
    if (checkpointAt.includes(rows.length)) {
      const rootHash = rootFromFrontier(frontier, rows.length);
      checkpoints.push({
        treeSize: rows.length,
        rootHash,
        note: signCheckpoint(
          { origin: ORIGIN, treeSize: rows.length, rootHash, time: AT },
          ORIGIN,
          KEY,
        ),
      });
      append({
        action: 'audit.checkpoint',
        actor: { type: 'system', id: 'audit' },
        data: { treeSize: rows.length },
      });
    } else {
      append({
        action: 'email.sent',
        actor: { type: 'system', id: 'mailer' },
        data: { n: rows.length },
      });
    }
  }
  return { rows, nodes, checkpoints, frontier: () => frontier };
}

function storedNodes(nodes: Map<string, Buffer>): StoredNodes {
  return {
    matches: (level, index, hash, offset) =>
      nodes.get(`${level}:${index}`)?.equals(hash.subarray(offset, offset + 32)),
  };
}

function verify(
  log: ReturnType<typeof buildLog>,
  state = { treeSize: log.rows.length, frontier: log.frontier(), innerNodeCount: log.nodes.size },
) {
  const verifier = new LogVerifier(TRUST);
  const pending = [...log.checkpoints];
  for (const row of log.rows) {
    while (pending[0]?.treeSize === verifier.treeSize) verifier.addCheckpoint(pending.shift()!);
    if (!verifier.addEvent(row.seq, row.canonical, row.leafHash, storedNodes(log.nodes))) break;
  }
  while (!verifier.failed && pending[0]?.treeSize === verifier.treeSize)
    verifier.addCheckpoint(pending.shift()!);
  return verifier.finish(state, pending[0]?.treeSize);
}

describe('streaming log verification', () => {
  it('accepts an intact log and reports its size, root and checked checkpoints', () => {
    const log = buildLog(40, [0, 10, 25]);
    const result = verify(log);
    expect(result).toEqual({
      ok: true,
      treeSize: 40,
      rootHash: rootFromFrontier(log.frontier(), 40).toString('hex'),
      checkedCheckpoints: 3,
    });
  });

  it('names the event whose bytes no longer match their leaf hash', () => {
    const log = buildLog(20, [5]);
    log.rows[13].canonical = Buffer.from(
      log.rows[13].canonical.toString().replace('"n":13', '"n":99'),
    );
    expect(verify(log)).toMatchObject({
      ok: false,
      firstBadSeq: 13,
      reason: expect.stringContaining('do not hash'),
    });
  });

  it('names the first missing event when a row is deleted', () => {
    const log = buildLog(20, []);
    log.rows.splice(7, 1);
    expect(verify(log)).toMatchObject({
      ok: false,
      firstBadSeq: 7,
      reason: expect.stringContaining('missing'),
    });
  });

  it('names the first of two swapped rows', () => {
    const log = buildLog(20, []);
    const [a, b] = [log.rows[4], log.rows[11]];
    log.rows[4] = { ...b, seq: 4 };
    log.rows[11] = { ...a, seq: 11 };
    expect(verify(log)).toMatchObject({
      ok: false,
      firstBadSeq: 4,
      reason: expect.stringContaining('bytes are those of event 11'),
    });
  });

  it('catches a tail rewritten and re-hashed consistently through the signed checkpoint', () => {
    const genuine = buildLog(30, [12, 20]);
    const forged = buildLog(12, [12]);
    // Same first 12 events, then a different history re-hashed with its own tree and nodes.
    const tail = buildLog(30, [12]);
    for (let seq = 12; seq < 30; seq += 1) {
      const canonical = Buffer.from(
        tail.rows[seq].canonical.toString().replace('"mailer"', '"forger"'),
      );
      forged.rows.push({ seq, canonical, leafHash: leafHash(canonical) });
    }
    const rebuilt = rebuildTree(forged.rows);
    const result = verify({
      ...forged,
      nodes: rebuilt.nodes,
      checkpoints: genuine.checkpoints,
      frontier: () => rebuilt.frontier,
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 12, checkedCheckpoints: 1 });
    expect(result.reason).toContain('checkpoint at tree size 20');
  });

  it('refuses a checkpoint signed by another key', () => {
    const log = buildLog(10, [4]);
    const other = parseSigningKey(generateSigningKeyPem());
    const forged = {
      ...log.checkpoints[0],
      note: signCheckpoint(
        { origin: ORIGIN, treeSize: 4, rootHash: log.checkpoints[0].rootHash, time: AT },
        ORIGIN,
        other,
      ),
    };
    expect(verify({ ...log, checkpoints: [forged] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('signature'),
    });
  });

  it('notices a deleted checkpoint that the log itself recorded', () => {
    const log = buildLog(10, [4]);
    expect(verify({ ...log, checkpoints: [] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not stored'),
    });
  });

  it('notices a tampered inner node and a state that does not match the events', () => {
    const log = buildLog(16, []);
    log.nodes.set('2:1', Buffer.alloc(32));
    expect(verify(log)).toMatchObject({
      ok: false,
      firstBadSeq: 4,
      reason: expect.stringContaining('level 2 index 1'),
    });
    const intact = buildLog(16, []);
    expect(
      verify(intact, { treeSize: 17, frontier: intact.frontier(), innerNodeCount: 15 }),
    ).toMatchObject({ ok: false, firstBadSeq: 16 });
    expect(
      verify(intact, { treeSize: 16, frontier: [Buffer.alloc(32)], innerNodeCount: 15 }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('frontier') });
  });

  it('notices a checkpoint beyond the stored events (a truncated log)', () => {
    const log = buildLog(10, [4]);
    const extra = { ...log.checkpoints[0], treeSize: 50 };
    expect(verify({ ...log, checkpoints: [...log.checkpoints, extra] })).toMatchObject({
      ok: false,
      firstBadSeq: 10,
    });
  });
});

describe('events whose bytes were checked where they are stored', () => {
  function verifyChecked(log: ReturnType<typeof buildLog>, rows = log.rows) {
    const verifier = new LogVerifier(TRUST);
    for (const row of rows)
      if (!verifier.addCheckedEvent(row.seq, row.leafHash, 0, storedNodes(log.nodes))) break;
    return verifier.finish({
      treeSize: log.rows.length,
      frontier: log.frontier(),
      innerNodeCount: log.nodes.size,
    });
  }

  it('rebuilds the same tree from their leaf hashes as from their bytes', () => {
    const log = buildLog(37, []);
    expect(verifyChecked(log)).toEqual(verify(log));
    expect(verifyChecked(log)).toMatchObject({ ok: true, treeSize: 37 });
  });

  it('still names a missing event and a tampered inner node', () => {
    const log = buildLog(16, []);
    expect(
      verifyChecked(
        log,
        log.rows.filter((row) => row.seq !== 6),
      ),
    ).toMatchObject({
      ok: false,
      firstBadSeq: 6,
    });
    log.nodes.set('3:1', Buffer.alloc(32));
    expect(verifyChecked(log)).toMatchObject({ ok: false, firstBadSeq: 8 });
  });
});

describe('inner nodes completed by a run of leaves', () => {
  it('lists, per level, exactly the nodes whose last leaf is in the run', () => {
    for (const [first, last] of [
      [0, 0],
      [0, 9],
      [3, 17],
      [16, 31],
      [5, 5],
      [1000, 1999],
    ]) {
      const expected = new Set<string>();
      let frontier: Frontier = [];
      for (let seq = 0; seq <= last; seq += 1) {
        const next = appendLeaf(frontier, seq, Buffer.alloc(32, seq % 251));
        if (seq >= first)
          next.completedNodes.slice(1).forEach((node) => expected.add(nodeKey(node)));
        frontier = next.frontier;
      }
      const listed = new Set(
        innerNodesCompletedBy(first, last).flatMap(({ level, from, to }) =>
          Array.from({ length: to - from + 1 }, (_, i) => `${level}:${from + i}`),
        ),
      );
      expect(listed).toEqual(expected);
    }
  });
});

function rebuildTree(rows: Row[]) {
  const nodes = new Map<string, Buffer>();
  let frontier: Frontier = [];
  rows.forEach((row, seq) => {
    const next = appendLeaf(frontier, seq, row.leafHash);
    next.completedNodes.slice(1).forEach((node) => nodes.set(nodeKey(node), node.hash));
    frontier = next.frontier;
  });
  return { nodes, frontier };
}

describe('a batch of stored nodes', () => {
  const hashes = (...fills: number[]) => Buffer.concat(fills.map((fill) => Buffer.alloc(32, fill)));
  const at = (batch: NodeBatch, level: number, index: number, fill: number) =>
    batch.matches(level, index, hashes(0, fill), 32);

  it('finds consecutive nodes of a level by index, and nothing outside them', () => {
    const batch = new NodeBatch();
    batch.addStored(1, 5, hashes(5, 6, 7), null);
    batch.addStored(3, 1, hashes(31), null);
    expect(at(batch, 1, 5, 5)).toBe(true);
    expect(at(batch, 1, 7, 7)).toBe(true);
    expect(at(batch, 1, 6, 7)).toBe(false);
    expect(at(batch, 3, 1, 31)).toBe(true);
    expect(at(batch, 1, 4, 4)).toBeUndefined();
    expect(at(batch, 1, 8, 8)).toBeUndefined();
    expect(at(batch, 2, 0, 0)).toBeUndefined();
  });

  it('finds nodes by their listed indices when some of a level are missing', () => {
    const batch = new NodeBatch();
    batch.addStored(1, 5, hashes(5, 8), [5, 8]);
    expect(at(batch, 1, 5, 5)).toBe(true);
    expect(at(batch, 1, 8, 8)).toBe(true);
    expect(at(batch, 1, 6, 6)).toBeUndefined();
  });

  it('finds nodes across the runs a level arrives in', () => {
    const batch = new NodeBatch();
    batch.addStored(1, 0, hashes(0, 1), null);
    batch.addStored(1, 2, hashes(2, 3), null);
    expect(at(batch, 1, 1, 1)).toBe(true);
    expect(at(batch, 1, 2, 2)).toBe(true);
    expect(at(batch, 1, 4, 4)).toBeUndefined();
  });
});
