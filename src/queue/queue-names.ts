/**
 * Queue and job names. Values are frozen: renaming one strands jobs already stored.
 * Later features add their queues here.
 */
export enum QueueName {
  System = 'system',
  Audit = 'audit',
  Mail = 'mail',
  Consents = 'consents',
  Notifications = 'notifications',
  Webhooks = 'webhooks',
}

export enum SystemJob {
  /** A no-op round trip through the queue; used by health checks and tests of both backends. */
  Echo = 'echo',
}

export enum AuditJob {
  /** Signs a checkpoint when the log grew since the last one (job scheduler, every N minutes). */
  Checkpoint = 'checkpoint',
  /** Posts one stored checkpoint to AUDIT_CHECKPOINT_WEBHOOK. */
  DeliverCheckpoint = 'deliver-checkpoint',
}

export enum MailJob {
  Send = 'send',
}

export enum ConsentJob {
  /** At a request's sign deadline: an unanswered request lapses. */
  Lapse = 'lapse',
  /** At an end of employment in the future: revoke what does not cover after employment. */
  RevokeForEmploymentEnd = 'revoke-for-employment-end',
}

export enum NotificationJob {
  /** Hands notifications due within the horizon to the queue; a job scheduler runs it. */
  Reconcile = 'reconcile',
  /** Sends one reminder or expiry notification (job id notification-<id>). */
  Deliver = 'deliver',
  /** The daily digest to HR of consents expiring soon. */
  Digest = 'digest',
}

export enum WebhookJob {
  /** Posts one stored webhook delivery (job id webhook-<delivery id>). */
  Deliver = 'deliver',
}

/** Retry policy of a queue whose jobs need another than the module default (8 attempts from 2 s). */
export interface QueueRetryPolicy {
  attempts: number;
  backoff: { type: 'exponential'; delay: number };
}

export const QUEUE_RETRY_POLICIES: Partial<Record<QueueName, QueueRetryPolicy>> = {
  // Receivers may be down for hours: doubling from 2 s, the 16th attempt comes ~18 h after the first.
  [QueueName.Webhooks]: { attempts: 16, backoff: { type: 'exponential', delay: 2_000 } },
};

export const ALL_QUEUES: QueueName[] = Object.values(QueueName);
