import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditActor } from 'src/audit/audit-log.service';
import { parseAuditEvent } from 'src/audit/domain/audit-event';
import type { Consent } from 'src/consents/consent.entity';
import { ConsentChannel } from 'src/consents/consent-channel.entity';
import type { AuditReference, ConsentFacts, PersonFacts } from 'src/evidence/domain/evidence-facts';
import { Mail } from 'src/mail/mail.entity';
import { Person } from 'src/persons/person.entity';

/** An audit event of the consent, with what the evidence reads from its hashed bytes. */
export interface AuditEntry extends AuditReference {
  actor: AuditActor;
  data: Record<string, unknown>;
}

interface AuditRow {
  seq: string;
  action: string;
  occurred_at: Date;
  leaf_hash: Buffer;
  canonical: Buffer;
}

/** Reads, inside the caller's transaction, what an evidence document states. */
@Injectable()
export class EvidenceFactsReader {
  async consent(em: EntityManager, consent: Consent): Promise<ConsentFacts> {
    const decisions = await em.findBy(ConsentChannel, { consentId: consent.id });
    const decided = (value: 'accepted' | 'refused') =>
      consent.channels.filter((channel) =>
        decisions.some((d) => d.channel === channel && d.decision === value),
      );
    return {
      id: consent.id,
      locale: consent.locale,
      purpose: consent.purpose,
      channels: consent.channels,
      accepted: decided('accepted'),
      refused: decided('refused'),
      mediaTypes: consent.mediaTypes,
      territory: consent.territory,
      excludedUses: consent.excludedUses,
      validFrom: consent.validFrom,
      validUntil: consent.validUntil,
      coversAfterEmployment: consent.coversAfterEmployment,
      templateKey: consent.templateKey,
      templateVersion: consent.templateVersion,
      noticeText: consent.noticeText,
      noticeSha256: consent.noticeSha256,
      requestedAt: consent.requestedAt,
    };
  }

  async person(em: EntityManager, personId: string): Promise<PersonFacts> {
    const person = await em.findOneByOrFail(Person, { id: personId });
    return { id: person.id, fullName: person.fullName, email: person.email };
  }

  /** Every audit event of the consent so far, including those of this transaction. */
  async events(em: EntityManager, consentId: string): Promise<AuditEntry[]> {
    const rows = await em.query<AuditRow[]>(
      'SELECT seq, action, occurred_at, leaf_hash, canonical FROM audit_events WHERE consent_id = $1 ORDER BY seq',
      [consentId],
    );
    return rows.map((row) => {
      const record = parseAuditEvent(row.canonical);
      const mailKind = row.action.startsWith('email.') ? record.data.kind : undefined;
      return {
        seq: Number(row.seq),
        action: row.action,
        occurredAt: row.occurred_at,
        leafHash: row.leaf_hash.toString('hex'),
        ...(typeof mailKind === 'string' ? { mailKind } : {}),
        actor: record.actor,
        data: record.data,
      };
    });
  }

  /** The address the latest sign link for this consent was delivered to. */
  async signLinkSentTo(em: EntityManager, consentId: string): Promise<string | null> {
    const mail = await em.findOne(Mail, {
      where: { consentId, kind: 'sign-request', status: 'sent' },
      order: { sentAt: 'DESC' },
    });
    return mail?.sentTo ?? null;
  }
}
