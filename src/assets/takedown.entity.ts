import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Asset } from 'src/assets/asset.entity';
import { Publication } from 'src/assets/publication.entity';
import type { Channel } from 'src/consents/domain/consent-scope';

export const TAKEDOWN_CAUSES = [
  'consent_withdrawn',
  'consent_revoked',
  'consent_expired',
  'consent_superseded',
  'persons_changed',
] as const;
export type TakedownCause = (typeof TAKEDOWN_CAUSES)[number];

/** Opened when a live publication's asset loses clearance on its channel; closed with a note. */
@Entity('takedowns')
@Check(
  'ck_takedowns_cause',
  "cause IN ('consent_withdrawn','consent_revoked','consent_expired','consent_superseded','persons_changed')",
)
@Index('uq_takedowns_open_publication', ['publicationId'], {
  unique: true,
  where: 'completed_at IS NULL',
})
@Index('ix_takedowns_open_due', ['dueAt', 'id'], { where: 'completed_at IS NULL' })
@Index('ix_takedowns_opened', ['openedAt', 'id'])
export class Takedown {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'publication_id', type: 'uuid' })
  publicationId: string;

  @ManyToOne(() => Publication, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'publication_id' })
  publication?: Publication;

  @Column({ name: 'asset_id', type: 'uuid' })
  assetId: string;

  @ManyToOne(() => Asset, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'asset_id' })
  asset?: Asset;

  @Column({ type: 'text' })
  channel: Channel;

  @Column({ type: 'text' })
  cause: TakedownCause;

  /** The consent whose end caused it (none when the persons in the asset changed). */
  @Column({ name: 'consent_id', type: 'uuid', nullable: true })
  consentId: string | null;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'completion_note', type: 'text', nullable: true })
  completionNote: string | null;

  @Column({ name: 'evidence_url', type: 'text', nullable: true })
  evidenceUrl: string | null;

  @Column({ name: 'completed_by_key_id', type: 'uuid', nullable: true })
  completedByKeyId: string | null;
}
