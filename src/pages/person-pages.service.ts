import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import MarkdownIt from 'markdown-it';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { DomainError } from 'src/common/errors/domain-error';
import { AppConfig } from 'src/config/app-config';
import { Consent } from 'src/consents/consent.entity';
import { ConsentChannel } from 'src/consents/consent-channel.entity';
import { ConsentMailComposers } from 'src/consents/consent-mail-composers';
import { ConsentsService, SignerFacts } from 'src/consents/consents.service';
import { Channel, isChannel } from 'src/consents/domain/consent-scope';
import { statusAt } from 'src/consents/domain/consent-state';
import { describeScope, formatDate } from 'src/consents/domain/scope-description';
import { evidenceFilename } from 'src/evidence/domain/evidence-format';
import { EvidenceDocument } from 'src/evidence/evidence-document.entity';
import { LinkToken } from 'src/link-tokens/link-token.entity';
import { LinkTokensService } from 'src/link-tokens/link-tokens.service';
import { MailService } from 'src/mail/mail.service';
import { isPlausibleEmail, normalizeEmail } from 'src/persons/domain/person-input';
import { Locale, Person } from 'src/persons/person.entity';
import { PageRenderer } from 'src/pages/page-renderer';
import { TemplateStore } from 'src/templating/template-store';

const DAY_MS = 86_400_000;
/** No raw HTML from the notice reaches the page; links in the text stay plain text. */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

/** Why a link cannot be used; the page shows it and nothing changes. */
export class LinkProblem extends Error {
  constructor(
    readonly problem: 'unknown' | 'expired' | 'used' | 'answered',
    readonly locale: Locale = 'fr',
  ) {
    super(problem);
  }
}

export interface SignForm {
  channels?: unknown;
  fullName?: unknown;
  read?: unknown;
}

export interface SignView {
  token: string;
  locale: Locale;
  purpose: string;
  noticeHtml: string;
  channels: { code: string; label: string; checked: boolean }[];
  mediaTypes: { code: string; label: string }[];
  territory: string;
  excludedUses: string[];
  validFrom: string;
  validUntil: string;
  duration: string;
}

/** What employees do through their emailed links, with no account. */
@Injectable()
export class PersonPagesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly links: LinkTokensService,
    private readonly consents: ConsentsService,
    private readonly composers: ConsentMailComposers,
    private readonly mail: MailService,
    private readonly audit: AuditLog,
    private readonly templates: TemplateStore,
    private readonly pages: PageRenderer,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Opens a sign link: records the first opening, lapses a request found past its deadline. */
  async openSignLink(token: string): Promise<SignView> {
    await this.recordLapse(token);
    return this.dataSource.transaction(async (em) => {
      const { link, consent } = await this.signTarget(em, token);
      if (await this.links.markOpened(em, link)) {
        await this.audit.append(em, {
          action: 'consent.link_opened',
          actor: { type: 'person', id: consent.personId },
          personId: consent.personId,
          consentId: consent.id,
        });
      }
      return this.signView(token, consent, []);
    });
  }

  signView(token: string, consent: Consent, ticked: string[]): SignView {
    const scope = describeScope(consent, consent.locale, this.templates.labelsFor(consent.locale));
    return {
      token,
      locale: consent.locale,
      purpose: consent.purpose,
      noticeHtml: markdown.render(consent.noticeText),
      ...scope,
      channels: scope.channels.map((c) => ({ ...c, checked: ticked.includes(c.code) })),
    };
  }

  /** Validates the answer; returns the problems to show, in the person's language, if any. */
  async accept(token: string, form: SignForm, signer: SignerFacts): Promise<{ manageToken: string; consentId: string }> {
    await this.recordLapse(token);
    return this.dataSource.transaction(async (em) => {
      const { link, consent } = await this.signTarget(em, token, { lock: true });
      const person = await em.findOneByOrFail(Person, { id: consent.personId });
      const ticked = listOf(form.channels).filter((c): c is Channel => isChannel(c) && consent.channels.includes(c));
      const typedName = typeof form.fullName === 'string' ? form.fullName.trim().replace(/\s+/g, ' ') : '';
      const t = this.pages.stringsFor(consent.locale).sign;
      const problems: string[] = [];
      if (ticked.length === 0) problems.push(t.errorNoChannel);
      if (comparableName(typedName) !== comparableName(person.fullName)) problems.push(t.errorName.replace('{name}', person.fullName));
      if (form.read !== 'yes') problems.push(t.errorRead);
      if (problems.length > 0) throw new SignFormInvalid(problems, this.signView(token, consent, ticked), typedName, form.read === 'yes');

      if (!(await this.links.markUsed(em, link))) throw new LinkProblem('answered', consent.locale);
      await this.consents.grantByLink(em, consent, { accepted: ticked, signerName: typedName }, signer);
      const manageToken = await this.issueManageToken(em, consent.personId);
      return { manageToken, consentId: consent.id };
    });
  }

  async decline(token: string): Promise<Locale> {
    await this.recordLapse(token);
    return this.dataSource.transaction(async (em) => {
      const { link, consent } = await this.signTarget(em, token, { lock: true });
      if (!(await this.links.markUsed(em, link))) throw new LinkProblem('answered', consent.locale);
      await this.consents.decline(em, consent);
      return consent.locale;
    });
  }

  async manageView(token: string): Promise<{ person: Person; consents: ManagedConsent[] }> {
    const link = await this.manageLink(token);
    const person = await this.dataSource.getRepository(Person).findOneByOrFail({ id: link.personId });
    const consents = await this.dataSource.getRepository(Consent).find({
      where: { personId: person.id },
      order: { requestedAt: 'DESC' },
    });
    const rows = consents.length
      ? await this.dataSource.getRepository(ConsentChannel).findBy({ consentId: In(consents.map((c) => c.id)) })
      : [];
    const documents = consents.length
      ? await this.dataSource.getRepository(EvidenceDocument).find({
          where: { consentId: In(consents.map((c) => c.id)) },
          select: { id: true, consentId: true, kind: true, createdAt: true },
          order: { createdAt: 'ASC', id: 'ASC' },
        })
      : [];
    const now = this.clock.now();
    const locale = person.locale;
    const labels = this.templates.labelsFor(locale);
    const base = `/m/${token}/consents`;
    const documentLabels = this.pages.stringsFor(locale).manage;
    return {
      person,
      consents: consents
        .map((consent) => ({ consent, status: statusAt(consent, now) }))
        .filter(({ status }) => status !== 'pending' && status !== 'lapsed')
        .map(({ consent, status }) => {
          const granted = status === 'granted';
          const channels = rows.filter((r) => r.consentId === consent.id);
          const active = channels.filter((r) => r.decision === 'accepted' && !r.withdrawnAt);
          return {
            id: consent.id,
            purpose: consent.purpose,
            status,
            statusLabel: labels.statuses[status] ?? status,
            validFrom: formatDate(consent.validFrom, locale),
            validUntil: formatDate(new Date(consent.validUntil.getTime() - 1), locale),
            channels: channels.map((r) => ({
              label: labels.channels[r.channel] ?? r.channel,
              decisionLabel: labels.decisions[r.withdrawnAt ? 'withdrawn' : r.decision] ?? r.decision,
              withdrawUrl: granted && active.includes(r) && active.length > 1 ? `${base}/${consent.id}/withdraw?channel=${r.channel}` : null,
            })),
            withdrawAllUrl: granted && active.length > 0 ? `${base}/${consent.id}/withdraw` : null,
            documents: documents
              .filter((d) => d.consentId === consent.id)
              .map((d) => ({
                url: `${base}/${consent.id}/documents/${d.id}.pdf`,
                label:
                  d.kind === 'withdrawal'
                    ? `${documentLabels.receipt} (${formatDate(d.createdAt, locale)})`
                    : documentLabels.evidence,
                kind: d.kind,
              })),
          };
        }),
    };
  }

  /** The consent a manage link may act on: only its own person's. */
  async managedConsent(token: string, consentId: string): Promise<{ consent: Consent; locale: Locale }> {
    const link = await this.manageLink(token);
    const consent = await this.dataSource.getRepository(Consent).findOneBy({ id: consentId });
    const person = await this.dataSource.getRepository(Person).findOneByOrFail({ id: link.personId });
    if (!consent || consent.personId !== link.personId) throw new LinkProblem('unknown', person.locale);
    return { consent, locale: person.locale };
  }

  /** A sealed PDF of one of the person's own consents. */
  async managedDocument(token: string, consentId: string, documentId: string): Promise<{ pdf: Buffer; filename: string }> {
    const { consent, locale } = await this.managedConsent(token, consentId);
    const document = await this.dataSource.getRepository(EvidenceDocument).findOne({
      where: { id: documentId, consentId: consent.id },
      select: { id: true, kind: true, pdf: true, createdAt: true },
    });
    if (!document) throw new LinkProblem('unknown', locale);
    return { pdf: document.pdf, filename: evidenceFilename(document.kind, consent.locale, document.createdAt, consent.id) };
  }

  async withdraw(token: string, consentId: string, channel: string | undefined): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const link = await this.manageLink(token, em);
      const consent = await this.consents.lockConsent(em, consentId);
      if (consent.personId !== link.personId) throw new LinkProblem('unknown');
      if (channel !== undefined && !isChannel(channel)) throw new LinkProblem('unknown');
      const actor: AuditActor = { type: 'person', id: consent.personId };
      await this.consents.withdraw(em, consent, {
        channels: channel ? [channel] : undefined,
        via: 'link',
        reason: null,
        actor,
        recordedByKeyId: null,
      });
    });
  }

  /** Same answer whether or not the address is known, so the page reveals nobody. */
  async sendManageLink(email: string): Promise<void> {
    const normalized = normalizeEmail(email);
    if (!isPlausibleEmail(normalized)) throw new DomainError('VALIDATION_FAILED', 'email');
    await this.dataSource.transaction(async (em) => {
      const person = await em.findOneBy(Person, { email: normalized });
      if (!person) return;
      await this.mail.queue(em, { kind: 'manage-link', personId: person.id }, { type: 'person', id: person.id });
    });
  }

  manageUrl(token: string): string {
    return `${this.config.publicBaseUrl}/m/${token}`;
  }

  /** A request found past its deadline is recorded as lapsed (its own transaction, so it commits). */
  private async recordLapse(token: string): Promise<void> {
    const lookup = await this.links.lookup(token, 'sign');
    if (lookup.state === 'unknown' || !lookup.link.consentId) return;
    const consentId = lookup.link.consentId;
    await this.dataSource.transaction(async (em) => {
      const consent = await em.findOne(Consent, { where: { id: consentId }, lock: { mode: 'pessimistic_write' } });
      if (consent) await this.consents.lapseIfDue(em, consent);
    });
  }

  private async issueManageToken(em: EntityManager, personId: string): Promise<string> {
    return this.links.issue(em, {
      purpose: 'manage',
      personId,
      expiresAt: new Date(this.clock.now().getTime() + this.config.manageLinkDays * DAY_MS),
    });
  }

  private async manageLink(token: string, em: EntityManager = this.dataSource.manager): Promise<LinkToken> {
    const lookup = await this.links.lookup(token, 'manage', em);
    if (lookup.state === 'unknown') throw new LinkProblem('unknown');
    const person = await em.findOneByOrFail(Person, { id: lookup.link.personId });
    if (lookup.state !== 'valid') throw new LinkProblem(lookup.state, person.locale);
    return lookup.link;
  }

  private async signTarget(em: EntityManager, token: string, { lock = false } = {}): Promise<{ link: LinkToken; consent: Consent }> {
    const lookup = await this.links.lookup(token, 'sign', em);
    if (lookup.state === 'unknown' || !lookup.link.consentId) throw new LinkProblem('unknown');
    const consent = lock
      ? await this.consents.lockConsent(em, lookup.link.consentId)
      : await em.findOneByOrFail(Consent, { id: lookup.link.consentId });
    if (lookup.state === 'used') throw new LinkProblem('used', consent.locale);
    if (statusAt(consent, this.clock.now()) === 'lapsed') throw new LinkProblem('expired', consent.locale);
    if (consent.status !== 'pending') throw new LinkProblem('answered', consent.locale);
    if (lookup.state === 'expired') throw new LinkProblem('expired', consent.locale);
    return { link: lookup.link, consent };
  }
}

export class SignFormInvalid extends Error {
  constructor(
    readonly problems: string[],
    readonly view: SignView,
    readonly fullName: string,
    readonly read: boolean,
  ) {
    super('sign form invalid');
  }
}

export interface ManagedConsent {
  id: string;
  purpose: string;
  status: string;
  statusLabel: string;
  validFrom: string;
  validUntil: string;
  channels: { label: string; decisionLabel: string; withdrawUrl: string | null }[];
  withdrawAllUrl: string | null;
  documents: { url: string; label: string; kind: EvidenceDocument['kind'] }[];
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Typed signatures are compared without case, accents or extra spaces. */
export function comparableName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
