import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from 'src/config/app-config';
import { DISPLAY_TIME_ZONE } from 'src/consents/domain/scope-description';
import { Mail } from 'src/mail/mail.entity';
import { ComposedMail, MailService } from 'src/mail/mail.service';
import { TemplateStore } from 'src/templating/template-store';

/** Staff mails are written in the organisation's language. */
const STAFF_LOCALE = 'fr';
/** A mail lists this many; the rest is in GET /v1/takedowns. */
const LISTED = 200;

interface Row {
  title: string;
  external_ref: string;
  channel: string;
  location: string;
  due_at: Date;
}

/**
 * The takedown notice to MARKETING_NOTIFY_EMAILS: what to take down where, by when. It says the
 * consent no longer covers the use, never whose consent or why.
 */
@Injectable()
export class TakedownNoticeComposer implements OnModuleInit {
  constructor(
    private readonly mail: MailService,
    private readonly templates: TemplateStore,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.mail.registerComposer('takedown-notice', (em, mail) => this.compose(em, mail));
  }

  private async compose(em: EntityManager, mail: Mail): Promise<ComposedMail> {
    const ids = (mail.subject?.takedownIds as string[] | undefined) ?? [];
    const rows = ids.length
      ? await em.query<Row[]>(
          `SELECT a.title, a.external_ref, t.channel, p.location, t.due_at
           FROM takedowns t JOIN publications p ON p.id = t.publication_id JOIN assets a ON a.id = t.asset_id
           WHERE t.id = ANY($1::uuid[])
           ORDER BY t.due_at, a.title, t.channel
           LIMIT ${LISTED}`,
          [ids],
        )
      : [];
    const labels = this.templates.labelsFor(STAFF_LOCALE);
    const dueFormat = new Intl.DateTimeFormat(STAFF_LOCALE, {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone: DISPLAY_TIME_ZONE,
    });
    return {
      to: mail.recipient ?? '',
      locale: STAFF_LOCALE,
      variables: {
        org: { name: this.config.orgName },
        count: ids.length,
        items: rows.map((row) => ({
          title: row.title,
          externalRef: row.external_ref,
          channel: labels.channels[row.channel] ?? row.channel,
          location: row.location,
          dueAt: dueFormat.format(row.due_at),
        })),
        more: Math.max(0, ids.length - rows.length),
        listUrl: `${this.config.publicBaseUrl}/v1/takedowns?status=open`,
      },
    };
  }
}
