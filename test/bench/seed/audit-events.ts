import { createHash, randomUUID } from 'node:crypto';
import type { AuditEventInput } from 'src/audit/domain/audit-event';

const HR_KEY = { type: 'staff' as const, id: randomUUID(), keyName: 'HR legal team' };

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The events a consent's life writes, in the proportions it writes them: request, its email,
 * the grant, its evidence, the granted email. Their bytes (≈300–450) are what the log really holds.
 */
export function sampleAuditEvent(index: number): AuditEventInput {
  const personId = randomUUID();
  const consentId = randomUUID();
  switch (index % 5) {
    case 0:
      return {
        action: 'consent.requested',
        actor: HR_KEY,
        personId,
        consentId,
        data: {
          channels: ['website', 'intranet', 'linkedin'],
          mediaTypes: ['photo', 'video'],
          templateKey: 'image-rights',
          templateVersion: 1,
          locale: 'fr',
          noticeSha256: sha256Hex(`notice ${index}`),
          validFrom: '2026-01-01T00:00:00.000Z',
          validUntil: '2028-01-01T00:00:00.000Z',
          forcedAfterRefusal: false,
        },
      };
    case 1:
      return {
        action: 'email.queued',
        actor: HR_KEY,
        personId,
        consentId,
        data: { mailId: randomUUID(), kind: 'sign-request' },
      };
    case 2:
      return {
        action: 'consent.granted',
        actor: { type: 'person', id: personId },
        personId,
        consentId,
        data: {
          method: 'email_link',
          acceptedChannels: ['website', 'intranet'],
          refusedChannels: ['linkedin'],
          noticeSha256: sha256Hex(`notice ${index}`),
        },
      };
    case 3:
      return {
        action: 'evidence.sealed',
        actor: { type: 'system', id: 'evidence' },
        personId,
        consentId,
        data: { documentId: randomUUID(), kind: 'grant', sha256: sha256Hex(`pdf ${index}`) },
      };
    default:
      return {
        action: 'email.sent',
        actor: { type: 'system', id: 'mailer' },
        personId,
        consentId,
        data: { mailId: randomUUID(), kind: 'granted' },
      };
  }
}
