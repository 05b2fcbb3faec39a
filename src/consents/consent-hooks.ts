import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditActor } from 'src/audit/audit-log.service';
import type { Consent } from 'src/consents/consent.entity';
import type { ConsentWithdrawal } from 'src/consents/consent-withdrawal.entity';
import type { Channel } from 'src/consents/domain/consent-scope';

export interface GrantedEvent {
  consent: Consent;
  accepted: Channel[];
  actor: AuditActor;
}

export interface CoverageEndedEvent {
  consent: Consent;
  /** Channels that stopped counting (all accepted ones when the whole consent ended). */
  channels: Channel[];
  at: Date;
  cause: 'withdrawn' | 'revoked' | 'expired' | 'superseded';
  withdrawal?: ConsentWithdrawal;
  actor: AuditActor;
}

export interface RefusedEvent {
  consent: Consent;
  actor: AuditActor;
}

type Handler<E> = (em: EntityManager, event: E) => Promise<void>;

/**
 * Lets later features (evidence, asset blocking, reminders) act inside the transaction of a
 * consent's change without the consents module depending on them.
 */
@Injectable()
export class ConsentHooks {
  private readonly granted: Handler<GrantedEvent>[] = [];
  private readonly coverageEnded: Handler<CoverageEndedEvent>[] = [];
  private readonly refused: Handler<RefusedEvent>[] = [];

  onGranted(handler: Handler<GrantedEvent>): void {
    this.granted.push(handler);
  }

  onCoverageEnded(handler: Handler<CoverageEndedEvent>): void {
    this.coverageEnded.push(handler);
  }

  onRefused(handler: Handler<RefusedEvent>): void {
    this.refused.push(handler);
  }

  async emitRefused(em: EntityManager, event: RefusedEvent): Promise<void> {
    for (const handler of this.refused) await handler(em, event);
  }

  async emitGranted(em: EntityManager, event: GrantedEvent): Promise<void> {
    for (const handler of this.granted) await handler(em, event);
  }

  async emitCoverageEnded(em: EntityManager, event: CoverageEndedEvent): Promise<void> {
    for (const handler of this.coverageEnded) await handler(em, event);
  }
}
