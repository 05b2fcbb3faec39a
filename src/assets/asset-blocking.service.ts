import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ClearanceFactsRepository } from 'src/assets/clearance-facts.repository';
import { ClearanceChange, clearanceChanges } from 'src/assets/domain/clearance-changes';
import { TakedownCause } from 'src/assets/takedown.entity';
import { TakedownsService } from 'src/assets/takedowns.service';
import { AuditActor, AuditEventInput, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { AppConfig } from 'src/config/app-config';
import { ConsentHooks, CoverageEndedEvent, GrantedEvent } from 'src/consents/consent-hooks';
import type { Channel } from 'src/consents/domain/consent-scope';
import { MailService } from 'src/mail/mail.service';
import type { WebhookEvent } from 'src/webhooks/domain/webhook-events';
import { WebhookEvents } from 'src/webhooks/webhook-events.service';

/** Why clearance flipped: what ended or granted coverage, or a change of who is in the asset. */
export type ClearanceCause = TakedownCause | 'consent_granted';

export interface BlockingCause {
  cause: ClearanceCause;
  consentId: string | null;
  personId: string | null;
  actor: AuditActor;
  at: Date;
}

const CAUSE_OF: Record<CoverageEndedEvent['cause'], TakedownCause> = {
  withdrawn: 'consent_withdrawn',
  revoked: 'consent_revoked',
  expired: 'consent_expired',
  superseded: 'consent_superseded',
};

/**
 * Keeps assets in step with consents, inside the transaction of each consent change: the assets
 * showing the person are judged just before and at the change, and every flip is recorded
 * (asset.blocked / asset.unblocked), live publications that lost clearance get takedowns, marketing
 * is mailed and webhooks are written — all committed with the change, or not at all.
 *
 * Consistency with publications: every consent change appends its audit event before these hooks
 * run, and publications append theirs before judging clearance, so both hold the audit log's lock
 * while they judge. Whichever commits first is seen by the other: a publication recorded first is
 * found here and gets its takedown; one judged after the change commits sees the change.
 */
@Injectable()
export class AssetBlockingService implements OnModuleInit {
  constructor(
    private readonly hooks: ConsentHooks,
    private readonly facts: ClearanceFactsRepository,
    private readonly takedowns: TakedownsService,
    private readonly audit: AuditLog,
    private readonly mail: MailService,
    private readonly webhooks: WebhookEvents,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.hooks.onCoverageEnded((em, event) => this.afterCoverageEnded(em, event));
    this.hooks.onGranted((em, event) => this.afterGranted(em, event));
  }

  private async afterCoverageEnded(em: EntityManager, event: CoverageEndedEvent): Promise<void> {
    if (event.channels.length === 0) return;
    await this.reevaluatePerson(em, event.consent.personId, event.channels, event.at, {
      cause: CAUSE_OF[event.cause],
      consentId: event.consent.id,
      personId: event.consent.personId,
      actor: event.actor,
      at: this.clock.now(),
    });
  }

  private async afterGranted(em: EntityManager, event: GrantedEvent): Promise<void> {
    if (event.accepted.length === 0) return;
    const now = this.clock.now();
    await this.reevaluatePerson(
      em,
      event.consent.personId,
      event.accepted,
      event.consent.answeredAt ?? now,
      {
        cause: 'consent_granted',
        consentId: event.consent.id,
        personId: event.consent.personId,
        actor: event.actor,
        at: now,
      },
    );
  }

  /** Judges the person's assets just before `changedAt` and now, on the channels the change touched. */
  private async reevaluatePerson(
    em: EntityManager,
    personId: string,
    channels: readonly Channel[],
    changedAt: Date,
    cause: BlockingCause,
  ): Promise<void> {
    const facts = await this.facts.forAssetsShowing(em, personId, channels);
    if (facts.assets.size === 0) return;
    const assets = [...facts.assets.values()];
    const changes = clearanceChanges(
      { assets, at: new Date(changedAt.getTime() - 1) },
      { assets, at: cause.at },
      channels,
      facts.persons,
    );
    await this.record(em, changes, cause);
  }

  /** Records flips of clearance: audit events, takedowns for live publications, the mail, webhooks. */
  async record(
    em: EntityManager,
    changes: readonly ClearanceChange[],
    cause: BlockingCause,
  ): Promise<void> {
    if (changes.length === 0) return;
    const subject = {
      actor: cause.actor,
      ...(cause.personId ? { personId: cause.personId } : {}),
      ...(cause.consentId ? { consentId: cause.consentId } : {}),
    };
    const flips: AuditEventInput[] = [];
    const events: WebhookEvent[] = [];
    for (const change of changes) {
      for (const [action, channels] of [
        ['asset.blocked', change.blocked],
        ['asset.unblocked', change.unblocked],
      ] as const) {
        if (channels.length === 0) continue;
        flips.push({
          action,
          ...subject,
          assetId: change.assetId,
          data: { channels, cause: cause.cause },
        });
        events.push({
          event: action,
          data: { assetId: change.assetId, channels, at: cause.at.toISOString() },
        });
      }
    }
    await this.audit.appendMany(em, flips);

    const blocked = changes.map((change) => ({
      assetId: change.assetId,
      channels: change.blocked,
    }));
    const opened =
      cause.cause === 'consent_granted'
        ? []
        : await this.takedowns.openForBlocked(em, blocked, {
            cause: cause.cause,
            consentId: cause.consentId,
            at: cause.at,
          });
    if (opened.length > 0) {
      await this.audit.appendMany(
        em,
        opened.map((takedown) => ({
          action: 'takedown.opened',
          ...subject,
          assetId: takedown.assetId,
          data: {
            takedownId: takedown.id,
            publicationId: takedown.publicationId,
            channel: takedown.channel,
            dueAt: takedown.dueAt.toISOString(),
            cause: cause.cause,
          },
        })),
      );
      for (const recipient of this.config.marketingNotifyEmails) {
        await this.mail.queue(
          em,
          { kind: 'takedown-notice', recipient, subject: { takedownIds: opened.map((t) => t.id) } },
          cause.actor,
        );
      }
      for (const takedown of opened) {
        events.push({
          event: 'takedown.opened',
          data: {
            takedownId: takedown.id,
            publicationId: takedown.publicationId,
            assetId: takedown.assetId,
            channel: takedown.channel,
            dueAt: takedown.dueAt.toISOString(),
          },
        });
      }
    }
    await this.webhooks.publish(em, events);
  }
}
