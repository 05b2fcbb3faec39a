import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound, ValidationFailed } from 'src/common/errors/domain-error';
import { AppConfig } from 'src/config/app-config';
import { Consent } from 'src/consents/consent.entity';
import { ChannelDecision, ConsentChannel, WithdrawalChannel } from 'src/consents/consent-channel.entity';
import { ConsentHooks } from 'src/consents/consent-hooks';
import { ConsentWithdrawal } from 'src/consents/consent-withdrawal.entity';
import { Channel, latestValidUntil, WORLDWIDE } from 'src/consents/domain/consent-scope';
import { canMove, ConsentStatus, statusAt } from 'src/consents/domain/consent-state';
import { CreateConsentDto } from 'src/consents/dto/create-consent.dto';
import { NoticeRenderer } from 'src/consents/notice-renderer';
import { PaperScan } from 'src/consents/paper-scan.entity';
import { MailService } from 'src/mail/mail.service';
import { Person } from 'src/persons/person.entity';
import { PersonsService } from 'src/persons/persons.service';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { ConsentJob, QueueName } from 'src/queue/queue-names';

const DAY_MS = 86_400_000;

export interface SignerFacts {
  ip: string | null;
  userAgent: string | null;
}

/** Every consent state change goes through here, so every path writes the same audit events. */
@Injectable()
export class ConsentsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly persons: PersonsService,
    private readonly notices: NoticeRenderer,
    private readonly mail: MailService,
    private readonly audit: AuditLog,
    private readonly outbox: JobOutbox,
    private readonly hooks: ConsentHooks,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.persons.onEmploymentEnded((em, person, actor) => this.applyEmploymentEnd(em, person.id, actor));
  }

  async request(input: CreateConsentDto, actor: AuditActor, requestedByKeyId: string | null): Promise<Consent> {
    const validFrom = new Date(input.validFrom);
    const validUntil = new Date(input.validUntil);
    if (validUntil <= validFrom) throw ValidationFailed.field('validUntil', 'validUntil must be after validFrom');
    if (validUntil > latestValidUntil(validFrom, this.config.consentMaxMonths)) {
      throw ValidationFailed.field(
        'validUntil',
        `validUntil must be at most ${this.config.consentMaxMonths} months after validFrom: no endless consent`,
      );
    }
    const territory = input.territory ?? [WORLDWIDE];
    if (territory.includes(WORLDWIDE) && territory.length > 1) {
      throw ValidationFailed.field('territory', 'territory is either "worldwide" or a list of countries, not both');
    }
    if (input.force && !input.justification) {
      throw ValidationFailed.field('justification', 'justification is required with force: say why asking again is not pressure');
    }

    return this.dataSource.transaction(async (em) => {
      const person = await this.persons.get(input.personId, em);
      const now = this.clock.now();
      const declinedAt = await this.recentRefusal(em, person.id, now);
      if (declinedAt && !input.force) {
        throw new DomainError(
          'CONSENT_RECENTLY_DECLINED',
          `The person declined a request on ${declinedAt.toISOString().slice(0, 10)}; asking again within ${this.config.reaskCooldownDays} days needs force and a justification`,
          { declinedAt: declinedAt.toISOString(), cooldownDays: this.config.reaskCooldownDays },
        );
      }

      return this.createRequest(em, person, {
        purpose: input.purpose,
        scope: {
          channels: input.channels,
          mediaTypes: input.mediaTypes,
          territory,
          excludedUses: (input.excludedUses ?? []).map((use) => use.trim()),
          validFrom,
          validUntil,
        },
        coversAfterEmployment: input.coversAfterEmployment ?? false,
        templateKey: input.templateKey ?? 'image-rights',
        locale: input.locale ?? person.locale,
        previousConsentId: null,
        forceJustification: declinedAt ? (input.justification ?? null) : null,
        requestedByKeyId,
        actor,
        mailKind: 'sign-request',
      });
    });
  }

  /**
   * Asks for the renewal of a granted consent: same scope, a new period of the same length
   * starting when it ends. A renewal already pending is reused, so reminders never multiply requests.
   */
  async requestRenewal(em: EntityManager, previous: Consent, period: { validFrom: Date; validUntil: Date }, actor: AuditActor): Promise<Consent> {
    const pending = await em
      .createQueryBuilder(Consent, 'c')
      .where("c.previous_consent_id = :id AND c.status = 'pending' AND c.sign_deadline > :now", { id: previous.id, now: this.clock.now() })
      .getOne();
    if (pending) {
      await this.mail.queue(em, { kind: 'renewal-request', personId: pending.personId, consentId: pending.id }, actor);
      return pending;
    }
    const person = await em.findOneByOrFail(Person, { id: previous.personId });
    return this.createRequest(em, person, {
      purpose: previous.purpose,
      scope: {
        channels: previous.channels,
        mediaTypes: previous.mediaTypes,
        territory: previous.territory,
        excludedUses: previous.excludedUses,
        ...period,
      },
      coversAfterEmployment: previous.coversAfterEmployment,
      templateKey: previous.templateKey,
      locale: previous.locale,
      previousConsentId: previous.id,
      forceJustification: null,
      requestedByKeyId: null,
      actor,
      mailKind: 'renewal-request',
    });
  }

  /**
   * At validUntil a granted consent ends: superseded when its renewal was signed (the renewal
   * starts at that very moment, so clearance has no gap), expired otherwise. False if it was not due.
   */
  async endAtValidUntil(em: EntityManager, consent: Consent, actor: AuditActor): Promise<'expired' | 'superseded' | false> {
    if (consent.status !== 'granted' || this.clock.now() < consent.validUntil) return false;
    const renewal = await em.findOneBy(Consent, { previousConsentId: consent.id, status: 'granted' });
    const to = renewal ? 'superseded' : 'expired';
    await this.end(em, consent, to, consent.validUntil, actor, renewal ? { reason: 'renewed', renewalId: renewal.id } : { reason: 'valid_until_reached' });
    return to;
  }

  private async createRequest(
    em: EntityManager,
    person: Person,
    request: {
      purpose: string;
      scope: { channels: Channel[]; mediaTypes: Consent['mediaTypes']; territory: string[]; excludedUses: string[]; validFrom: Date; validUntil: Date };
      coversAfterEmployment: boolean;
      templateKey: string;
      locale: Consent['locale'];
      previousConsentId: string | null;
      forceJustification: string | null;
      requestedByKeyId: string | null;
      actor: AuditActor;
      mailKind: 'sign-request' | 'renewal-request';
    },
  ): Promise<Consent> {
    const now = this.clock.now();
    const notice = this.notices.render(request.templateKey, request.locale, {
      personName: person.fullName,
      purpose: request.purpose,
      coversAfterEmployment: request.coversAfterEmployment,
      scope: request.scope,
    });
    const consent = em.create(Consent, {
      id: randomUUID(),
      personId: person.id,
      status: 'pending',
      purpose: request.purpose,
      ...request.scope,
      coversAfterEmployment: request.coversAfterEmployment,
      templateKey: notice.templateKey,
      templateVersion: notice.templateVersion,
      locale: request.locale,
      noticeText: notice.text,
      noticeSha256: notice.sha256,
      previousConsentId: request.previousConsentId,
      forceJustification: request.forceJustification,
      requestedByKeyId: request.requestedByKeyId,
      requestedAt: now,
      signDeadline: new Date(now.getTime() + this.config.signLinkDays * DAY_MS),
      answeredAt: null,
      method: null,
      signerName: null,
      signerIp: null,
      signerUserAgent: null,
      endedAt: null,
      endReason: null,
    });
    await em.insert(Consent, consent);
    await this.audit.append(em, {
      action: 'consent.requested',
      actor: request.actor,
      personId: person.id,
      consentId: consent.id,
      data: {
        channels: consent.channels,
        mediaTypes: consent.mediaTypes,
        templateKey: consent.templateKey,
        templateVersion: consent.templateVersion,
        locale: consent.locale,
        noticeSha256: consent.noticeSha256,
        validFrom: consent.validFrom.toISOString(),
        validUntil: consent.validUntil.toISOString(),
        forcedAfterRefusal: request.forceJustification !== null,
        ...(request.previousConsentId ? { renewalOf: request.previousConsentId } : {}),
      },
    });
    await this.mail.queue(em, { kind: request.mailKind, personId: person.id, consentId: consent.id }, request.actor);
    await this.outbox.enqueue(em, {
      queue: QueueName.Consents,
      name: ConsentJob.Lapse,
      jobId: `lapse-${consent.id}`,
      payload: { consentId: consent.id },
      runAt: consent.signDeadline,
    });
    return consent;
  }

  /** The person answers yes for some channels (at least one), from the sign page. */
  async grantByLink(
    em: EntityManager,
    consent: Consent,
    answer: { accepted: Channel[]; signerName: string },
    signer: SignerFacts,
  ): Promise<void> {
    await this.grant(em, consent, {
      accepted: answer.accepted,
      method: 'email_link',
      signerName: answer.signerName,
      signer,
      actor: { type: 'person', id: consent.personId },
    });
  }

  async decline(em: EntityManager, consent: Consent): Promise<void> {
    const now = this.clock.now();
    this.assertCanMove(consent, 'refused', now);
    consent.status = 'refused';
    consent.answeredAt = now;
    await em.save(consent);
    await em.insert(ConsentChannel, consent.channels.map((channel) => decision(consent.id, channel, 'refused', now)));
    const actor: AuditActor = { type: 'person', id: consent.personId };
    await this.audit.append(em, { action: 'consent.refused', actor, personId: consent.personId, consentId: consent.id });
    await this.hooks.emitRefused(em, { consent, actor });
    await this.mail.queue(em, { kind: 'declined', personId: consent.personId, consentId: consent.id }, actor);
  }

  async grantOnPaper(
    id: string,
    scan: { pdf: Buffer; sha256: string },
    accepted: Channel[],
    actor: AuditActor,
    uploadedByKeyId: string | null,
  ): Promise<Consent> {
    return this.dataSource.transaction(async (em) => {
      const consent = await this.lockConsent(em, id);
      await this.grant(em, consent, { accepted, method: 'paper', signerName: null, signer: { ip: null, userAgent: null }, actor, scanSha256: scan.sha256 });
      await em.insert(PaperScan, {
        consentId: consent.id,
        pdf: scan.pdf,
        sha256: scan.sha256,
        uploadedByKeyId,
        uploadedAt: this.clock.now(),
      });
      return consent;
    });
  }

  /**
   * Withdraws some accepted channels, or all (`channels` undefined). The last accepted channel
   * withdrawn ends the consent as `withdrawn`.
   */
  async withdraw(
    em: EntityManager,
    consent: Consent,
    request: { channels?: Channel[]; via: WithdrawalChannel; reason: string | null; actor: AuditActor; recordedByKeyId: string | null },
  ): Promise<ConsentWithdrawal> {
    const now = this.clock.now();
    const current = statusAt(consent, now);
    if (current !== 'granted') {
      throw new DomainError('CONSENT_NOT_GRANTED', `The consent is ${current}: there is nothing to withdraw`, { status: current });
    }
    const rows = await em.findBy(ConsentChannel, { consentId: consent.id });
    const active = rows.filter((row) => row.decision === 'accepted' && !row.withdrawnAt);
    const targets = request.channels ?? active.map((row) => row.channel);
    const notActive = targets.filter((channel) => !active.some((row) => row.channel === channel));
    if (notActive.length > 0) {
      throw new DomainError('CONSENT_NOT_GRANTED', `Not currently accepted on: ${notActive.join(', ')}`, {
        status: current,
        field: 'channels',
        channels: notActive,
        acceptedChannels: active.map((row) => row.channel),
      });
    }
    const whole = targets.length === active.length;
    const withdrawal = em.create(ConsentWithdrawal, {
      id: randomUUID(),
      consentId: consent.id,
      channels: targets,
      wholeConsent: whole,
      receivedVia: request.via,
      reason: request.reason,
      recordedByKeyId: request.recordedByKeyId,
      occurredAt: now,
    });
    await em.insert(ConsentWithdrawal, withdrawal);
    await em
      .createQueryBuilder()
      .update(ConsentChannel)
      .set({ withdrawnAt: now, withdrawalId: withdrawal.id })
      .where('consent_id = :id AND channel IN (:...targets)', { id: consent.id, targets })
      .execute();
    if (whole) {
      consent.status = 'withdrawn';
      consent.endedAt = now;
      consent.endReason = 'withdrawn';
      await em.save(consent);
    }
    await this.audit.append(em, {
      action: 'consent.withdrawn',
      actor: request.actor,
      personId: consent.personId,
      consentId: consent.id,
      data: { withdrawalId: withdrawal.id, channels: targets, wholeConsent: whole, receivedVia: request.via },
    });
    await this.hooks.emitCoverageEnded(em, { consent, channels: targets, at: now, cause: 'withdrawn', withdrawal, actor: request.actor });
    await this.mail.queue(
      em,
      { kind: 'withdrawn', personId: consent.personId, consentId: consent.id, withdrawalId: withdrawal.id },
      request.actor,
    );
    return withdrawal;
  }

  async withdrawForPerson(
    id: string,
    request: { channels?: Channel[]; via: WithdrawalChannel; reason: string | null; actor: AuditActor; recordedByKeyId: string | null },
  ): Promise<{ consent: Consent; withdrawal: ConsentWithdrawal }> {
    return this.dataSource.transaction(async (em) => {
      const consent = await this.lockConsent(em, id);
      const withdrawal = await this.withdraw(em, consent, request);
      return { consent, withdrawal };
    });
  }

  async revoke(id: string, reason: string, actor: AuditActor): Promise<Consent> {
    return this.dataSource.transaction(async (em) => {
      const consent = await this.lockConsent(em, id);
      await this.end(em, consent, 'revoked', this.clock.now(), actor, { reason: 'hr_revocation' });
      return consent;
    });
  }

  /** Job at the sign deadline: a request still unanswered lapses. */
  async lapseIfUnanswered(consentId: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const consent = await em.findOne(Consent, { where: { id: consentId }, lock: { mode: 'pessimistic_write' } });
      if (consent) await this.lapseIfDue(em, consent);
    });
  }

  /** Records the lapse of a pending request whose deadline passed; true when it did. */
  async lapseIfDue(em: EntityManager, consent: Consent): Promise<boolean> {
    if (consent.status !== 'pending' || this.clock.now() < consent.signDeadline) return false;
    consent.status = 'lapsed';
    consent.endedAt = consent.signDeadline;
    consent.endReason = 'sign_link_expired';
    await em.save(consent);
    await this.audit.append(em, {
      action: 'consent.lapsed',
      actor: { type: 'system', id: 'scheduler' },
      personId: consent.personId,
      consentId: consent.id,
    });
    return true;
  }

  /** Revokes, at the end of employment, the consents that do not cover use after it. */
  async applyEmploymentEnd(em: EntityManager, personId: string, actor: AuditActor): Promise<void> {
    const person = await em.findOneByOrFail(Person, { id: personId });
    const endedAt = person.employmentEndedAt;
    if (!endedAt) return;
    const now = this.clock.now();
    if (endedAt > now) {
      await this.outbox.enqueue(em, {
        queue: QueueName.Consents,
        name: ConsentJob.RevokeForEmploymentEnd,
        jobId: `employment-end-${personId}-${endedAt.getTime()}`,
        payload: { personId },
        runAt: endedAt,
      });
      return;
    }
    const consents = await em.find(Consent, {
      where: { personId, status: 'granted', coversAfterEmployment: false },
      lock: { mode: 'pessimistic_write' },
    });
    for (const consent of consents) {
      if (statusAt(consent, now) !== 'granted') continue;
      await this.end(em, consent, 'revoked', endedAt, actor, { reason: 'employment_ended' });
    }
  }

  async revokeForEmploymentEnd(personId: string): Promise<void> {
    await this.dataSource.transaction((em) => this.applyEmploymentEnd(em, personId, { type: 'system', id: 'scheduler' }));
  }

  async lockConsent(em: EntityManager, id: string): Promise<Consent> {
    const consent = await em.findOne(Consent, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!consent) throw new NotFound('Consent');
    return consent;
  }

  private async grant(
    em: EntityManager,
    consent: Consent,
    grant: {
      accepted: Channel[];
      method: 'email_link' | 'paper';
      signerName: string | null;
      signer: SignerFacts;
      actor: AuditActor;
      scanSha256?: string;
    },
  ): Promise<void> {
    const now = this.clock.now();
    this.assertCanMove(consent, 'granted', now);
    const outside = grant.accepted.filter((channel) => !consent.channels.includes(channel));
    if (outside.length > 0) {
      throw ValidationFailed.field('acceptedChannels', `not asked for in this request: ${outside.join(', ')}`);
    }
    if (grant.accepted.length === 0) throw ValidationFailed.field('acceptedChannels', 'accept at least one channel, or decline');
    consent.status = 'granted';
    consent.answeredAt = now;
    consent.method = grant.method;
    consent.signerName = grant.signerName;
    consent.signerIp = grant.signer.ip;
    consent.signerUserAgent = grant.signer.userAgent?.slice(0, 500) ?? null;
    await em.save(consent);
    await em.insert(
      ConsentChannel,
      consent.channels.map((channel) => decision(consent.id, channel, grant.accepted.includes(channel) ? 'accepted' : 'refused', now)),
    );
    const refused = consent.channels.filter((channel) => !grant.accepted.includes(channel));
    await this.audit.append(em, {
      action: 'consent.granted',
      actor: grant.actor,
      personId: consent.personId,
      consentId: consent.id,
      data: {
        method: grant.method,
        acceptedChannels: grant.accepted,
        refusedChannels: refused,
        noticeSha256: consent.noticeSha256,
        ...(grant.scanSha256 ? { scanSha256: grant.scanSha256 } : {}),
      },
    });
    await this.hooks.emitGranted(em, { consent, accepted: grant.accepted, actor: grant.actor });
    await this.mail.queue(em, { kind: 'granted', personId: consent.personId, consentId: consent.id }, grant.actor);
  }

  /** Ends a granted consent as a whole (revoked, expired, superseded). */
  private async end(
    em: EntityManager,
    consent: Consent,
    to: 'revoked' | 'expired' | 'superseded',
    at: Date,
    actor: AuditActor,
    data: Record<string, string>,
  ): Promise<void> {
    this.assertCanMove(consent, to, this.clock.now());
    const active = (await em.findBy(ConsentChannel, { consentId: consent.id }))
      .filter((row) => row.decision === 'accepted' && !row.withdrawnAt)
      .map((row) => row.channel);
    consent.status = to;
    consent.endedAt = at;
    consent.endReason = data.reason ?? to;
    await em.save(consent);
    await this.audit.append(em, {
      action: `consent.${to}`,
      actor,
      personId: consent.personId,
      consentId: consent.id,
      data: { ...data, at: at.toISOString() },
    });
    await this.hooks.emitCoverageEnded(em, { consent, channels: active, at, cause: to, actor });
  }

  private assertCanMove(consent: Consent, to: ConsentStatus, now: Date): void {
    // Expiry and supersession are recorded at or after validUntil, when the dates already say expired.
    if ((to === 'expired' || to === 'superseded') && consent.status === 'granted') return;
    const current = statusAt(consent, now);
    if (current === consent.status && canMove(current, to)) return;
    if (to === 'granted' || to === 'refused') {
      throw new DomainError('CONSENT_NOT_PENDING', `The consent is ${current}: it can no longer be answered`, { status: current });
    }
    throw new DomainError('CONSENT_NOT_GRANTED', `The consent is ${current}, not granted`, { status: current });
  }

  private async recentRefusal(em: EntityManager, personId: string, now: Date): Promise<Date | undefined> {
    if (this.config.reaskCooldownDays === 0) return undefined;
    const since = new Date(now.getTime() - this.config.reaskCooldownDays * DAY_MS);
    const row = await em
      .createQueryBuilder(Consent, 'c')
      .where("c.person_id = :personId AND c.status = 'refused' AND c.answered_at > :since", { personId, since })
      .orderBy('c.answered_at', 'DESC')
      .getOne();
    return row?.answeredAt ?? undefined;
  }
}

function decision(consentId: string, channel: Channel, value: ChannelDecision, at: Date): ConsentChannel {
  return { consentId, channel, decision: value, decidedAt: at, withdrawnAt: null, withdrawalId: null };
}
