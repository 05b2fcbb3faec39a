import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Asset } from 'src/assets/asset.entity';
import type { Channel } from 'src/consents/domain/consent-scope';

/** A use of an asset somewhere, recorded only while the asset was cleared there; live until removed. */
@Entity('publications')
@Index('ix_publications_live', ['assetId', 'channel'], { where: 'removed_at IS NULL' })
@Index('ix_publications_asset', ['assetId', 'recordedAt'])
@Index('ix_publications_recorded', ['recordedAt', 'id'])
export class Publication {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'asset_id', type: 'uuid' })
  assetId: string;

  @ManyToOne(() => Asset, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'asset_id' })
  asset?: Asset;

  @Column({ type: 'text' })
  channel: Channel;

  /** Where: a URL, or a description of the print run or event. */
  @Column({ type: 'text' })
  location: string;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  @Column({ name: 'recorded_by_key_id', type: 'uuid', nullable: true })
  recordedByKeyId: string | null;

  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  removedAt: Date | null;

  @Column({ name: 'removal_note', type: 'text', nullable: true })
  removalNote: string | null;

  @Column({ name: 'removed_by_key_id', type: 'uuid', nullable: true })
  removedByKeyId: string | null;
}
