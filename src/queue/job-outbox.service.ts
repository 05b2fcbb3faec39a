import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from 'src/common/clock/clock';
import { JobPayload, QueuedJob } from 'src/queue/queued-job.entity';
import { QueueName } from 'src/queue/queue-names';

export interface JobRequest {
  queue: QueueName;
  name: string;
  /** Deterministic id (letters, digits, - and _): the same id twice is enqueued once. */
  jobId: string;
  /** Ids only; the processor reloads what it needs. */
  payload: JobPayload;
  runAt?: Date;
}

@Injectable()
export class JobOutbox {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Records the job inside the caller's transaction; the relay hands it to BullMQ after commit. */
  async enqueue(em: EntityManager, job: JobRequest): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(job.jobId)) throw new Error(`invalid job id ${job.jobId}`);
    const now = this.clock.now();
    await em
      .createQueryBuilder()
      .insert()
      .into(QueuedJob)
      .values({
        queue: job.queue,
        name: job.name,
        jobId: job.jobId,
        payload: job.payload,
        runAt: job.runAt ?? now,
        createdAt: now,
      })
      .orIgnore()
      .execute();
  }

  /**
   * enqueue for many jobs in one statement (thousands of webhook deliveries from one withdrawal);
   * the same id twice is enqueued once.
   */
  async enqueueMany(em: EntityManager, jobs: JobRequest[]): Promise<void> {
    if (jobs.length === 0) return;
    const bad = jobs.find((job) => !/^[A-Za-z0-9_-]{1,200}$/.test(job.jobId));
    if (bad) throw new Error(`invalid job id ${bad.jobId}`);
    const now = this.clock.now();
    await em.query(
      `INSERT INTO queued_jobs (queue, name, job_id, payload, run_at, created_at)
       SELECT queue, name, job_id, payload, run_at, $6::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[])
         AS j(queue, name, job_id, payload, run_at)
       ON CONFLICT (job_id) DO NOTHING`,
      [
        jobs.map((job) => job.queue),
        jobs.map((job) => job.name),
        jobs.map((job) => job.jobId),
        jobs.map((job) => JSON.stringify(job.payload)),
        jobs.map((job) => job.runAt ?? now),
        now,
      ],
    );
  }

  /** Called by processors when the work is done, so the relay stops watching the job. */
  async markDone(jobId: string): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(QueuedJob)
      .set({ doneAt: this.clock.now() })
      .where('job_id = :jobId AND done_at IS NULL', { jobId })
      .execute();
  }

  findByJobId(jobId: string): Promise<QueuedJob | null> {
    return this.dataSource.getRepository(QueuedJob).findOne({ where: { jobId } });
  }
}
