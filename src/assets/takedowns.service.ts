import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { Publication } from 'src/assets/publication.entity';
import { Takedown, TakedownCause } from 'src/assets/takedown.entity';
import {
  CompleteTakedownDto,
  ListTakedownsQueryDto,
  TakedownDto,
} from 'src/assets/dto/takedown.dto';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound } from 'src/common/errors/domain-error';
import { decodeCursor, Page, toPage } from 'src/common/http/pagination';
import { AppConfig } from 'src/config/app-config';
import type { Channel } from 'src/consents/domain/consent-scope';

const HOUR_MS = 3_600_000;

export interface OpenedTakedown {
  id: string;
  publicationId: string;
  assetId: string;
  channel: Channel;
  dueAt: Date;
}

/** Takedown tasks: opened by blocking, closed by marketing with a note; every step audited. */
@Injectable()
export class TakedownsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Opens one takedown per live publication of these assets on the channels they lost; a
   * publication that already has an open takedown keeps it. One statement per distinct set of lost
   * channels (usually one: a consent change takes the same channels from every asset).
   */
  async openForBlocked(
    em: EntityManager,
    blocked: readonly { assetId: string; channels: readonly Channel[] }[],
    cause: { cause: TakedownCause; consentId: string | null; at: Date },
  ): Promise<OpenedTakedown[]> {
    const dueAt = new Date(cause.at.getTime() + this.config.takedownDueHours * HOUR_MS);
    const byChannels = new Map<string, { channels: readonly Channel[]; assetIds: string[] }>();
    for (const { assetId, channels } of blocked) {
      if (channels.length === 0) continue;
      const key = [...channels].sort().join(',');
      const group = byChannels.get(key) ?? { channels, assetIds: [] };
      group.assetIds.push(assetId);
      byChannels.set(key, group);
    }
    const opened: OpenedTakedown[] = [];
    for (const { channels, assetIds } of byChannels.values()) {
      const rows = await em.query<
        { id: string; publication_id: string; asset_id: string; channel: Channel; due_at: Date }[]
      >(
        `INSERT INTO takedowns (id, publication_id, asset_id, channel, cause, consent_id, opened_at, due_at)
         SELECT gen_random_uuid(), p.id, p.asset_id, p.channel, $3, $4::uuid, $5::timestamptz, $6::timestamptz
         FROM publications p
         WHERE p.removed_at IS NULL AND p.asset_id = ANY($1::uuid[]) AND p.channel = ANY($2::text[])
         ORDER BY p.asset_id, p.channel, p.published_at
         ON CONFLICT (publication_id) WHERE completed_at IS NULL DO NOTHING
         RETURNING id, publication_id, asset_id, channel, due_at`,
        [assetIds, channels, cause.cause, cause.consentId, cause.at, dueAt],
      );
      for (const row of rows) {
        opened.push({
          id: row.id,
          publicationId: row.publication_id,
          assetId: row.asset_id,
          channel: row.channel,
          dueAt: row.due_at,
        });
      }
    }
    return opened;
  }

  async list(query: ListTakedownsQueryDto): Promise<Page<TakedownDto>> {
    const limit = query.limit ?? 50;
    const after = decodeCursor(query.cursor);
    const now = this.clock.now();
    const qb = this.dataSource.getRepository(Takedown).createQueryBuilder('t');
    const byDue = query.status === 'open' || query.status === 'overdue';
    switch (query.status) {
      case 'open':
        qb.where('t.completed_at IS NULL AND t.due_at > :now', { now });
        break;
      case 'overdue':
        qb.where('t.completed_at IS NULL AND t.due_at <= :now', { now });
        break;
      case 'done':
        qb.where('t.completed_at IS NOT NULL');
        break;
      case undefined:
        break;
    }
    if (byDue) {
      if (after) qb.andWhere('(t.due_at, t.id) > (:at, :id)', { at: after.at, id: after.id });
      qb.orderBy('t.due_at', 'ASC').addOrderBy('t.id', 'ASC');
    } else {
      if (after) qb.andWhere('(t.opened_at, t.id) < (:at, :id)', { at: after.at, id: after.id });
      qb.orderBy('t.opened_at', 'DESC').addOrderBy('t.id', 'DESC');
    }
    const rows = await qb.limit(limit + 1).getMany();
    const publications = await this.publicationsOf(rows);
    return toPage(
      rows,
      limit,
      (t) => ({ at: byDue ? t.dueAt : t.openedAt, id: t.id }),
      (t) => TakedownDto.from(t, publications.get(t.publicationId) as Publication, now),
    );
  }

  /** Closes the task and marks its publication removed (now, with the note), in one transaction. */
  async complete(
    id: string,
    input: CompleteTakedownDto,
    actor: AuditActor,
    keyId: string | null,
  ): Promise<TakedownDto> {
    const takedown = await this.dataSource.getRepository(Takedown).findOneBy({ id });
    if (!takedown) throw new NotFound('Takedown');
    if (takedown.completedAt) throw alreadyDone(takedown);
    return this.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      // The audit event comes first: its lock orders this after any blocking that is committing.
      await this.appendCompleted(em, takedown, now, actor, input.evidenceUrl);
      await this.closeLocked(em, takedown, {
        note: input.note,
        evidenceUrl: input.evidenceUrl ?? null,
        keyId,
        at: now,
      });
      const publication = await em.findOneByOrFail(Publication, { id: takedown.publicationId });
      if (publication.removedAt === null) {
        await em.update(
          Publication,
          { id: publication.id },
          { removedAt: now, removalNote: input.note, removedByKeyId: keyId },
        );
      }
      const done = await em.findOneByOrFail(Takedown, { id });
      return TakedownDto.from(
        done,
        await em.findOneByOrFail(Publication, { id: takedown.publicationId }),
        now,
      );
    });
  }

  /** The open takedown of a publication, if any (to close it when the publication is removed by hand). */
  findOpen(em: EntityManager, publicationId: string): Promise<Takedown | null> {
    return em
      .createQueryBuilder(Takedown, 't')
      .where('t.publication_id = :publicationId AND t.completed_at IS NULL', { publicationId })
      .getOne();
  }

  async appendCompleted(
    em: EntityManager,
    takedown: Takedown,
    at: Date,
    actor: AuditActor,
    evidenceUrl: string | undefined,
  ): Promise<void> {
    await this.audit.append(em, {
      action: 'takedown.completed',
      actor,
      assetId: takedown.assetId,
      consentId: takedown.consentId ?? undefined,
      data: {
        takedownId: takedown.id,
        publicationId: takedown.publicationId,
        channel: takedown.channel,
        cause: takedown.cause,
        openedAt: takedown.openedAt.toISOString(),
        dueAt: takedown.dueAt.toISOString(),
        completedAt: at.toISOString(),
        onTime: at <= takedown.dueAt,
        ...(evidenceUrl
          ? { evidenceUrlSha256: createHash('sha256').update(evidenceUrl).digest('hex') }
          : {}),
      },
    });
  }

  /** Marks it done unless another request just did (then CONFLICT, and the caller's transaction rolls back). */
  async closeLocked(
    em: EntityManager,
    takedown: Takedown,
    closing: { note: string; evidenceUrl: string | null; keyId: string | null; at: Date },
  ): Promise<void> {
    const result = await em
      .createQueryBuilder()
      .update(Takedown)
      .set({
        completedAt: closing.at,
        completionNote: closing.note,
        evidenceUrl: closing.evidenceUrl,
        completedByKeyId: closing.keyId,
      })
      .where('id = :id AND completed_at IS NULL', { id: takedown.id })
      .execute();
    if (result.affected !== 1) throw alreadyDone(takedown);
  }

  private async publicationsOf(takedowns: Takedown[]): Promise<Map<string, Publication>> {
    if (takedowns.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(Publication)
      .findBy({ id: In(takedowns.map((t) => t.publicationId)) });
    return new Map(rows.map((p) => [p.id, p]));
  }
}

function alreadyDone(takedown: Takedown): DomainError {
  return new DomainError('CONFLICT', 'The takedown is already done', { takedownId: takedown.id });
}
