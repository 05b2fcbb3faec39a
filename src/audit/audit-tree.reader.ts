import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  buildConsistencyProof,
  buildInclusionProof,
  consistencyProofNodes,
  inclusionProofNodes,
  indexNodes,
  NodeHashes,
  NodeRef,
  nodeKey,
  rootFromNodes,
  rootNodes,
} from 'src/audit/domain/merkle';
import { ValidationFailed } from 'src/common/errors/domain-error';

export interface InclusionProof {
  seq: number;
  treeSize: number;
  leafHash: Buffer;
  rootHash: Buffer;
  proof: Buffer[];
}

export interface ConsistencyProof {
  from: number;
  to: number;
  fromRootHash: Buffer;
  toRootHash: Buffer;
  proof: Buffer[];
}

/** Roots and RFC 9162 proofs for any tree size, each from O(log n) stored nodes in one query. */
@Injectable()
export class AuditTreeReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async currentSize(): Promise<number> {
    const rows = await this.dataSource.query<{ tree_size: string }[]>(
      'SELECT tree_size FROM audit_tree_state WHERE id = 1',
    );
    return Number(rows[0]?.tree_size ?? 0);
  }

  async inclusionProof(seq: number, treeSize?: number): Promise<InclusionProof> {
    const size = await this.sizeAtMost('treeSize', treeSize);
    if (seq >= size) throw ValidationFailed.field('seq', `seq must be below the tree size ${size}`);
    const leaf: NodeRef = { level: 0, index: seq };
    const nodes = await this.nodes([leaf, ...inclusionProofNodes(seq, size), ...rootNodes(size)]);
    return {
      seq,
      treeSize: size,
      leafHash: nodes.get(nodeKey(leaf)) as Buffer,
      rootHash: rootFromNodes(size, nodes),
      proof: buildInclusionProof(seq, size, nodes),
    };
  }

  async consistencyProof(from: number, to?: number): Promise<ConsistencyProof> {
    const size = await this.sizeAtMost('to', to);
    if (from < 1) throw ValidationFailed.field('from', 'from must be at least 1');
    if (from > size) throw ValidationFailed.field('from', `from must not exceed to (${size})`);
    const nodes = await this.nodes([
      ...consistencyProofNodes(from, size),
      ...rootNodes(from),
      ...rootNodes(size),
    ]);
    return {
      from,
      to: size,
      fromRootHash: rootFromNodes(from, nodes),
      toRootHash: rootFromNodes(size, nodes),
      proof: buildConsistencyProof(from, size, nodes),
    };
  }

  private async sizeAtMost(field: string, requested: number | undefined): Promise<number> {
    const current = await this.currentSize();
    if (requested === undefined) return current;
    if (requested > current)
      throw ValidationFailed.field(
        field,
        `${field} must not exceed the current tree size ${current}`,
      );
    return requested;
  }

  /** Leaves come from audit_events, inner nodes from audit_tree_nodes, in one round trip. */
  private async nodes(refs: NodeRef[]): Promise<NodeHashes> {
    const leaves = refs.filter((ref) => ref.level === 0).map((ref) => ref.index);
    const inner = refs.filter((ref) => ref.level > 0);
    const rows = await this.dataSource.query<{ level: number; idx: string; hash: Buffer }[]>(
      `SELECT 0 AS level, seq AS idx, leaf_hash AS hash FROM audit_events WHERE seq = ANY($1::bigint[])
       UNION ALL
       SELECT n.level, n.idx, n.hash FROM audit_tree_nodes n
       JOIN unnest($2::smallint[], $3::bigint[]) AS r(level, idx) ON n.level = r.level AND n.idx = r.idx`,
      [leaves, inner.map((ref) => ref.level), inner.map((ref) => ref.index)],
    );
    return indexNodes(
      rows.map((row) => ({ level: Number(row.level), index: Number(row.idx), hash: row.hash })),
    );
  }
}
