import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditAppender } from 'src/audit/audit-appender';
import { AUDIT_SYSTEM_ACTOR, AuditCheckpoints } from 'src/audit/audit-checkpoints.service';
import type { AuditEventInput } from 'src/audit/domain/audit-event';
import { Clock } from 'src/common/clock/clock';

export type { AuditActor, AuditEventInput } from 'src/audit/domain/audit-event';
export { staffActor } from 'src/audit/domain/audit-event';

/** The audit log as other modules use it: one call, inside the transaction of the change. */
@Injectable()
export class AuditLog {
  constructor(
    private readonly appender: AuditAppender,
    private readonly checkpoints: AuditCheckpoints,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends inside the caller's transaction (em from dataSource.transaction): the event commits
   * with the change it records, or not at all. Returns its leaf index and leaf hash.
   * Appends wait on one row lock until the appending transaction ends, so call it last and keep
   * the transaction short; use READ COMMITTED (the default), since under REPEATABLE READ a
   * concurrent append fails with a serialization error.
   * Throws TypeError for an event that is malformed or carries personal data.
   */
  async append(
    em: EntityManager,
    event: AuditEventInput,
  ): Promise<{ seq: number; leafHash: Buffer }> {
    const { appended, tree } = await this.appender.lockAndAppend(em, event, this.clock.now());
    if (this.checkpoints.isDue(tree))
      await this.checkpoints.createLocked(em, tree, AUDIT_SYSTEM_ACTOR);
    return appended;
  }

  /**
   * append for many events at once (e.g. one asset.blocked per asset when a withdrawal blocks
   * thousands): one lock, and one statement per stretch between checkpoints. Same guarantees and
   * rules as append; the events get consecutive leaf indices in the order given.
   */
  async appendMany(em: EntityManager, events: readonly AuditEventInput[]): Promise<void> {
    if (events.length === 0) return;
    const tree = await this.appender.lock(em);
    let done = 0;
    while (done < events.length) {
      done += await this.appender.appendManyLocked(
        em,
        tree,
        events.slice(done),
        this.clock.now(),
        (next) => this.checkpoints.isDue(next),
      );
      if (this.checkpoints.isDue(tree))
        await this.checkpoints.createLocked(em, tree, AUDIT_SYSTEM_ACTOR);
    }
  }
}
