/**
 * RFC 9162 (Certificate Transparency v2) Merkle tree for the append-only audit log.
 *
 * Storage model. Only *perfect* subtrees are ever persisted, addressed as {level, index}: the
 * node at level k and index i is the hash of leaves [i*2^k, (i+1)*2^k). Such a node never
 * changes once its last leaf is appended, so the log can store it forever.
 *
 * - Appending: the writer keeps a {@link Frontier} (the perfect-subtree roots of the current
 *   tree, left to right, whose sizes are the binary decomposition of the tree size).
 *   {@link appendLeaf} updates it in O(log n) and reports every node that became complete.
 * - Reading: every hash a root or proof needs is the hash of a leaf range [begin, end) that is a
 *   subtree of the RFC 9162 tree. Such a range is either perfect or lies on the right edge of the
 *   tree, and then its hash is the right-to-left fold of the perfect subtrees it decomposes into.
 *   So a proof is produced in two steps: plan the ranges and the perfect nodes they need
 *   ({@link inclusionProofNodes}, {@link consistencyProofNodes}, {@link rootNodes}) so the
 *   storage layer can fetch them in one query, then hash them ({@link buildInclusionProof},
 *   {@link buildConsistencyProof}, {@link rootFromNodes}). Each needs O(log n) nodes.
 *
 * Verification ({@link verifyInclusion}, {@link verifyConsistency}) follows RFC 9162 §2.1.3.2
 * and §2.1.4.2 and never throws. The recursive reference algorithms ({@link merkleTreeHash},
 * {@link inclusionProof}, {@link consistencyProof}) exist to cross-check the above in tests.
 *
 * Tree sizes and indices are JavaScript numbers, so everything holds up to 2^53 - 1 leaves;
 * arithmetic is done with division rather than 32-bit bitwise operators for that reason.
 */
import { hash as oneShotHash } from 'node:crypto';

export const HASH_SIZE = 32;

/** MTH of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = oneShotHash('sha256', Buffer.alloc(0), 'buffer');

/** Perfect-subtree roots of a tree, left to right, largest first. */
export type Frontier = Buffer[];

/** A perfect subtree covering leaves [index * 2^level, (index + 1) * 2^level). */
export interface NodeRef {
  readonly level: number;
  readonly index: number;
}

export interface StoredNode extends NodeRef {
  readonly hash: Buffer;
}

/** Half-open range of leaf indices [begin, end). */
export interface LeafRange {
  readonly begin: number;
  readonly end: number;
}

export interface AppendResult {
  readonly frontier: Frontier;
  readonly size: number;
  /** Every perfect-subtree node completed by this append, the leaf (level 0) first. */
  readonly completedNodes: StoredNode[];
}

/** Perfect-subtree hashes keyed by {@link nodeKey}. */
export type NodeHashes = ReadonlyMap<string, Buffer>;

// The one-shot crypto.hash is much cheaper than a createHash object per hash, but takes a single
// input: the prefixed message is assembled in a scratch buffer reused by every call (hashing is
// synchronous, so no two calls share it at once).
// Messages longer than any event (16 KiB) get a buffer of their own rather than growing it.
const SCRATCH_SIZE = 32 * 1024;
const scratch = Buffer.alloc(SCRATCH_SIZE);

function prefixedHash(prefix: number, first: Uint8Array, second?: Uint8Array): Buffer {
  const length = 1 + first.length + (second?.length ?? 0);
  const message = length <= SCRATCH_SIZE ? scratch : Buffer.alloc(length);
  message[0] = prefix;
  message.set(first, 1);
  if (second) message.set(second, 1 + first.length);
  return oneShotHash('sha256', message.subarray(0, length), 'buffer');
}

export function leafHash(bytes: Uint8Array): Buffer {
  return prefixedHash(0x00, bytes);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return prefixedHash(0x01, left, right);
}

/** A buffer holding 0x01 ‖ left ‖ right, the message of a node hash, for {@link hashNodeInPlace}. */
export function nodeMessage(): Buffer {
  const message = Buffer.alloc(1 + 2 * HASH_SIZE);
  message[0] = 0x01;
  return message;
}

/**
 * nodeHash for hot loops: hashes the {@link nodeMessage} `message` and writes the result over its
 * right half, allocating no buffer (a binary string lives in the young heap; a million Buffers,
 * each with memory outside the heap, pile up between collections).
 */
export function hashNodeInPlace(message: Buffer): void {
  message.write(oneShotHash('sha256', message, 'binary'), 1 + HASH_SIZE, 'binary');
}

export function nodeKey(node: NodeRef): string {
  return `${node.level}:${node.index}`;
}

export function indexNodes(nodes: Iterable<StoredNode>): Map<string, Buffer> {
  const byKey = new Map<string, Buffer>();
  for (const node of nodes) byKey.set(nodeKey(node), node.hash);
  return byKey;
}

export function appendLeaf(frontier: Frontier, size: number, leaf: Uint8Array): AppendResult {
  assertFrontier(frontier, size);
  if (!isHash(leaf)) throw new RangeError(`leaf hash must be ${HASH_SIZE} bytes`);
  const next = frontier.slice();
  let hash: Buffer = Buffer.from(leaf);
  const completedNodes: StoredNode[] = [{ level: 0, index: size, hash }];
  // Each trailing 1 bit of the old size is a perfect subtree of equal size to merge with.
  let carry = size;
  let level = 0;
  while (carry % 2 === 1) {
    hash = nodeHash(next.pop() as Buffer, hash);
    carry = (carry - 1) / 2;
    level += 1;
    completedNodes.push({ level, index: Math.floor(size / 2 ** level), hash });
  }
  next.push(hash);
  return { frontier: next, size: size + 1, completedNodes };
}

export function rootFromFrontier(frontier: Frontier, size: number): Buffer {
  assertFrontier(frontier, size);
  return foldRight(frontier);
}

/** Nodes making up the frontier, hence also the root, of a tree of `treeSize` leaves. */
export function rootNodes(treeSize: number): NodeRef[] {
  assertSize(treeSize, 'treeSize');
  return perfectNodesForRange({ begin: 0, end: treeSize });
}

export function rootFromNodes(treeSize: number, nodes: NodeHashes): Buffer {
  return hashRange({ begin: 0, end: treeSize }, nodes);
}

export function frontierFromNodes(treeSize: number, nodes: NodeHashes): Frontier {
  return rootNodes(treeSize).map((ref) => lookupNode(nodes, ref));
}

/**
 * Leaf ranges whose hashes form the inclusion proof of `leafIndex` (RFC 9162 PATH), ordered
 * from the leaf up to the root as the proof is.
 */
export function planInclusionProof(leafIndex: number, treeSize: number): LeafRange[] {
  assertSize(treeSize, 'treeSize');
  assertSize(leafIndex, 'leafIndex');
  if (leafIndex >= treeSize) {
    throw new RangeError(`leafIndex ${leafIndex} is not below treeSize ${treeSize}`);
  }
  const topDown: LeafRange[] = [];
  let begin = 0;
  let end = treeSize;
  while (end - begin > 1) {
    const split = begin + largestPowerOfTwoBelow(end - begin);
    if (leafIndex < split) {
      topDown.push({ begin: split, end });
      end = split;
    } else {
      topDown.push({ begin, end: split });
      begin = split;
    }
  }
  return topDown.reverse();
}

/**
 * Leaf ranges whose hashes form the consistency proof from `size1` to `size2` (RFC 9162 PROOF,
 * defined for 0 < size1 <= size2; empty when the sizes are equal).
 */
export function planConsistencyProof(size1: number, size2: number): LeafRange[] {
  assertSize(size1, 'size1');
  assertSize(size2, 'size2');
  if (size1 === 0 || size1 > size2) {
    throw new RangeError(`consistency proof needs 0 < size1 <= size2, got ${size1}, ${size2}`);
  }
  if (size1 === size2) return [];
  const topDown: LeafRange[] = [];
  let begin = 0;
  let end = size2;
  // SUBPROOF's flag b: while true the verifier already knows MTH of the old subtree.
  let oldRootKnown = true;
  // Invariant: begin < size1 <= end.
  while (size1 !== end) {
    const split = begin + largestPowerOfTwoBelow(end - begin);
    if (size1 <= split) {
      topDown.push({ begin: split, end });
      end = split;
    } else {
      topDown.push({ begin, end: split });
      begin = split;
      oldRootKnown = false;
    }
  }
  if (!oldRootKnown) topDown.push({ begin, end });
  return topDown.reverse();
}

/**
 * Decomposes a subtree range into the perfect subtrees it consists of, left to right.
 * Only ranges that are subtrees of some RFC 9162 tree are accepted (begin aligned to the
 * smallest power of two >= the range length), plus the empty tree [0, 0).
 */
export function perfectNodesForRange(range: LeafRange): NodeRef[] {
  assertSubtreeRange(range);
  const nodes: NodeRef[] = [];
  let begin = range.begin;
  let level = highestLevelWithin(range.end - range.begin);
  while (begin < range.end) {
    while (2 ** level > range.end - begin) level -= 1;
    nodes.push({ level, index: begin / 2 ** level });
    begin += 2 ** level;
  }
  return nodes;
}

/** Distinct perfect nodes needed to hash all `ranges`, for a single batched fetch. */
export function nodesForRanges(ranges: readonly LeafRange[]): NodeRef[] {
  const byKey = new Map<string, NodeRef>();
  for (const range of ranges) {
    for (const node of perfectNodesForRange(range)) byKey.set(nodeKey(node), node);
  }
  return [...byKey.values()];
}

/** MTH of the leaves in a subtree range; throws if a needed node is missing from `nodes`. */
export function hashRange(range: LeafRange, nodes: NodeHashes): Buffer {
  return foldRight(perfectNodesForRange(range).map((ref) => lookupNode(nodes, ref)));
}

export function inclusionProofNodes(leafIndex: number, treeSize: number): NodeRef[] {
  return nodesForRanges(planInclusionProof(leafIndex, treeSize));
}

export function buildInclusionProof(
  leafIndex: number,
  treeSize: number,
  nodes: NodeHashes,
): Buffer[] {
  return planInclusionProof(leafIndex, treeSize).map((range) => hashRange(range, nodes));
}

export function consistencyProofNodes(size1: number, size2: number): NodeRef[] {
  return nodesForRanges(planConsistencyProof(size1, size2));
}

export function buildConsistencyProof(size1: number, size2: number, nodes: NodeHashes): Buffer[] {
  return planConsistencyProof(size1, size2).map((range) => hashRange(range, nodes));
}

/** RFC 9162 §2.1.3.2. Returns false for any malformed input. */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(leafIndex) || !isSize(treeSize) || leafIndex >= treeSize) return false;
  if (!isHash(leaf) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) {
    return false;
  }
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2, plus the cases the RFC algorithm leaves implicit: a proof from the empty
 * tree is meaningless (false), and equal sizes need an empty proof and equal roots (compared as
 * opaque bytes). Returns false for any malformed input.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 === 0 || size1 > size2) return false;
  if (!Array.isArray(proof)) return false;
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
  if (proof.length === 0 || !isHash(root1) || !isHash(root2) || !proof.every(isHash)) {
    return false;
  }
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0];
  let sr: Uint8Array = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2);
}

/** Reference MTH (RFC 9162 §2.1.1) over already-hashed leaves. */
export function merkleTreeHash(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return Buffer.from(EMPTY_ROOT);
  if (leafHashes.length === 1) return Buffer.from(leafHashes[0]);
  const k = largestPowerOfTwoBelow(leafHashes.length);
  return nodeHash(merkleTreeHash(leafHashes.slice(0, k)), merkleTreeHash(leafHashes.slice(k)));
}

/** Reference inclusion proof, RFC 9162 §2.1.3.1 PATH(m, D[n]). */
export function inclusionProof(leafHashes: readonly Uint8Array[], leafIndex: number): Buffer[] {
  if (!isSize(leafIndex) || leafIndex >= leafHashes.length) {
    throw new RangeError(`leafIndex ${leafIndex} is outside a tree of ${leafHashes.length}`);
  }
  return path(leafIndex, leafHashes);
}

/** Reference consistency proof, RFC 9162 §2.1.4.1 PROOF(m, D[n]) for D[n] = first size2 leaves. */
export function consistencyProof(
  leafHashes: readonly Uint8Array[],
  size1: number,
  size2: number,
): Buffer[] {
  if (!isSize(size1) || !isSize(size2) || size1 === 0 || size1 > size2) {
    throw new RangeError(`consistency proof needs 0 < size1 <= size2, got ${size1}, ${size2}`);
  }
  if (size2 > leafHashes.length) {
    throw new RangeError(`size2 ${size2} exceeds the ${leafHashes.length} leaves given`);
  }
  return subproof(size1, leafHashes.slice(0, size2), true);
}

function path(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  if (m < k) return [...path(m, leaves.slice(0, k)), merkleTreeHash(leaves.slice(k))];
  return [...path(m - k, leaves.slice(k)), merkleTreeHash(leaves.slice(0, k))];
}

function subproof(m: number, leaves: readonly Uint8Array[], oldRootKnown: boolean): Buffer[] {
  if (m === leaves.length) return oldRootKnown ? [] : [merkleTreeHash(leaves)];
  const k = largestPowerOfTwoBelow(leaves.length);
  if (m <= k) {
    return [...subproof(m, leaves.slice(0, k), oldRootKnown), merkleTreeHash(leaves.slice(k))];
  }
  return [...subproof(m - k, leaves.slice(k), false), merkleTreeHash(leaves.slice(0, k))];
}

function foldRight(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return Buffer.from(EMPTY_ROOT);
  return hashes.reduceRight((right, left) => nodeHash(left, right));
}

function lookupNode(nodes: NodeHashes, ref: NodeRef): Buffer {
  const hash = nodes.get(nodeKey(ref));
  if (!hash) throw new Error(`Merkle node level=${ref.level} index=${ref.index} is missing`);
  return hash;
}

function assertFrontier(frontier: Frontier, size: number): void {
  assertSize(size, 'size');
  if (frontier.length !== popCount(size) || !frontier.every(isHash)) {
    throw new RangeError(`frontier does not match a tree of size ${size}`);
  }
}

function assertSubtreeRange({ begin, end }: LeafRange): void {
  assertSize(begin, 'begin');
  assertSize(end, 'end');
  const isEmptyTree = begin === 0 && end === 0;
  if (!isEmptyTree && (end <= begin || begin % smallestPowerOfTwoAtLeast(end - begin) !== 0)) {
    throw new RangeError(`[${begin}, ${end}) is not a Merkle subtree range`);
  }
}

function assertSize(value: number, name: string): void {
  if (!isSize(value)) throw new RangeError(`${name} must be a non-negative safe integer`);
}

function isSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

function bytesEqual(a: unknown, b: unknown): boolean {
  return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
}

/** Largest power of two strictly below n (n >= 2): RFC 9162's split point k. */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function smallestPowerOfTwoAtLeast(n: number): number {
  let k = 1;
  while (k < n) k *= 2;
  return k;
}

/** Level of the largest perfect subtree that fits in n leaves (n >= 1); 0 for n = 0. */
function highestLevelWithin(n: number): number {
  let level = 0;
  while (2 ** (level + 1) <= n) level += 1;
  return level;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && smallestPowerOfTwoAtLeast(n) === n;
}

function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
