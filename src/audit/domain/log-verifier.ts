/**
 * Streaming verification of the whole audit log, one event at a time in seq order, in constant
 * memory: it keeps only the frontier of the tree rebuilt so far.
 *
 * Per event: the seq follows the previous one (no gap), SHA-256(0x00 ‖ bytes) equals the stored
 * leaf hash, the bytes name that same seq (rows were not moved), and every stored inner node the
 * leaf completes equals the recomputed one. Per checkpoint, when the rebuilt tree reaches its
 * size: the signature verifies with the log's key, and the signed root equals the rebuilt root.
 * The first failure stops verification and names the lowest seq that can be the culprit.
 */
import { isCheckpointEvent, seqInCanonical } from 'src/audit/domain/audit-event';
import { verifyNote } from 'src/audit/domain/checkpoint';
import {
  Frontier,
  HASH_SIZE,
  hashNodeInPlace,
  leafHash,
  nodeMessage,
  rootFromFrontier,
} from 'src/audit/domain/merkle';

/** One perfect subtree per 1 bit of a tree size below 2^53. */
const MAX_FRONTIER_LENGTH = 53;

export interface TrustedLogKey {
  origin: string;
  keyName: string;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}

export interface StoredCheckpoint {
  treeSize: number;
  rootHash: Buffer;
  note: string;
}

/** The stored inner nodes (level >= 1) the verifier compares the rebuilt ones with. */
export interface StoredNodes {
  /**
   * Whether the stored node at {level, index} equals the HASH_SIZE bytes of `hash` from `offset`;
   * undefined when none is stored. (Offsets rather than views: a verify checks a million nodes.)
   */
  matches(level: number, index: number, hash: Buffer, offset: number): boolean | undefined;
}

export interface StoredTreeState {
  treeSize: number;
  frontier: Frontier;
  /** Rows in audit_tree_nodes (inner nodes, level >= 1). */
  innerNodeCount: number;
}

export interface VerifyResult {
  ok: boolean;
  /** The size the log claims (its state row); every event up to it was checked when ok. */
  treeSize: number;
  /** Hex root of that tree. */
  rootHash: string;
  checkedCheckpoints: number;
  firstBadSeq?: number;
  reason?: string;
}

interface Failure {
  firstBadSeq?: number;
  reason: string;
}

export class LogVerifier {
  /** The frontier of the rebuilt tree: one slot of HASH_SIZE bytes per perfect subtree. */
  private readonly frontierSlots = Buffer.alloc(MAX_FRONTIER_LENGTH * HASH_SIZE);
  private frontierLength = 0;
  private readonly message = nodeMessage();
  private size = 0;
  private checkedCheckpoints = 0;
  /** Events below this count hash to the root of a checkpoint that verified. */
  private vouchedSize = 0;
  private lastCheckpointSize: number | null = null;
  private failure: Failure | null = null;

  constructor(private readonly trust: TrustedLogKey) {}

  get treeSize(): number {
    return this.size;
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /**
   * The next stored event. `storedNodes` must hold the stored inner nodes this leaf completes
   * (those of the current batch). Returns false once verification has failed.
   */
  addEvent(
    seq: number,
    canonical: Buffer,
    storedLeafHash: Buffer,
    storedNodes: StoredNodes,
  ): boolean {
    if (this.failure) return false;
    if (seq !== this.size) return this.failGap(seq);
    const hash = leafHash(canonical);
    if (!hash.equals(storedLeafHash)) {
      return this.fail(seq, `event ${seq}: its stored bytes do not hash to its stored leaf hash`);
    }
    const written = seqInCanonical(canonical);
    if (written !== seq) {
      return this.fail(
        seq,
        `event ${seq}: its bytes are those of event ${written ?? '?'} (rows moved or replaced)`,
      );
    }
    if (isCheckpointEvent(canonical) && this.lastCheckpointSize !== seq) {
      return this.fail(
        undefined,
        `event ${seq} records a checkpoint at tree size ${seq} that is not stored`,
      );
    }
    return this.appendLeaf(seq, hash, 0, storedNodes);
  }

  /**
   * The next stored event, whose bytes were already checked where they are stored: they hash to
   * its stored leaf hash (the HASH_SIZE bytes of `leafHashes` from `offset`), end with their own
   * seq, and are not an audit.checkpoint record. Only its place in the tree is left to check.
   */
  addCheckedEvent(
    seq: number,
    leafHashes: Buffer,
    offset: number,
    storedNodes: StoredNodes,
  ): boolean {
    if (this.failure) return false;
    if (seq !== this.size) return this.failGap(seq);
    return this.appendLeaf(seq, leafHashes, offset, storedNodes);
  }

  /**
   * appendLeaf of merkle.ts done in place, allocating nothing per event, and checking each inner
   * node the leaf completes against the stored one before the frontier changes.
   */
  private appendLeaf(
    seq: number,
    leaves: Buffer,
    offset: number,
    storedNodes: StoredNodes,
  ): boolean {
    const message = this.message;
    const right = 1 + HASH_SIZE;
    leaves.copy(message, right, offset, offset + HASH_SIZE);
    let top = this.frontierLength;
    let level = 0;
    // Each trailing 1 bit of the size is a perfect subtree of equal size to merge with.
    for (let carry = seq; carry % 2 === 1; carry = (carry - 1) / 2) {
      top -= 1;
      this.frontierSlots.copy(message, 1, top * HASH_SIZE, (top + 1) * HASH_SIZE);
      hashNodeInPlace(message);
      level += 1;
      const index = Math.floor(seq / 2 ** level);
      const matches = storedNodes.matches(level, index, message, right);
      if (!matches) {
        const begin = index * 2 ** level;
        const what = matches === false ? 'does not match events' : 'is missing for events';
        return this.fail(
          begin,
          `Merkle node level ${level} index ${index} ${what} ${begin}..${seq}`,
        );
      }
    }
    message.copy(this.frontierSlots, top * HASH_SIZE, right);
    this.frontierLength = top + 1;
    this.size += 1;
    return true;
  }

  private frontier(): Frontier {
    return Array.from({ length: this.frontierLength }, (_, i) =>
      Buffer.from(this.frontierSlots.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)),
    );
  }

  private failGap(seq: number): false {
    return this.fail(this.size, `event ${this.size} is missing: the next stored event is ${seq}`);
  }

  /** A stored checkpoint, given exactly when the rebuilt tree has reached its size. */
  addCheckpoint(checkpoint: StoredCheckpoint): boolean {
    if (this.failure) return false;
    const size = checkpoint.treeSize;
    if (size !== this.size)
      throw new RangeError(`checkpoint ${size} given at tree size ${this.size}`);
    const signed = verifyNote(checkpoint.note, this.trust.keyName, this.trust.publicKey);
    if (!signed) {
      return this.fail(
        undefined,
        `checkpoint at tree size ${size}: its signature does not verify with the log's key`,
      );
    }
    if (signed.origin !== this.trust.origin) {
      return this.fail(
        undefined,
        `checkpoint at tree size ${size} is for another log (${signed.origin})`,
      );
    }
    if (signed.treeSize !== size || !signed.rootHash.equals(checkpoint.rootHash)) {
      return this.fail(
        undefined,
        `checkpoint at tree size ${size}: its stored size or root differ from its signed note`,
      );
    }
    if (!rootFromFrontier(this.frontier(), this.size).equals(signed.rootHash)) {
      return this.fail(
        this.vouchedSize,
        `the first ${size} events do not hash to the root signed in the checkpoint at tree size ${size}: ` +
          `events from seq ${this.vouchedSize} on were changed and re-hashed`,
      );
    }
    this.checkedCheckpoints += 1;
    this.vouchedSize = size;
    this.lastCheckpointSize = size;
    return true;
  }

  /**
   * Ends verification against the stored state. `unreachedCheckpoint` is the size of the first
   * stored checkpoint beyond the events streamed, if any.
   */
  finish(state: StoredTreeState, unreachedCheckpoint?: number): VerifyResult {
    if (!this.failure) this.checkState(state, unreachedCheckpoint);
    const claimedRoot = safeRoot(state.frontier, state.treeSize);
    const result: VerifyResult = {
      ok: this.failure === null,
      treeSize: state.treeSize,
      rootHash: claimedRoot?.toString('hex') ?? '',
      checkedCheckpoints: this.checkedCheckpoints,
    };
    if (this.failure?.firstBadSeq !== undefined) result.firstBadSeq = this.failure.firstBadSeq;
    if (this.failure) result.reason = this.failure.reason;
    return result;
  }

  private checkState(state: StoredTreeState, unreachedCheckpoint: number | undefined): void {
    if (this.size < state.treeSize) {
      this.fail(
        this.size,
        `event ${this.size} is missing: the log counts ${state.treeSize} events`,
      );
    } else if (this.size > state.treeSize) {
      this.fail(
        state.treeSize,
        `events from ${state.treeSize} on are stored beyond the log's size ${state.treeSize}`,
      );
    } else if (unreachedCheckpoint !== undefined) {
      this.fail(
        this.size,
        `a checkpoint signs tree size ${unreachedCheckpoint} but only ${this.size} events are stored`,
      );
    } else if (!sameFrontier(state.frontier, this.frontier())) {
      this.fail(undefined, 'the stored tree state (frontier) does not match the events');
    } else if (state.innerNodeCount !== this.size - popCount(this.size)) {
      this.fail(
        undefined,
        `audit_tree_nodes holds ${state.innerNodeCount} nodes; a tree of ${this.size} has ${this.size - popCount(this.size)}`,
      );
    }
  }

  private fail(firstBadSeq: number | undefined, reason: string): false {
    this.failure = firstBadSeq === undefined ? { reason } : { firstBadSeq, reason };
    return false;
  }
}

function sameFrontier(a: Frontier, b: Frontier): boolean {
  return a.length === b.length && a.every((hash, i) => hash.equals(b[i]));
}

function safeRoot(frontier: Frontier, size: number): Buffer | null {
  try {
    return rootFromFrontier(frontier, size);
  } catch {
    return null;
  }
}

function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

export interface NodeIndexRange {
  level: number;
  from: number;
  to: number;
}

/**
 * Per level >= 1, the inclusive index range of the inner nodes completed by leaves
 * first..last: node (k, i) is completed by leaf (i + 1) * 2^k - 1.
 */
export function innerNodesCompletedBy(first: number, last: number): NodeIndexRange[] {
  const ranges: NodeIndexRange[] = [];
  for (let level = 1; 2 ** level <= last + 1; level += 1) {
    const width = 2 ** level;
    const from = Math.ceil((first + 1) / width) - 1;
    const to = Math.floor((last + 1) / width) - 1;
    if (from <= to) ranges.push({ level, from, to });
  }
  return ranges;
}

/**
 * The stored inner nodes of one batch as the verifier's query delivers them: per level, runs of
 * hashes concatenated in index order. Lookups build no keys and no per-node objects.
 */
export class NodeBatch implements StoredNodes {
  private readonly levels: StoredRun[][] = [];

  /**
   * Stored nodes of `level`, their hashes concatenated in index order: those at indices
   * first, first + 1, … or, when some are missing, at `indices`.
   */
  addStored(level: number, first: number, hashes: Buffer, indices: readonly number[] | null): void {
    const positions = indices && new Map(indices.map((index, position) => [index, position]));
    (this.levels[level] ??= []).push({
      first,
      count: hashes.length / HASH_SIZE,
      hashes,
      positions,
    });
  }

  matches(level: number, index: number, hash: Buffer, offset: number): boolean | undefined {
    for (const run of this.levels[level] ?? []) {
      const position = run.positions ? run.positions.get(index) : index - run.first;
      if (position === undefined || position < 0 || position >= run.count) continue;
      const start = position * HASH_SIZE;
      return run.hashes.compare(hash, offset, offset + HASH_SIZE, start, start + HASH_SIZE) === 0;
    }
    return undefined;
  }
}

interface StoredRun {
  first: number;
  count: number;
  hashes: Buffer;
  positions: Map<number, number> | null;
}
