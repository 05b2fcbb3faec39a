import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ClearanceService } from 'src/assets/clearance.service';
import { Clearance } from 'src/assets/domain/clearance';
import { ClearanceReasonDto } from 'src/assets/dto/clearance.dto';
import {
  CreatePublicationDto,
  ListPublicationsQueryDto,
  PublicationDto,
  RemovePublicationDto,
} from 'src/assets/dto/publication.dto';
import { Publication } from 'src/assets/publication.entity';
import { TakedownsService } from 'src/assets/takedowns.service';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound, ValidationFailed } from 'src/common/errors/domain-error';
import { decodeCursor, Page, toPage } from 'src/common/http/pagination';
import type { Channel } from 'src/consents/domain/consent-scope';

class NotCleared extends Error {
  constructor(
    readonly at: Date,
    readonly clearance: Clearance,
  ) {
    super('not cleared');
  }
}

/** The gate marketing goes through: a use is recorded only while the asset is cleared there. */
@Injectable()
export class PublicationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clearance: ClearanceService,
    private readonly takedowns: TakedownsService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /**
   * Records the publication if the asset is cleared on the channel now (and at publishedAt when that
   * is later); otherwise 409 ASSET_NOT_CLEARED with the reasons, and the refusal is audited.
   */
  async record(
    assetId: string,
    input: CreatePublicationDto,
    actor: AuditActor,
    keyId: string | null,
  ): Promise<PublicationDto> {
    const id = randomUUID();
    const asset = assetId.toLowerCase();
    try {
      return await this.dataSource.transaction(async (em) => {
        const publishedAt = input.publishedAt ? new Date(input.publishedAt) : this.clock.now();
        // The audit event comes first: its lock is what orders this publication against consent
        // changes (see AssetBlockingService). If clearance is refused, the rollback takes it back.
        await this.audit.append(em, {
          action: 'publication.recorded',
          actor,
          assetId: asset,
          data: {
            publicationId: id,
            channel: input.channel,
            publishedAt: publishedAt.toISOString(),
          },
        });
        // Read under the lock: a change committed before is then never later than `now`.
        const now = this.clock.now();
        for (const at of publishedAt > now ? [now, publishedAt] : [now]) {
          const verdict = await this.clearance.evaluate(em, asset, input.channel, at);
          if (!verdict.allowed) throw new NotCleared(at, verdict);
        }
        const publication = em.create(Publication, {
          id,
          assetId: asset,
          channel: input.channel,
          location: input.location,
          publishedAt,
          recordedAt: now,
          recordedByKeyId: keyId,
          removedAt: null,
          removalNote: null,
          removedByKeyId: null,
        });
        await em.insert(Publication, publication);
        return PublicationDto.from(publication);
      });
    } catch (error) {
      if (!(error instanceof NotCleared)) throw error;
      await this.recordRefusal(asset, input.channel, error, actor);
      throw new DomainError(
        'ASSET_NOT_CLEARED',
        `The asset is not cleared on ${input.channel} at ${error.at.toISOString()}`,
        {
          assetId: asset,
          channel: input.channel,
          at: error.at.toISOString(),
          reasons: error.clearance.reasons.map((r) => ClearanceReasonDto.from(r)),
        },
      );
    }
  }

  async list(query: ListPublicationsQueryDto): Promise<Page<PublicationDto>> {
    const limit = query.limit ?? 50;
    const after = decodeCursor(query.cursor);
    const qb = this.dataSource.getRepository(Publication).createQueryBuilder('p');
    if (query.assetId) qb.andWhere('p.asset_id = :assetId', { assetId: query.assetId });
    if (query.channel) qb.andWhere('p.channel = :channel', { channel: query.channel });
    if (query.live !== undefined)
      qb.andWhere(query.live ? 'p.removed_at IS NULL' : 'p.removed_at IS NOT NULL');
    if (after) qb.andWhere('(p.recorded_at, p.id) < (:at, :id)', { at: after.at, id: after.id });
    const rows = await qb
      .orderBy('p.recorded_at', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .limit(limit + 1)
      .getMany();
    return toPage(
      rows,
      limit,
      (p) => ({ at: p.recordedAt, id: p.id }),
      (p) => PublicationDto.from(p),
    );
  }

  /** Marks a publication taken down; an open takedown of it is completed with the same note. */
  async markRemoved(
    id: string,
    input: RemovePublicationDto,
    actor: AuditActor,
    keyId: string | null,
  ): Promise<PublicationDto> {
    const publicationId = id.toLowerCase();
    const removedAt = new Date(input.removedAt);
    return this.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      const open = await this.takedowns.findOpen(em, publicationId);
      // Audit first: the same lock order as every other writer (audit log, then publication rows).
      if (open) await this.takedowns.appendCompleted(em, open, now, actor, undefined);
      else await this.audit.append(em, { action: 'publication.removed', actor, data: { publicationId } });
      const publication = await em.findOne(Publication, {
        where: { id: publicationId },
        lock: { mode: 'for_no_key_update' },
      });
      if (!publication) throw new NotFound('Publication');
      if (publication.removedAt)
        throw new DomainError('CONFLICT', 'The publication is already removed', {
          removedAt: publication.removedAt.toISOString(),
        });
      if (removedAt > now)
        throw ValidationFailed.field('removedAt', 'removedAt must not be in the future');
      if (removedAt < publication.publishedAt)
        throw ValidationFailed.field('removedAt', 'removedAt must not be before publishedAt');
      publication.removedAt = removedAt;
      publication.removalNote = input.note;
      publication.removedByKeyId = keyId;
      await em.update(
        Publication,
        { id: publication.id },
        { removedAt, removalNote: input.note, removedByKeyId: keyId },
      );
      if (open)
        await this.takedowns.closeLocked(em, open, {
          note: input.note,
          evidenceUrl: null,
          keyId,
          at: now,
        });
      return PublicationDto.from(publication);
    });
  }

  private async recordRefusal(
    assetId: string,
    channel: Channel,
    refusal: NotCleared,
    actor: AuditActor,
  ): Promise<void> {
    await this.dataSource.transaction((em) =>
      this.audit.append(em, {
        action: 'publication.refused',
        actor,
        assetId,
        data: {
          channel,
          at: refusal.at.toISOString(),
          uncoveredPersons: refusal.clearance.reasons.length,
          codes: [...new Set(refusal.clearance.reasons.map((r) => r.code))].sort(),
        },
      }),
    );
  }
}
