import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from 'src/common/clock/clock';
import { withTimeout } from 'src/common/util/with-timeout';
import { QueuedJob } from 'src/queue/queued-job.entity';
import { ALL_QUEUES, QUEUE_RETRY_POLICIES, QueueName } from 'src/queue/queue-names';

const BATCH = 500;
const QUEUE_CALL_TIMEOUT_MS = 5_000;
/** Jobs due further away stay in PostgreSQL only: years of delayed jobs never sit in the queue. */
const HORIZON_MS = 48 * 3_600_000;
/** A dispatched job unfinished this long is looked for in the queue, and re-added if it is gone. */
const STALE_MS = 5 * 60_000;

/** Copies due rows of queued_jobs into BullMQ, and puts back any the queue lost (FLUSHALL, outage). */
@Injectable()
export class JobRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  intervalMs = 1_000;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly moduleRef: ModuleRef,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Stops before the database connections close (they close at application shutdown). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Runs one relay pass now (tests, and callers that just committed urgent work). */
  async runOnce(): Promise<{ dispatched: number; restored: number }> {
    while (this.running) await this.running;
    const pass = this.pass();
    this.running = pass.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await pass;
    } finally {
      this.running = undefined;
    }
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error: unknown) => this.logger.warn({ err: describe(error) }, 'job relay pass failed'))
        .finally(() => this.schedule(this.intervalMs));
    }, delay);
    this.timer.unref();
  }

  private async pass(): Promise<{ dispatched: number; restored: number }> {
    const dispatched = await this.dispatchDue();
    const restored = await this.restoreLost();
    return { dispatched, restored };
  }

  private async dispatchDue(): Promise<number> {
    const now = this.clock.now();
    const horizon = new Date(now.getTime() + HORIZON_MS);
    let failure: string | undefined;
    let ids: string[] = [];
    const count = await this.dataSource.transaction(async (em) => {
      const due = await em
        .createQueryBuilder(QueuedJob, 'j')
        .where('j.dispatched_at IS NULL AND j.run_at <= :horizon', { horizon })
        .orderBy('j.run_at', 'ASC')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (due.length === 0) return 0;
      ids = due.map((job) => job.id);
      try {
        await this.addToQueues(due, now);
      } catch (error) {
        failure = describe(error);
        return 0;
      }
      await this.markDispatched(em, ids, now);
      return due.length;
    });
    if (failure) {
      await this.recordFailure(ids, failure);
      this.logger.warn({ jobs: ids.length, err: failure }, 'queue unavailable; jobs wait in PostgreSQL');
    }
    return count;
  }

  private async restoreLost(): Promise<number> {
    const now = this.clock.now();
    const stale = await this.dataSource
      .getRepository(QueuedJob)
      .createQueryBuilder('j')
      .where('j.dispatched_at IS NOT NULL AND j.done_at IS NULL AND j.dispatched_at < :before', {
        before: new Date(now.getTime() - STALE_MS),
      })
      .orderBy('j.dispatched_at', 'ASC')
      .limit(BATCH)
      .getMany();
    const lost: QueuedJob[] = [];
    for (const job of stale) {
      const found = await withTimeout(this.queue(job.queue).getJob(job.jobId), QUEUE_CALL_TIMEOUT_MS, 'queue lookup');
      if (!found) lost.push(job);
    }
    if (lost.length === 0) return 0;
    await this.addToQueues(lost, now);
    await this.markDispatched(this.dataSource.manager, lost.map((job) => job.id), now);
    this.logger.warn({ jobs: lost.length }, 'restored jobs the queue had lost');
    return lost.length;
  }

  private async addToQueues(jobs: QueuedJob[], now: Date): Promise<void> {
    const byQueue = new Map<string, QueuedJob[]>();
    for (const job of jobs) byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
    for (const [queueName, list] of byQueue) {
      await withTimeout(
        this.queue(queueName).addBulk(
          list.map((job) => ({
            name: job.name,
            data: job.payload,
            opts: {
              jobId: job.jobId,
              delay: Math.max(0, job.runAt.getTime() - now.getTime()),
              ...QUEUE_RETRY_POLICIES[queueName as QueueName],
            },
          })),
        ),
        QUEUE_CALL_TIMEOUT_MS,
        'queue add',
      );
    }
  }

  private async markDispatched(em: EntityManager, ids: string[], now: Date): Promise<void> {
    await em
      .createQueryBuilder()
      .update(QueuedJob)
      .set({ dispatchedAt: now, lastDispatchError: null })
      .whereInIds(ids)
      .execute();
  }

  private async recordFailure(ids: string[], error: string): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(QueuedJob)
      .set({ dispatchAttempts: () => 'dispatch_attempts + 1', lastDispatchError: error.slice(0, 500) })
      .whereInIds(ids)
      .execute();
  }

  private queue(name: string): Queue {
    if (!ALL_QUEUES.includes(name as QueueName)) throw new Error(`unknown queue ${name}`);
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
