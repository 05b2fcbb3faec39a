import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { sharedTestdata } from 'test/support/shared-testdata';
import {
  EMPTY_ROOT,
  Frontier,
  NodeRef,
  StoredNode,
  appendLeaf,
  buildConsistencyProof,
  buildInclusionProof,
  consistencyProof,
  consistencyProofNodes,
  frontierFromNodes,
  hashRange,
  inclusionProof,
  inclusionProofNodes,
  indexNodes,
  leafHash,
  merkleTreeHash,
  nodeHash,
  nodeKey,
  perfectNodesForRange,
  planConsistencyProof,
  planInclusionProof,
  rootFromFrontier,
  rootFromNodes,
  rootNodes,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

/*
 * Known-answer vectors from transparency-dev/merkle (https://github.com/transparency-dev/merkle,
 * testdata/), Apache License 2.0. See the README.md and LICENSE next to them.
 */
const VECTORS_DIR = sharedTestdata('merkle');

const REFERENCE_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));

const REFERENCE_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return jsonFilesUnder(full);
      return name.endsWith('.json') ? [full] : [];
    });
}

function loadVectors<T>(kind: string): Array<[string, T]> {
  const dir = path.join(VECTORS_DIR, kind);
  return jsonFilesUnder(dir).map((file) => [
    path.relative(dir, file),
    JSON.parse(readFileSync(file, 'utf8')) as T,
  ]);
}

const b64 = (value: string): Buffer => Buffer.from(value, 'base64');

function testLeaves(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`audit-entry-${i}`)));
}

/** Appends leaves one by one, calling `onSize` with the state after each append (and for 0). */
function growTree(
  leaves: readonly Buffer[],
  onSize: (size: number, frontier: Frontier, nodes: Map<string, Buffer>) => void,
): void {
  let frontier: Frontier = [];
  const nodes = new Map<string, Buffer>();
  onSize(0, frontier, nodes);
  leaves.forEach((leaf, i) => {
    const result = appendLeaf(frontier, i, leaf);
    frontier = result.frontier;
    for (const [key, hash] of indexNodes(result.completedNodes)) nodes.set(key, hash);
    onSize(result.size, frontier, nodes);
  });
}

/** Deterministic PRNG (mulberry32) so the spot checks are reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('merkle', () => {
  describe('hashing', () => {
    it('hashes leaves with a 0x00 prefix and interior nodes with a 0x01 prefix', () => {
      const sha = (...parts: Buffer[]) =>
        createHash('sha256').update(Buffer.concat(parts)).digest();
      const a = Buffer.from('a');
      const b = Buffer.from('b');
      expect(leafHash(a)).toEqual(sha(Buffer.of(0), a));
      expect(nodeHash(a, b)).toEqual(sha(Buffer.of(1), a, b));
    });

    it('defines the empty root as SHA-256 of nothing', () => {
      expect(EMPTY_ROOT.toString('hex')).toBe(REFERENCE_ROOTS[0]);
      expect(merkleTreeHash([])).toEqual(EMPTY_ROOT);
    });

    it.each(REFERENCE_ROOTS.map((root, size) => [size, root]))(
      'reproduces the known root of the reference tree at size %i',
      (size, root) => {
        const leaves = REFERENCE_LEAVES.slice(0, size).map(leafHash);
        expect(merkleTreeHash(leaves).toString('hex')).toBe(root);
      },
    );
  });

  describe('transparency-dev inclusion vectors', () => {
    it.each(loadVectors<InclusionVector>('inclusion'))('%s', (_name, v) => {
      const verified = verifyInclusion(
        v.leafIdx,
        v.treeSize,
        b64(v.leafHash),
        (v.proof ?? []).map(b64),
        b64(v.root),
      );
      expect(verified).toBe(!v.wantErr);
    });
  });

  describe('transparency-dev consistency vectors', () => {
    it.each(loadVectors<ConsistencyVector>('consistency'))('%s', (_name, v) => {
      const verified = verifyConsistency(
        v.size1,
        v.size2,
        (v.proof ?? []).map(b64),
        b64(v.root1),
        b64(v.root2),
      );
      expect(verified).toBe(!v.wantErr);
    });
  });

  describe('frontier appends', () => {
    it('keeps the frontier root equal to the reference MTH for sizes 0..70', () => {
      const leaves = testLeaves(70);
      growTree(leaves, (size, frontier) => {
        expect(rootFromFrontier(frontier, size)).toEqual(merkleTreeHash(leaves.slice(0, size)));
      });
    });

    it('reports the leaf and every perfect subtree completed by an append', () => {
      const leaves = testLeaves(8);
      let frontier: Frontier = [];
      const completed: StoredNode[][] = [];
      leaves.forEach((leaf, i) => {
        const result = appendLeaf(frontier, i, leaf);
        frontier = result.frontier;
        completed.push(result.completedNodes);
      });
      const refs = completed.map((nodes) => nodes.map(({ level, index }) => [level, index]));
      expect(refs).toEqual([
        [[0, 0]],
        [
          [0, 1],
          [1, 0],
        ],
        [[0, 2]],
        [
          [0, 3],
          [1, 1],
          [2, 0],
        ],
        [[0, 4]],
        [
          [0, 5],
          [1, 2],
        ],
        [[0, 6]],
        [
          [0, 7],
          [1, 3],
          [2, 1],
          [3, 0],
        ],
      ]);
      const last = completed[7];
      expect(last[3].hash).toEqual(merkleTreeHash(leaves));
      expect(last[2].hash).toEqual(merkleTreeHash(leaves.slice(4, 8)));
    });

    it('rejects a frontier that does not match the tree size', () => {
      const leaf = leafHash(Buffer.from('x'));
      expect(() => appendLeaf([], 1, leaf)).toThrow(RangeError);
      expect(() => appendLeaf([leaf], 3, leaf)).toThrow(RangeError);
      expect(() => appendLeaf([], 0, Buffer.alloc(31))).toThrow(RangeError);
    });

    it('restores the frontier and root from stored nodes', () => {
      const leaves = testLeaves(45);
      growTree(leaves, (size, frontier, nodes) => {
        expect(frontierFromNodes(size, nodes)).toEqual(frontier);
        expect(rootFromNodes(size, nodes)).toEqual(merkleTreeHash(leaves.slice(0, size)));
        expect(rootNodes(size).length).toBe(frontier.length);
      });
    });
  });

  describe('range planning', () => {
    it('decomposes a right-edge range into its perfect subtrees, largest first', () => {
      expect(perfectNodesForRange({ begin: 8, end: 15 })).toEqual([
        { level: 2, index: 2 },
        { level: 1, index: 6 },
        { level: 0, index: 14 },
      ]);
      expect(perfectNodesForRange({ begin: 0, end: 0 })).toEqual([]);
    });

    it('refuses ranges that are not Merkle subtrees', () => {
      expect(() => perfectNodesForRange({ begin: 1, end: 3 })).toThrow(RangeError);
      expect(() => perfectNodesForRange({ begin: 4, end: 4 })).toThrow(RangeError);
      expect(() => perfectNodesForRange({ begin: 2, end: 1 })).toThrow(RangeError);
    });

    it('plans inclusion and consistency proofs as RFC 9162 subtree ranges', () => {
      expect(planInclusionProof(6, 7)).toEqual([
        { begin: 4, end: 6 },
        { begin: 0, end: 4 },
      ]);
      expect(planConsistencyProof(3, 7)).toEqual([
        { begin: 2, end: 3 },
        { begin: 3, end: 4 },
        { begin: 0, end: 2 },
        { begin: 4, end: 7 },
      ]);
      expect(planConsistencyProof(4, 7)).toEqual([{ begin: 4, end: 7 }]);
      expect(planConsistencyProof(5, 5)).toEqual([]);
    });

    it('refuses to plan proofs for impossible sizes', () => {
      expect(() => planInclusionProof(3, 3)).toThrow(RangeError);
      expect(() => planInclusionProof(-1, 3)).toThrow(RangeError);
      expect(() => planConsistencyProof(0, 3)).toThrow(RangeError);
      expect(() => planConsistencyProof(4, 3)).toThrow(RangeError);
    });

    it('fails loudly when a node needed for a hash is missing', () => {
      expect(() => hashRange({ begin: 0, end: 3 }, new Map())).toThrow(/level=1 index=0/);
    });
  });

  describe('storage-style proofs built from completed nodes', () => {
    const MAX_SIZE = 40;
    const leaves = testLeaves(MAX_SIZE);

    it('equal the reference inclusion proofs and verify for every index and size up to 40', () => {
      let checked = 0;
      growTree(leaves, (size, _frontier, nodes) => {
        const tree = leaves.slice(0, size);
        const root = merkleTreeHash(tree);
        for (let index = 0; index < size; index++) {
          const proof = buildInclusionProof(index, size, nodes);
          expect(proof).toEqual(inclusionProof(tree, index));
          expect(verifyInclusion(index, size, leaves[index], proof, root)).toBe(true);
          checked++;
        }
      });
      expect(checked).toBe((MAX_SIZE * (MAX_SIZE + 1)) / 2);
    });

    it('equal the reference consistency proofs and verify for every pair of sizes up to 40', () => {
      const roots = Array.from({ length: MAX_SIZE + 1 }, (_, n) =>
        merkleTreeHash(leaves.slice(0, n)),
      );
      let checked = 0;
      growTree(leaves, (size2, _frontier, nodes) => {
        for (let size1 = 1; size1 <= size2; size1++) {
          const proof = buildConsistencyProof(size1, size2, nodes);
          expect(proof).toEqual(consistencyProof(leaves, size1, size2));
          expect(verifyConsistency(size1, size2, proof, roots[size1], roots[size2])).toBe(true);
          checked++;
        }
      });
      expect(checked).toBe((MAX_SIZE * (MAX_SIZE + 1)) / 2);
    });

    it('spot-checks random proofs in a tree of 1000 leaves with O(log n) node reads', () => {
      const size = 1000;
      const big = testLeaves(size);
      let nodes = new Map<string, Buffer>();
      growTree(big, (n, _frontier, all) => {
        if (n === size) nodes = all;
      });
      const root = merkleTreeHash(big);
      const logSize = Math.ceil(Math.log2(size));
      const random = seededRandom(9162);
      for (let i = 0; i < 25; i++) {
        const index = Math.floor(random() * size);
        const needed: NodeRef[] = inclusionProofNodes(index, size);
        expect(needed.length).toBeLessThanOrEqual(2 * logSize);
        const proof = buildInclusionProof(index, size, onlyNodes(nodes, needed));
        expect(proof).toEqual(inclusionProof(big, index));
        expect(verifyInclusion(index, size, big[index], proof, root)).toBe(true);

        const size1 = 1 + Math.floor(random() * (size - 1));
        const consistencyNeeded = consistencyProofNodes(size1, size);
        expect(consistencyNeeded.length).toBeLessThanOrEqual(2 * logSize);
        const consistency = buildConsistencyProof(size1, size, onlyNodes(nodes, consistencyNeeded));
        expect(consistency).toEqual(consistencyProof(big, size1, size));
        const root1 = merkleTreeHash(big.slice(0, size1));
        expect(verifyConsistency(size1, size, consistency, root1, root)).toBe(true);
      }
    });
  });

  describe('verification of bad input', () => {
    const leaves = testLeaves(7);
    const root = merkleTreeHash(leaves);
    const proof = inclusionProof(leaves, 2);
    const root3 = merkleTreeHash(leaves.slice(0, 3));
    const consistency = consistencyProof(leaves, 3, 7);

    it('accepts the untampered proofs used below', () => {
      expect(verifyInclusion(2, 7, leaves[2], proof, root)).toBe(true);
      expect(verifyConsistency(3, 7, consistency, root3, root)).toBe(true);
    });

    it('rejects inclusion proofs with missing, extra or reordered elements', () => {
      expect(verifyInclusion(2, 7, leaves[2], proof.slice(0, -1), root)).toBe(false);
      expect(verifyInclusion(2, 7, leaves[2], [...proof, proof[0]], root)).toBe(false);
      expect(verifyInclusion(2, 7, leaves[2], [...proof].reverse(), root)).toBe(false);
    });

    it('rejects proofs that continue past the root even when the roots are chosen to match', () => {
      const extra = leaves[6];
      expect(verifyInclusion(0, 1, leaves[0], [extra], nodeHash(extra, leaves[0]))).toBe(false);
      expect(verifyInclusion(2, 7, leaves[2], [...proof, extra], nodeHash(extra, root))).toBe(
        false,
      );
      expect(
        verifyConsistency(
          3,
          7,
          [...consistency, extra],
          nodeHash(extra, root3),
          nodeHash(extra, root),
        ),
      ).toBe(false);
    });

    it('rejects inclusion proofs for the wrong index, size, leaf or root', () => {
      expect(verifyInclusion(3, 7, leaves[2], proof, root)).toBe(false);
      expect(verifyInclusion(2, 3, leaves[2], proof, root)).toBe(false);
      expect(verifyInclusion(2, 16, leaves[2], proof, root)).toBe(false);
      expect(verifyInclusion(2, 7, leaves[3], proof, root)).toBe(false);
      expect(verifyInclusion(2, 7, leaves[2], proof, root3)).toBe(false);
    });

    it('returns false instead of throwing on malformed inclusion arguments', () => {
      for (const [index, size] of [
        [-1, 7],
        [2.5, 7],
        [Number.NaN, 7],
        [2, Number.POSITIVE_INFINITY],
        [7, 7],
        [0, 0],
      ]) {
        expect(verifyInclusion(index, size, leaves[2], proof, root)).toBe(false);
      }
      expect(verifyInclusion(2, 7, leaves[2].subarray(1), proof, root)).toBe(false);
      expect(verifyInclusion(2, 7, leaves[2], [Buffer.alloc(3), ...proof.slice(1)], root)).toBe(
        false,
      );
      expect(verifyInclusion(2, 7, leaves[2], null as unknown as Buffer[], root)).toBe(false);
    });

    it('rejects consistency proofs with missing, extra or altered elements', () => {
      expect(verifyConsistency(3, 7, consistency.slice(0, -1), root3, root)).toBe(false);
      expect(verifyConsistency(3, 7, [...consistency, root], root3, root)).toBe(false);
      expect(verifyConsistency(3, 7, [root, ...consistency], root3, root)).toBe(false);
      expect(verifyConsistency(3, 7, [], root3, root)).toBe(false);
      const altered = consistency.map((h) => Buffer.from(h));
      altered[1][0] ^= 1;
      expect(verifyConsistency(3, 7, altered, root3, root)).toBe(false);
    });

    it('treats equal sizes as consistent only with an empty proof and equal roots', () => {
      expect(verifyConsistency(7, 7, [], root, root)).toBe(true);
      expect(verifyConsistency(7, 7, [root], root, root)).toBe(false);
      expect(verifyConsistency(7, 7, [], root, root3)).toBe(false);
    });

    it('returns false instead of throwing on malformed consistency arguments', () => {
      expect(verifyConsistency(0, 7, [], EMPTY_ROOT, root)).toBe(false);
      expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).toBe(false);
      expect(verifyConsistency(7, 3, consistency, root, root3)).toBe(false);
      expect(verifyConsistency(-3, 7, consistency, root3, root)).toBe(false);
      expect(verifyConsistency(3, 7.5, consistency, root3, root)).toBe(false);
      expect(verifyConsistency(3, 7, consistency, root3.subarray(2), root)).toBe(false);
      expect(verifyConsistency(3, 7, null as unknown as Buffer[], root3, root)).toBe(false);
    });
  });
});

function onlyNodes(
  all: ReadonlyMap<string, Buffer>,
  refs: readonly NodeRef[],
): Map<string, Buffer> {
  return new Map(refs.map((ref) => [nodeKey(ref), all.get(nodeKey(ref)) as Buffer]));
}
