import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound } from 'src/common/errors/domain-error';
import { withTimeout } from 'src/common/util/with-timeout';
import { AppConfig } from 'src/config/app-config';
import { Consent } from 'src/consents/consent.entity';
import { ConsentHooks } from 'src/consents/consent-hooks';
import { ConsentsService } from 'src/consents/consents.service';
import { statusAt } from 'src/consents/domain/consent-state';
import { Mail } from 'src/mail/mail.entity';
import { MailService } from 'src/mail/mail.service';
import { NotificationJob, QueueName } from 'src/queue/queue-names';
import { planNotifications, renewalPeriod } from 'src/reminders/domain/notification-plan';
import { Notification } from 'src/reminders/notification.entity';

const SCHEDULER: AuditActor = { type: 'system', id: 'scheduler' };
const QUEUE_CALL_TIMEOUT_MS = 5_000;

export function notificationJobId(id: string): string {
  return `notification-${id}`;
}

const RECONCILE_PAGE = 1_000;

interface DueNotification {
  id: string;
  due_at: Date;
}

/**
 * Renewal reminders and expiries: written to PostgreSQL in the grant's transaction, handed to the
 * queue when due within the horizon, and sent at most once each (the row is claimed under lock).
 */
@Injectable()
export class RemindersService implements OnModuleInit {
  private readonly logger = new Logger('Reminders');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue,
    private readonly hooks: ConsentHooks,
    private readonly consents: ConsentsService,
    private readonly mail: MailService,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.hooks.onGranted(async (em, { consent }) => {
      await this.schedule(em, consent);
      if (consent.previousConsentId) await this.cancel(em, consent.previousConsentId, 'renewed', ['reminder']);
    });
    this.hooks.onCoverageEnded(async (em, { consent }) => {
      if (consent.status !== 'granted') await this.cancel(em, consent.id, consent.status);
    });
    this.hooks.onRefused(async (em, { consent }) => {
      // Declining a renewal is an answer: no more reminders about the consent it would have renewed.
      if (consent.previousConsentId) await this.cancel(em, consent.previousConsentId, 'renewal_declined', ['reminder']);
    });
  }

  async schedule(em: EntityManager, consent: Consent): Promise<void> {
    const now = this.clock.now();
    const plan = planNotifications(consent.validFrom, consent.validUntil, now, this.config.reminderOffsetsDays);
    await em
      .createQueryBuilder()
      .insert()
      .into(Notification)
      .values(
        plan.map((p) => ({
          id: randomUUID(),
          consentId: consent.id,
          personId: consent.personId,
          kind: p.kind,
          offsetDays: p.offsetDays,
          dueAt: p.dueAt,
          status: 'pending' as const,
          mailId: null,
          outcome: null,
          createdAt: now,
          processedAt: null,
        })),
      )
      .orIgnore()
      .execute();
  }

  /** Marks pending notifications cancelled; a job that still runs finds them so and does nothing. */
  async cancel(em: EntityManager, consentId: string, outcome: string, kinds: Notification['kind'][] = ['reminder', 'expiry']): Promise<void> {
    const cancelled = await em
      .createQueryBuilder()
      .update(Notification)
      .set({ status: 'cancelled', outcome, processedAt: this.clock.now() })
      .where("consent_id = :consentId AND status = 'pending' AND kind IN (:...kinds)", { consentId, kinds })
      .returning(['id'])
      .execute();
    const ids = (cancelled.raw as { id: string }[]).map((row) => row.id);
    // Removing queued jobs is a courtesy: it must not hold up or fail the change that cancels them.
    for (const id of ids) void this.queue.remove(notificationJobId(id)).catch(() => undefined);
  }

  /**
   * Hands to the queue every pending notification due within the horizon, as a delayed job with a
   * deterministic id; overdue ones run at once. Safe to run anywhere, any number of times.
   */
  async reconcile(): Promise<{ scheduled: number; promoted: number }> {
    const now = this.clock.now();
    const horizon = new Date(now.getTime() + this.config.reconcileHorizonHours * 3_600_000);
    let scheduled = 0;
    let promoted = 0;
    // Keyset pages, so a backlog of any size is handed over without holding it all in memory.
    let after: DueNotification | undefined;
    for (;;) {
      const page = await this.dataSource.query<DueNotification[]>(
        `SELECT id, due_at FROM notifications
         WHERE status = 'pending' AND due_at <= $1
           AND ($2::timestamptz IS NULL OR due_at > $2 OR (due_at = $2 AND id > $3::uuid))
         ORDER BY due_at, id LIMIT ${RECONCILE_PAGE}`,
        [horizon, after?.due_at ?? null, after?.id ?? null],
      );
      if (page.length === 0) break;
      await withTimeout(
        this.queue.addBulk(
          page.map((n) => ({
            name: NotificationJob.Deliver,
            data: { notificationId: n.id },
            opts: { jobId: notificationJobId(n.id), delay: Math.max(0, n.due_at.getTime() - now.getTime()) },
          })),
        ),
        QUEUE_CALL_TIMEOUT_MS,
        'notification enqueue',
      );
      // Delays were computed from the clock when queued; one that is due now must not wait for them.
      for (const n of page.filter((d) => d.due_at <= now)) {
        const job = await this.queue.getJob(notificationJobId(n.id));
        if (job && (await job.isDelayed())) {
          await job.promote().catch(() => undefined);
          promoted += 1;
        }
      }
      scheduled += page.length;
      after = page[page.length - 1];
      if (page.length < RECONCILE_PAGE) break;
    }
    return { scheduled, promoted };
  }

  /** Runs one notification: exactly once in effect, whatever the queue delivers. */
  async deliver(notificationId: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const notification = await em.findOne(Notification, { where: { id: notificationId }, lock: { mode: 'pessimistic_write' } });
      if (!notification || notification.status !== 'pending') return;
      const now = this.clock.now();
      if (notification.dueAt > now) return;
      const consent = await em.findOne(Consent, { where: { id: notification.consentId }, lock: { mode: 'pessimistic_write' } });
      const outcome = consent ? await this.apply(em, notification, consent) : 'consent_missing';
      notification.status = outcome === 'sent' || outcome === 'expired' || outcome === 'superseded' ? 'done' : 'skipped';
      notification.outcome = outcome;
      notification.processedAt = now;
      await em.save(notification);
    });
  }

  private async apply(em: EntityManager, notification: Notification, consent: Consent): Promise<string> {
    const now = this.clock.now();
    if (notification.kind === 'expiry') {
      const ended = await this.consents.endAtValidUntil(em, consent, SCHEDULER);
      if (!ended) return `not_granted_${statusAt(consent, now)}`;
      if (ended === 'expired') {
        const mail = await this.mail.queue(em, { kind: 'expiry-notice', personId: consent.personId, consentId: consent.id }, SCHEDULER);
        notification.mailId = mail.id;
      }
      return ended;
    }
    if (consent.status !== 'granted' || statusAt(consent, now) !== 'granted') return `not_granted_${statusAt(consent, now)}`;
    const renewed = await em.findOneBy(Consent, { previousConsentId: consent.id, status: In(['granted', 'refused']) });
    if (renewed) return renewed.status === 'granted' ? 'already_renewed' : 'renewal_declined';
    const renewal = await this.consents.requestRenewal(em, consent, renewalPeriod(consent.validFrom, consent.validUntil), SCHEDULER);
    const mail = await em.query<{ id: string }[]>(
      "SELECT id FROM mails WHERE consent_id = $1 AND kind = 'renewal-request' ORDER BY created_at DESC LIMIT 1",
      [renewal.id],
    );
    notification.mailId = mail[0]?.id ?? null;
    await this.audit.append(em, {
      action: 'reminder.sent',
      actor: SCHEDULER,
      personId: consent.personId,
      consentId: consent.id,
      data: { notificationId: notification.id, offsetDays: notification.offsetDays, renewalId: renewal.id },
    });
    return 'sent';
  }

  /** Sends again the email of a notification whose email failed (a new mail, fresh links). */
  async retry(id: string, actor: AuditActor): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const notification = await em.findOne(Notification, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!notification) throw new NotFound('Notification');
      const failed = notification.mailId ? await em.findOneBy(Mail, { id: notification.mailId, status: 'failed' }) : null;
      if (!failed || !failed.personId) {
        throw new DomainError('CONFLICT', 'Only a notification whose email failed can be retried', { status: notification.status });
      }
      const mail = await this.mail.queue(
        em,
        { kind: failed.kind, personId: failed.personId, consentId: failed.consentId ?? undefined, withdrawalId: failed.withdrawalId ?? undefined },
        actor,
      );
      notification.mailId = mail.id;
      await em.save(notification);
    });
  }

  logFailure(error: unknown, what: string): void {
    this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, what);
  }
}
