import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AuditAction } from 'src/audit/audit-actions';
import { BIGINT_AS_NUMBER } from 'src/audit/bigint-column';

/**
 * One leaf of the audit log. `canonical` holds the exact bytes that were hashed; the other
 * columns only index them for search. Append-only: triggers refuse UPDATE, DELETE and TRUNCATE.
 */
@Entity('audit_events')
@Index('ix_audit_events_person', ['personId', 'seq'], { where: 'person_id IS NOT NULL' })
@Index('ix_audit_events_consent', ['consentId', 'seq'], { where: 'consent_id IS NOT NULL' })
@Index('ix_audit_events_asset', ['assetId', 'seq'], { where: 'asset_id IS NOT NULL' })
@Index('ix_audit_events_action', ['action', 'seq'])
@Index('ix_audit_events_occurred_at', ['occurredAt'])
export class AuditEvent {
  /** 0-based leaf index in the Merkle tree; gapless. */
  @PrimaryColumn({ type: 'bigint', transformer: BIGINT_AS_NUMBER })
  seq: number;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'text' })
  action: AuditAction;

  @Column({ name: 'person_id', type: 'uuid', nullable: true })
  personId: string | null;

  @Column({ name: 'consent_id', type: 'uuid', nullable: true })
  consentId: string | null;

  @Column({ name: 'asset_id', type: 'uuid', nullable: true })
  assetId: string | null;

  /** RFC 8785 JSON of the event, byte for byte as hashed. */
  @Column({ type: 'bytea' })
  canonical: Buffer;

  /** SHA-256(0x00 ‖ canonical). */
  @Column({ name: 'leaf_hash', type: 'bytea' })
  leafHash: Buffer;
}
