/**
 * Every action the audit log records, as dotted `<subject>.<what happened>` names.
 * Values are part of the hashed bytes of past events: add new ones, never rename one.
 */
export const AUDIT_ACTIONS = [
  'person.created',
  'person.updated',
  'consent.requested',
  'consent.link_opened',
  'consent.granted',
  'consent.refused',
  'consent.lapsed',
  'consent.withdrawn',
  'consent.expired',
  'consent.revoked',
  'consent.superseded',
  'evidence.sealed',
  'email.queued',
  'email.sent',
  'email.failed',
  'reminder.sent',
  'asset.registered',
  'asset.subjects_changed',
  'asset.blocked',
  'asset.unblocked',
  'publication.recorded',
  'publication.refused',
  'publication.removed',
  'takedown.opened',
  'takedown.completed',
  'apikey.created',
  'apikey.revoked',
  'webhook.registered',
  'webhook.deactivated',
  'audit.read',
  'audit.exported',
  'audit.verified',
  'audit.checkpoint',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && (AUDIT_ACTIONS as readonly string[]).includes(value);
}
