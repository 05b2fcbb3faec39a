import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { AuditAppender, LockedTree } from 'src/audit/audit-appender';
import { AuditCheckpoint } from 'src/audit/audit-checkpoint.entity';
import { AuditSigner } from 'src/audit/audit-signer';
import type { AuditActor } from 'src/audit/domain/audit-event';
import { rootFromFrontier } from 'src/audit/domain/merkle';
import { Clock } from 'src/common/clock/clock';
import { AppConfig } from 'src/config/app-config';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { AuditJob, QueueName } from 'src/queue/queue-names';

export const AUDIT_SYSTEM_ACTOR: AuditActor = { type: 'system', id: 'audit' };

/**
 * Signs checkpoints and stores them append-only. Each checkpoint is itself recorded in the log
 * (audit.checkpoint, right after the size it signs), and queued for the webhook when one is set,
 * in the same transaction.
 */
@Injectable()
export class AuditCheckpoints {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly appender: AuditAppender,
    private readonly signer: AuditSigner,
    private readonly outbox: JobOutbox,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Signs the tree this transaction holds locked. */
  async createLocked(
    em: EntityManager,
    tree: LockedTree,
    actor: AuditActor,
  ): Promise<AuditCheckpoint> {
    const createdAt = this.clock.now();
    const treeSize = tree.size;
    const rootHash = rootFromFrontier(tree.frontier, treeSize);
    const note = this.signer.signCheckpoint(treeSize, rootHash, createdAt);
    await em.query(
      'INSERT INTO audit_checkpoints (tree_size, root_hash, created_at, note) VALUES ($1, $2, $3, $4)',
      [treeSize, rootHash, createdAt, note],
    );
    tree.lastCheckpointSize = treeSize;
    await this.appender.appendManyLocked(
      em,
      tree,
      [{ action: 'audit.checkpoint', actor, data: { treeSize, rootHash: rootHash.toString('hex') } }],
      createdAt,
      () => false,
    );
    if (this.config.auditCheckpointWebhook) {
      await this.outbox.enqueue(em, {
        queue: QueueName.Audit,
        name: AuditJob.DeliverCheckpoint,
        jobId: `audit-checkpoint-webhook-${treeSize}`,
        payload: { treeSize },
      });
    }
    return Object.assign(new AuditCheckpoint(), { treeSize, rootHash, createdAt, note });
  }

  /** Whether the every-N rule asks for a checkpoint now. */
  isDue(tree: LockedTree): boolean {
    return tree.size - (tree.lastCheckpointSize ?? 0) >= this.config.auditCheckpointEvery;
  }

  /** On demand: always signs the current tree. */
  create(actor: AuditActor): Promise<AuditCheckpoint> {
    return this.dataSource.transaction(async (em) =>
      this.createLocked(em, await this.appender.lock(em), actor),
    );
  }

  /** On the timer: signs only when events other than the last checkpoint's own record were added. */
  createIfGrown(): Promise<AuditCheckpoint | null> {
    return this.dataSource.transaction(async (em) => {
      const tree = await this.appender.lock(em);
      const grew =
        tree.lastCheckpointSize === null ? tree.size > 0 : tree.size > tree.lastCheckpointSize + 1;
      return grew ? this.createLocked(em, tree, AUDIT_SYSTEM_ACTOR) : null;
    });
  }

  /** Checkpoints after a tree size, oldest first. */
  list(after: number | undefined, limit: number): Promise<AuditCheckpoint[]> {
    return this.dataSource.getRepository(AuditCheckpoint).find({
      where: after === undefined ? {} : { treeSize: MoreThan(after) },
      order: { treeSize: 'ASC' },
      take: limit,
    });
  }

  find(treeSize: number): Promise<AuditCheckpoint | null> {
    return this.dataSource.getRepository(AuditCheckpoint).findOneBy({ treeSize });
  }

  /** The newest checkpoint at or below a tree size. */
  latestAtOrBelow(treeSize: number): Promise<AuditCheckpoint | null> {
    return this.dataSource
      .getRepository(AuditCheckpoint)
      .createQueryBuilder('c')
      .where('c.tree_size <= :treeSize', { treeSize })
      .orderBy('c.tree_size', 'DESC')
      .limit(1)
      .getOne();
  }
}
