import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { Mail } from 'src/mail/mail.entity';
import { MailService, mailJobId } from 'src/mail/mail.service';
import { MailTransport } from 'src/mail/mail-transport';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { TemplateStore } from 'src/templating/template-store';

const SYSTEM = { type: 'system', id: 'mailer' } as const;

/** Sends one queued mail: compose, render, hand to the transport, record the outcome. */
@Injectable()
export class MailSender {
  private readonly logger = new Logger('Mail');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mails: MailService,
    private readonly transport: MailTransport,
    private readonly templates: TemplateStore,
    private readonly audit: AuditLog,
    private readonly outbox: JobOutbox,
    private readonly clock: Clock,
  ) {}

  /** `finalAttempt`: on failure the mail becomes `failed` instead of waiting for a retry. */
  async send(mailId: string, finalAttempt: boolean): Promise<void> {
    const mail = await this.dataSource.getRepository(Mail).findOneBy({ id: mailId });
    if (!mail || mail.status === 'sent') {
      await this.outbox.markDone(mailJobId(mailId));
      return;
    }
    try {
      const composed = await this.dataSource.transaction((em) => this.mails.composerFor(mail.kind)(em, mail));
      const base = `emails/${mail.kind}/${composed.locale}`;
      const subject = this.templates.render(`${base}.subject.hbs`, composed.variables, { escape: false }).trim();
      const text = this.templates.render(`${base}.text.hbs`, composed.variables, { escape: false });
      const body = this.templates.render(`${base}.html.hbs`, composed.variables);
      const html = this.templates.render('emails/layout.html.hbs', { ...composed.variables, lang: composed.locale, body });
      const stem = `${this.clock.now().toISOString().replace(/[:.]/g, '-')}-${mail.kind}-${mail.id}`;
      // Quoted-printable wraps per CRLF line: with bare LF it wraps whole paragraphs, cutting links in two.
      const crlf = (body: string) => body.replace(/\r?\n/g, '\r\n');
      await this.transport.send({ to: composed.to, subject, text: crlf(text), html: crlf(html), attachments: composed.attachments }, stem);

      await this.dataSource.transaction(async (em) => {
        await em.update(Mail, { id: mail.id }, { status: 'sent', sentTo: composed.to, sentAt: this.clock.now(), attempts: mail.attempts + 1, lastError: null });
        await this.audit.append(em, {
          action: 'email.sent',
          actor: SYSTEM,
          personId: mail.personId ?? undefined,
          consentId: mail.consentId ?? undefined,
          data: { mailId: mail.id, kind: mail.kind },
        });
      });
      await this.outbox.markDone(mailJobId(mail.id));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.dataSource.transaction(async (em) => {
        await em.update(Mail, { id: mail.id }, { attempts: () => 'attempts + 1', lastError: message.slice(0, 500), ...(finalAttempt ? { status: 'failed' as const } : {}) });
        if (finalAttempt) {
          await this.audit.append(em, {
            action: 'email.failed',
            actor: SYSTEM,
            personId: mail.personId ?? undefined,
            consentId: mail.consentId ?? undefined,
            data: { mailId: mail.id, kind: mail.kind },
          });
        }
      });
      if (finalAttempt) await this.outbox.markDone(mailJobId(mail.id));
      this.logger.warn({ mailId: mail.id, kind: mail.kind, finalAttempt }, 'mail not sent');
      throw error;
    }
  }
}
