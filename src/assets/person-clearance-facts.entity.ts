import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { Person } from 'src/persons/person.entity';

/**
 * What the clearance rule needs about one person, kept by database triggers whenever the person,
 * their consents or their channel decisions change (migration PersonClearanceFacts), so a clearance
 * check reads one row per person instead of joining consents and decisions. Instants are epoch
 * milliseconds. The application never writes it.
 */
@Entity('person_clearance_facts')
export class PersonClearanceFacts {
  @PrimaryColumn({ name: 'person_id', type: 'uuid' })
  personId: string;

  @OneToOne(() => Person, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'person_id' })
  person?: Person;

  @Column({ name: 'employment_ended_at_ms', type: 'double precision', nullable: true })
  employmentEndedAtMs: number | null;

  /** [id, status, requestedAt, answeredAt, signDeadline, validFrom, validUntil, endedAt, coversAfterEmployment, channels, mediaTypes, [[channel, decision, withdrawnAt]]] per consent. */
  @Column({ type: 'json', default: () => "'[]'" })
  consents: unknown[];
}
