import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { Consent } from 'src/consents/consent.entity';

/** The scanned signed paper form behind a consent granted on paper. */
@Entity('consent_paper_scans')
export class PaperScan {
  @PrimaryColumn({ name: 'consent_id', type: 'uuid' })
  consentId: string;

  @OneToOne(() => Consent, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'consent_id' })
  consent?: Consent;

  @Column({ type: 'bytea' })
  pdf: Buffer;

  @Column({ type: 'text' })
  sha256: string;

  @Column({ name: 'uploaded_by_key_id', type: 'uuid', nullable: true })
  uploadedByKeyId: string | null;

  @Column({ name: 'uploaded_at', type: 'timestamptz' })
  uploadedAt: Date;
}
