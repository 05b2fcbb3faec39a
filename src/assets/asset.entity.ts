import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { MediaType } from 'src/consents/domain/consent-scope';

/** A photo, video or voice recording held in the DAM; who appears in it is in asset_persons. */
@Entity('assets')
@Check('ck_assets_media_type', "media_type IN ('photo','video','voice')")
@Check('ck_assets_sha256', "sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'")
@Index('ix_assets_created', ['createdAt', 'id'])
export class Asset {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ name: 'media_type', type: 'text' })
  mediaType: MediaType;

  /** The DAM id or URL; one asset per external reference. */
  @Index('uq_assets_external_ref', { unique: true })
  @Column({ name: 'external_ref', type: 'text' })
  externalRef: string;

  /** Lower-case hex SHA-256 of the file, when known. */
  @Column({ type: 'text', nullable: true })
  sha256: string | null;

  @Column({ name: 'captured_at', type: 'timestamptz', nullable: true })
  capturedAt: Date | null;

  @Column({ name: 'registered_by_key_id', type: 'uuid', nullable: true })
  registeredByKeyId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
