import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from 'src/common/clock/clock';
import { AppConfig } from 'src/config/app-config';
import { Consent } from 'src/consents/consent.entity';
import { ConsentChannel } from 'src/consents/consent-channel.entity';
import { ConsentWithdrawal } from 'src/consents/consent-withdrawal.entity';
import { describeScope, formatDate } from 'src/consents/domain/scope-description';
import { LinkTokensService } from 'src/link-tokens/link-tokens.service';
import { Mail } from 'src/mail/mail.entity';
import { ComposedMail, MailService } from 'src/mail/mail.service';
import { Person } from 'src/persons/person.entity';
import { TemplateStore } from 'src/templating/template-store';

const DAY_MS = 86_400_000;

/** Files a later feature (evidence) attaches to a consent mail; an empty list for none. */
export type MailAttachmentSource = (em: EntityManager, mail: Mail) => Promise<NonNullable<ComposedMail['attachments']>>;

/** Builds the consent emails when they are sent; each carries a fresh personal manage link. */
@Injectable()
export class ConsentMailComposers implements OnModuleInit {
  private readonly attachmentSources: MailAttachmentSource[] = [];

  constructor(
    private readonly mail: MailService,
    private readonly links: LinkTokensService,
    private readonly templates: TemplateStore,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.mail.registerComposer('sign-request', (em, mail) => this.signRequest(em, mail));
    this.mail.registerComposer('granted', async (em, mail) => this.withAttachments(em, mail, await this.granted(em, mail)));
    this.mail.registerComposer('declined', (em, mail) => this.withConsent(em, mail, () => ({})));
    this.mail.registerComposer('withdrawn', async (em, mail) => this.withAttachments(em, mail, await this.withdrawn(em, mail)));
    this.mail.registerComposer('manage-link', (em, mail) => this.base(em, mail));
    this.mail.registerComposer('renewal-request', (em, mail) => this.renewalRequest(em, mail));
    this.mail.registerComposer('expiry-notice', (em, mail) => this.withConsent(em, mail, () => ({})));
  }

  /** Lets a later feature attach files to the granted and withdrawn mails, without this module depending on it. */
  addAttachments(source: MailAttachmentSource): void {
    this.attachmentSources.push(source);
  }

  private async withAttachments(em: EntityManager, mail: Mail, composed: ComposedMail): Promise<ComposedMail> {
    const attachments = [...(composed.attachments ?? [])];
    for (const source of this.attachmentSources) attachments.push(...(await source(em, mail)));
    return attachments.length > 0 ? { ...composed, attachments } : composed;
  }

  /** A manage link for this person, valid MANAGE_LINK_DAYS. */
  async manageUrl(em: EntityManager, personId: string): Promise<string> {
    const token = await this.links.issue(em, {
      purpose: 'manage',
      personId,
      expiresAt: new Date(this.clock.now().getTime() + this.config.manageLinkDays * DAY_MS),
    });
    return `${this.config.publicBaseUrl}/m/${token}`;
  }

  private async base(em: EntityManager, mail: Mail, locale?: Person['locale']): Promise<ComposedMail & { person: Person }> {
    const person = await em.findOneByOrFail(Person, { id: mail.personId ?? '' });
    return {
      person,
      to: person.email,
      locale: locale ?? person.locale,
      variables: {
        org: { name: this.config.orgName },
        person: { fullName: person.fullName },
        manageUrl: await this.manageUrl(em, person.id),
        meUrl: `${this.config.publicBaseUrl}/me`,
      },
    };
  }

  private async withConsent(
    em: EntityManager,
    mail: Mail,
    extra: (consent: Consent, labels: ReturnType<TemplateStore['labelsFor']>) => Record<string, unknown> | Promise<Record<string, unknown>>,
  ): Promise<ComposedMail> {
    const consent = await em.findOneByOrFail(Consent, { id: mail.consentId ?? '' });
    const composed = await this.base(em, mail, consent.locale);
    const labels = this.templates.labelsFor(consent.locale);
    composed.variables = {
      ...composed.variables,
      purpose: consent.purpose,
      ...describeScope(consent, consent.locale, labels),
      ...(await extra(consent, labels)),
    };
    return composed;
  }

  /** The renewal is a pending consent of its own; the mail speaks of the one it would renew. */
  private async renewalRequest(em: EntityManager, mail: Mail): Promise<ComposedMail> {
    return this.withConsent(em, mail, async (renewal) => {
      const previous = await em.findOneByOrFail(Consent, { id: renewal.previousConsentId ?? '' });
      const token = await this.links.issue(em, {
        purpose: 'sign',
        personId: renewal.personId,
        consentId: renewal.id,
        expiresAt: renewal.signDeadline,
      });
      return {
        renewUrl: `${this.config.publicBaseUrl}/s/${token}`,
        validUntil: formatDate(new Date(previous.validUntil.getTime() - 1), renewal.locale),
        newValidFrom: formatDate(renewal.validFrom, renewal.locale),
        newValidUntil: formatDate(new Date(renewal.validUntil.getTime() - 1), renewal.locale),
      };
    });
  }

  private async signRequest(em: EntityManager, mail: Mail): Promise<ComposedMail> {
    return this.withConsent(em, mail, async (consent) => {
      const token = await this.links.issue(em, {
        purpose: 'sign',
        personId: consent.personId,
        consentId: consent.id,
        expiresAt: consent.signDeadline,
      });
      return {
        signUrl: `${this.config.publicBaseUrl}/s/${token}`,
        signDeadline: formatDate(new Date(consent.signDeadline.getTime() - 1), consent.locale),
      };
    });
  }

  private async granted(em: EntityManager, mail: Mail): Promise<ComposedMail> {
    return this.withConsent(em, mail, async (consent, labels) => {
      const rows = await em.findBy(ConsentChannel, { consentId: consent.id });
      const label = (row: ConsentChannel) => ({ code: row.channel, label: labels.channels[row.channel] ?? row.channel });
      return {
        acceptedChannels: rows.filter((r) => r.decision === 'accepted').map(label),
        refusedChannels: rows.filter((r) => r.decision === 'refused').map(label),
      };
    });
  }

  private async withdrawn(em: EntityManager, mail: Mail): Promise<ComposedMail> {
    return this.withConsent(em, mail, async (_consent, labels) => {
      const withdrawal = await em.findOneByOrFail(ConsentWithdrawal, { id: mail.withdrawalId ?? '' });
      return {
        allChannels: withdrawal.wholeConsent,
        withdrawnChannels: withdrawal.channels.map((code) => ({ code, label: labels.channels[code] ?? code })),
      };
    });
  }
}
