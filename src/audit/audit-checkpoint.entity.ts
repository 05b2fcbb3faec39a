import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from 'src/audit/bigint-column';

/** A signed statement of the tree's size and root (C2SP signed note). Append-only. */
@Entity('audit_checkpoints')
export class AuditCheckpoint {
  @PrimaryColumn({ name: 'tree_size', type: 'bigint', transformer: BIGINT_AS_NUMBER })
  treeSize: number;

  @Column({ name: 'root_hash', type: 'bytea' })
  rootHash: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** The whole signed note, as published. */
  @Column({ type: 'text' })
  note: string;
}
