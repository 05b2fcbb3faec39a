import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { AppConfig } from 'src/config/app-config';
import { AuditJob, QueueName } from 'src/queue/queue-names';

export const AUDIT_CHECKPOINT_SCHEDULER_ID = 'audit-checkpoint';

/** Registers the timed checkpoint (stable scheduler id, so every boot updates the same one). */
@Injectable()
export class AuditCheckpointSchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuditCheckpointSchedule');

  constructor(
    @InjectQueue(QueueName.Audit) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: a queue backend that is down must not hold up the start.
    this.register().catch((error: unknown) =>
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'could not register the checkpoint schedule',
      ),
    );
  }

  async register(): Promise<void> {
    await this.queue.upsertJobScheduler(
      AUDIT_CHECKPOINT_SCHEDULER_ID,
      { every: this.config.auditCheckpointMinutes * 60_000 },
      { name: AuditJob.Checkpoint, data: {} },
    );
  }
}
