import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { AppConfig } from 'src/config/app-config';
import { NotificationJob, QueueName } from 'src/queue/queue-names';
import { RemindersService } from 'src/reminders/reminders.service';

export const RECONCILE_SCHEDULER_ID = 'notifications-reconcile';
export const DIGEST_SCHEDULER_ID = 'hr-expiry-digest';

/**
 * Registers the recurring jobs under stable ids (every boot updates the same ones) and reconciles
 * once. The registration is repeated on a timer of our own: schedulers live in the queue, and a
 * flushed or replaced Redis would otherwise never run them again.
 */
@Injectable()
export class NotificationsSchedule implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Reminders');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue,
    private readonly reminders: RemindersService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: a queue backend that is down must not hold up the start; work waits in PostgreSQL.
    this.register().catch((error: unknown) => this.reminders.logFailure(error, 'could not register the notification schedules'));
    this.reminders
      .reconcile()
      .then(({ scheduled }) => scheduled > 0 && this.logger.log(`reconciled ${scheduled} due notification(s) at start`))
      .catch((error: unknown) => this.reminders.logFailure(error, 'reconcile at start failed; the schedule will retry'));
    this.timer = setInterval(() => {
      this.register().catch((error: unknown) => this.reminders.logFailure(error, 'could not renew the notification schedules'));
    }, this.config.reconcileEveryMinutes * 60_000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async register(): Promise<void> {
    await this.queue.upsertJobScheduler(
      RECONCILE_SCHEDULER_ID,
      { every: this.config.reconcileEveryMinutes * 60_000 },
      { name: NotificationJob.Reconcile, data: {} },
    );
    await this.queue.upsertJobScheduler(
      DIGEST_SCHEDULER_ID,
      { pattern: '0 7 * * *', tz: 'Europe/Paris' },
      { name: NotificationJob.Digest, data: {} },
    );
  }
}
