/**
 * Queue and job names. Values are frozen: renaming one strands jobs already stored.
 * Later features add their queues here.
 */
export enum QueueName {
  System = 'system',
  Audit = 'audit',
  Mail = 'mail',
  Consents = 'consents',
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

export const ALL_QUEUES: QueueName[] = Object.values(QueueName);
