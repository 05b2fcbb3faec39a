import { getQueueToken, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, ModuleRef } from '@nestjs/core';
import type { Queue, Worker } from 'bullmq';
import { withTimeout } from 'src/common/util/with-timeout';
import { ALL_QUEUES } from 'src/queue/queue-names';
import { QueueWatch } from 'src/queue/queue-watch.service';

const QUIET_MS = 60_000;

/**
 * Queues report connection errors as events; unheard, BullMQ prints each one to the console.
 * An outage is logged once a minute per queue instead, and the work waits in PostgreSQL.
 */
@Injectable()
export class QueueErrors implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Queue');
  private readonly lastLogged = new Map<string, number>();

  private readonly workers: Worker[] = [];

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly discovery: DiscoveryService,
    private readonly queueWatch: QueueWatch,
  ) {}

  onModuleInit(): void {
    for (const name of ALL_QUEUES) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      queue.on('error', (error: Error) => this.report(name, error));
    }
  }

  /** Workers exist once the application has bootstrapped its processors. */
  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance instanceof WorkerHost) {
        const worker = instance.worker as Worker;
        worker.on('error', (error: Error) => this.report(worker.name, error));
        this.workers.push(worker);
      }
    }
  }

  /**
   * Closes workers before Nest does: gracefully (running jobs finish) while the backend answers,
   * forced when it does not, since a graceful close waits for Redis for ever. Unfinished work is
   * still in PostgreSQL and is handed over again after the restart.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const { up } = await this.queueWatch.status();
    await Promise.all(
      this.workers.map((worker) =>
        up
          ? withTimeout(worker.close(), 10_000, 'worker close').catch(() => undefined)
          : worker.close(true).catch(() => undefined),
      ),
    );
  }

  private report(queue: string, error: Error): void {
    const now = Date.now();
    if (now - (this.lastLogged.get(queue) ?? 0) < QUIET_MS) return;
    this.lastLogged.set(queue, now);
    const code = (error as { code?: string }).code;
    this.logger.warn({ queue, code }, `queue backend unavailable (${code ?? error.message}); queued work waits in PostgreSQL`);
  }
}
