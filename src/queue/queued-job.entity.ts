import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type JobPayload = Record<string, string | number | boolean | null>;

/**
 * Work meant for a queue, written in the same transaction as the change that causes it.
 * PostgreSQL is the source of truth; the relay copies due rows into BullMQ, so a queue outage
 * or a flushed Redis delays work and loses none.
 */
@Entity('queued_jobs')
@Index('ix_queued_jobs_undispatched', ['runAt'], { where: 'dispatched_at IS NULL' })
@Index('ix_queued_jobs_unfinished', ['dispatchedAt'], { where: 'dispatched_at IS NOT NULL AND done_at IS NULL' })
export class QueuedJob {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  queue: string;

  @Column({ type: 'text' })
  name: string;

  /** Deterministic BullMQ job id: enqueueing the same work twice is a no-op. */
  @Index('uq_queued_jobs_job_id', { unique: true })
  @Column({ name: 'job_id', type: 'text' })
  jobId: string;

  @Column({ type: 'jsonb' })
  payload: JobPayload;

  @Column({ name: 'run_at', type: 'timestamptz' })
  runAt: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt: Date | null;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt: Date | null;

  @Column({ name: 'dispatch_attempts', type: 'int', default: 0 })
  dispatchAttempts: number;

  @Column({ name: 'last_dispatch_error', type: 'text', nullable: true })
  lastDispatchError: string | null;
}
