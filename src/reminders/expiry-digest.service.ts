import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Clock } from 'src/common/clock/clock';
import { AppConfig } from 'src/config/app-config';
import { Consent } from 'src/consents/consent.entity';
import { ConsentChannel } from 'src/consents/consent-channel.entity';
import { formatDate } from 'src/consents/domain/scope-description';
import { Mail } from 'src/mail/mail.entity';
import { ComposedMail, MailService } from 'src/mail/mail.service';
import { Person } from 'src/persons/person.entity';
import { TemplateStore } from 'src/templating/template-store';

const DIGEST_DAYS = 30;
const DAY_MS = 86_400_000;
/** HR mails are written in the organisation's language. */
const STAFF_LOCALE = 'fr';

/** One mail a day to each HR_NOTIFY_EMAILS address listing the consents that end within 30 days. */
@Injectable()
export class ExpiryDigestService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mail: MailService,
    private readonly templates: TemplateStore,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.mail.registerComposer('expiry-digest', (em, mail) => this.compose(em, mail));
  }

  /** Queues today's digest for each HR address, once a day whatever the number of calls. */
  async queueDigests(): Promise<number> {
    const recipients = this.config.hrNotifyEmails;
    if (recipients.length === 0) return 0;
    const now = this.clock.now();
    const day = now.toISOString().slice(0, 10);
    const expiring = await this.expiring(this.dataSource.manager, now);
    if (expiring.length === 0) return 0;
    let queued = 0;
    await this.dataSource.transaction(async (em) => {
      // One digest a day even with several instances: the advisory lock serialises them.
      await em.query("SELECT pg_advisory_xact_lock(hashtext('expiry-digest'))");
      for (const recipient of recipients) {
        const sent = await em
          .createQueryBuilder(Mail, 'm')
          .where("m.kind = 'expiry-digest' AND m.recipient = :recipient AND m.subject ->> 'day' = :day", { recipient, day })
          .getExists();
        if (sent) continue;
        await this.mail.queue(em, { kind: 'expiry-digest', recipient, subject: { day, consentIds: expiring.map((c) => c.id) } }, { type: 'system', id: 'scheduler' });
        queued += 1;
      }
    });
    return queued;
  }

  private expiring(em: EntityManager, now: Date): Promise<Consent[]> {
    return em
      .createQueryBuilder(Consent, 'c')
      .where("c.status = 'granted' AND c.valid_until > :now AND c.valid_until <= :until", { now, until: new Date(now.getTime() + DIGEST_DAYS * DAY_MS) })
      .orderBy('c.valid_until', 'ASC')
      .getMany();
  }

  private async compose(em: EntityManager, mail: Mail): Promise<ComposedMail> {
    const ids = (mail.subject?.consentIds as string[] | undefined) ?? [];
    const consents = ids.length ? await em.find(Consent, { where: { id: In(ids) }, order: { validUntil: 'ASC' } }) : [];
    const persons = new Map((consents.length ? await em.findBy(Person, { id: In(consents.map((c) => c.personId)) }) : []).map((p) => [p.id, p]));
    const channels = consents.length ? await em.findBy(ConsentChannel, { consentId: In(ids) }) : [];
    const renewals = consents.length ? await em.findBy(Consent, { previousConsentId: In(ids) }) : [];
    const labels = this.templates.labelsFor(STAFF_LOCALE);
    const now = this.clock.now();
    return {
      to: mail.recipient ?? '',
      locale: STAFF_LOCALE,
      variables: {
        org: { name: this.config.orgName },
        count: consents.length,
        until: formatDate(new Date(now.getTime() + DIGEST_DAYS * DAY_MS), STAFF_LOCALE),
        registerUrl: `${this.config.publicBaseUrl}/docs#/consents`,
        items: consents.map((c) => {
          const renewal = renewals.filter((r) => r.previousConsentId === c.id).sort((a, b) => +b.requestedAt - +a.requestedAt)[0];
          return {
            fullName: persons.get(c.personId)?.fullName ?? c.personId,
            purpose: c.purpose,
            validUntil: formatDate(new Date(c.validUntil.getTime() - 1), STAFF_LOCALE),
            channels: channels
              .filter((ch) => ch.consentId === c.id && ch.decision === 'accepted' && !ch.withdrawnAt)
              .map((ch) => ({ label: labels.channels[ch.channel] ?? ch.channel })),
            renewal: renewal ? (labels.statuses[renewal.status] ?? renewal.status) : '—',
          };
        }),
      },
    };
  }
}
