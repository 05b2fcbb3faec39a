import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

@Entity('persons')
@Check('ck_persons_locale', "locale IN ('fr','en')")
@Index('ix_persons_created', ['createdAt', 'id'])
export class Person {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'full_name', type: 'text' })
  fullName: string;

  /** Normalized (trimmed, lower case); unique. */
  @Index('uq_persons_email', { unique: true })
  @Column({ type: 'text' })
  email: string;

  /** The HR system's id, unique when given. */
  @Index('uq_persons_external_ref', { unique: true, where: 'external_ref IS NOT NULL' })
  @Column({ name: 'external_ref', type: 'text', nullable: true })
  externalRef: string | null;

  @Column({ type: 'text', default: 'fr' })
  locale: Locale;

  @Column({ name: 'employment_ended_at', type: 'timestamptz', nullable: true })
  employmentEndedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
