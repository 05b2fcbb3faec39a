import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from 'src/audit/bigint-column';

/**
 * The one row that makes appends O(log n): the tree size and its frontier (the perfect-subtree
 * roots, left to right). Appenders lock it, which serializes them. A trigger lets the size only grow.
 */
@Entity('audit_tree_state')
@Check('ck_audit_tree_state_single_row', '"id" = 1')
export class AuditTreeState {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ name: 'tree_size', type: 'bigint', transformer: BIGINT_AS_NUMBER })
  treeSize: number;

  /** The frontier hashes concatenated (32 bytes each). */
  @Column({ type: 'bytea' })
  frontier: Buffer;

  @Column({
    name: 'last_checkpoint_size',
    type: 'bigint',
    nullable: true,
    transformer: BIGINT_AS_NUMBER,
  })
  lastCheckpointSize: number | null;
}
