import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { Mail, MailKind } from 'src/mail/mail.entity';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { MailJob, QueueName } from 'src/queue/queue-names';
import type { Locale } from 'src/persons/person.entity';

export interface ComposedMail {
  to: string;
  locale: Locale;
  /** Variables for templates/emails/<kind>/<locale>.*.hbs (and the layout). */
  variables: Record<string, unknown>;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

/** Builds one kind of mail at sending time (issuing any link secret it carries) inside `em`. */
export type MailComposer = (em: EntityManager, mail: Mail) => Promise<ComposedMail>;

@Injectable()
export class MailService {
  private readonly composers = new Map<MailKind, MailComposer>();

  constructor(
    private readonly outbox: JobOutbox,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  registerComposer(kind: MailKind, composer: MailComposer): void {
    this.composers.set(kind, composer);
  }

  composerFor(kind: MailKind): MailComposer {
    const composer = this.composers.get(kind);
    if (!composer) throw new Error(`no composer registered for ${kind} mails`);
    return composer;
  }

  /** Queues a mail inside the caller's transaction: it is sent only if the change commits. */
  async queue(
    em: EntityManager,
    mail: { kind: MailKind; consentId?: string; withdrawalId?: string; subject?: Record<string, string | number | string[]> } & (
      | { personId: string; recipient?: undefined }
      | { recipient: string; personId?: undefined }
    ),
    actor: AuditActor,
  ): Promise<Mail> {
    const row = em.create(Mail, {
      id: randomUUID(),
      kind: mail.kind,
      personId: mail.personId ?? null,
      recipient: mail.recipient ?? null,
      subject: mail.subject ?? null,
      consentId: mail.consentId ?? null,
      withdrawalId: mail.withdrawalId ?? null,
      status: 'queued',
      attempts: 0,
      lastError: null,
      sentTo: null,
      createdAt: this.clock.now(),
      sentAt: null,
    });
    await em.insert(Mail, row);
    await this.outbox.enqueue(em, { queue: QueueName.Mail, name: MailJob.Send, jobId: mailJobId(row.id), payload: { mailId: row.id } });
    await this.audit.append(em, {
      action: 'email.queued',
      actor,
      personId: row.personId ?? undefined,
      consentId: row.consentId ?? undefined,
      data: { mailId: row.id, kind: row.kind },
    });
    return row;
  }
}

export function mailJobId(mailId: string): string {
  return `mail-${mailId}`;
}
