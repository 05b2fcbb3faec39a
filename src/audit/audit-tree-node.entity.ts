import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from 'src/audit/bigint-column';

/**
 * A completed perfect subtree of the Merkle tree: the hash of leaves [idx·2^level, (idx+1)·2^level).
 * Only inner nodes (level >= 1) are stored here; level 0 is audit_events.leaf_hash. Append-only.
 */
@Entity('audit_tree_nodes')
@Check('ck_audit_tree_nodes_level', '"level" >= 1')
export class AuditTreeNode {
  @PrimaryColumn({ type: 'smallint' })
  level: number;

  @PrimaryColumn({ type: 'bigint', transformer: BIGINT_AS_NUMBER })
  idx: number;

  @Column({ type: 'bytea' })
  hash: Buffer;
}
