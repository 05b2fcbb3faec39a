import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Asset } from 'src/assets/asset.entity';
import { AssetBlockingService } from 'src/assets/asset-blocking.service';
import { ClearanceFactsRepository } from 'src/assets/clearance-facts.repository';
import { ClearanceService } from 'src/assets/clearance.service';
import { clearanceChanges } from 'src/assets/domain/clearance-changes';
import {
  AssetDto,
  BulkRegisteredDto,
  CreateAssetDto,
  ListAssetsQueryDto,
} from 'src/assets/dto/asset.dto';
import { AuditActor, AuditLog } from 'src/audit/audit-log.service';
import { Clock } from 'src/common/clock/clock';
import { DomainError, NotFound, ValidationFailed } from 'src/common/errors/domain-error';
import { decodeCursor, Page, toPage } from 'src/common/http/pagination';
import { CHANNELS } from 'src/consents/domain/consent-scope';

/** A status filter is checked in the application: candidates are read this many at a time. */
const STATUS_SCAN_BATCH = 500;

@Injectable()
export class AssetsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly facts: ClearanceFactsRepository,
    private readonly clearance: ClearanceService,
    private readonly blocking: AssetBlockingService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async register(
    input: CreateAssetDto,
    actor: AuditActor,
    keyId: string | null,
  ): Promise<AssetDto> {
    const [id] = await this.insertAll([input], actor, keyId, (problems) => {
      const taken = problems.find((p) => p.field === 'externalRef' && p.assetId);
      if (taken)
        return new DomainError('ASSET_ALREADY_EXISTS', 'Another asset has this externalRef', {
          field: 'externalRef',
          assetId: taken.assetId,
        });
      return new ValidationFailed(
        problems.map(({ field, problem }) => ({ field, problems: [problem] })),
      );
    });
    return this.get(id);
  }

  /** All or nothing: one bad item and nothing is written; every bad item is reported by its index. */
  async registerMany(
    inputs: CreateAssetDto[],
    actor: AuditActor,
    keyId: string | null,
  ): Promise<BulkRegisteredDto> {
    const ids = await this.insertAll(
      inputs,
      actor,
      keyId,
      (problems) =>
        new ValidationFailed(
          problems.map(({ index, field, problem }) => ({
            field: `assets.${index}.${field}`,
            problems: [problem],
          })),
        ),
    );
    return {
      created: ids.length,
      items: ids.map((id, index) => ({ id, externalRef: inputs[index].externalRef })),
    };
  }

  async get(id: string): Promise<AssetDto> {
    const asset = await this.dataSource.getRepository(Asset).findOneBy({ id: id.toLowerCase() });
    if (!asset) throw new NotFound('Asset');
    return (await this.describe([asset]))[0];
  }

  async list(query: ListAssetsQueryDto): Promise<Page<AssetDto>> {
    const limit = query.limit ?? 50;
    let after = decodeCursor(query.cursor);
    const kept: AssetDto[] = [];
    for (;;) {
      const batch = query.status ? STATUS_SCAN_BATCH : limit + 1;
      const rows = await this.page(query, after, batch);
      for (const dto of await this.describe(rows)) {
        if (!query.status || matchesStatus(dto, query)) kept.push(dto);
      }
      const last = rows[rows.length - 1];
      if (rows.length < batch || kept.length > limit || !last) break;
      after = { at: last.createdAt, id: last.id };
    }
    return toPage(
      kept,
      limit,
      (dto) => ({ at: new Date(dto.createdAt), id: dto.id }),
      (dto) => dto,
    );
  }

  /**
   * Replaces who appears in the asset and re-judges it at once on every channel; live publications
   * on channels it loses get takedowns, in the same transaction.
   */
  async replacePersons(id: string, personIds: string[], actor: AuditActor): Promise<AssetDto> {
    const assetId = id.toLowerCase();
    const wanted = personIds.map((p) => p.toLowerCase());
    await this.dataSource.transaction(async (em) => {
      const asset = await em.findOne(Asset, {
        where: { id: assetId },
        lock: { mode: 'for_no_key_update' },
      });
      if (!asset) throw new NotFound('Asset');
      // Key-share locks on the persons before the audit lock: an end of employment holds its person
      // row and then appends, so taking them in the other order could deadlock with it.
      const known = await this.lockPersons(em, wanted);
      const unknown = wanted.filter((p) => !known.has(p));
      if (unknown.length > 0) {
        throw ValidationFailed.field('personIds', `unknown persons: ${unknown.join(', ')}`);
      }
      const before = await this.personsOf(em, assetId);
      const added = wanted.filter((p) => !before.includes(p));
      const removed = before.filter((p) => !wanted.includes(p));
      if (added.length === 0 && removed.length === 0) return;
      // First, so the audit log's lock is held before clearance is judged (see AssetBlockingService).
      await this.audit.append(em, {
        action: 'asset.subjects_changed',
        actor,
        assetId,
        data: { personIds: [...wanted].sort(), added: added.length, removed: removed.length },
      });
      const now = this.clock.now();
      const was = await this.facts.forAssets(em, [assetId]);
      await em.query(
        'DELETE FROM asset_persons WHERE asset_id = $1 AND NOT (person_id = ANY($2::uuid[]))',
        [assetId, wanted],
      );
      await em.query(
        'INSERT INTO asset_persons (asset_id, person_id) SELECT $1, unnest($2::uuid[])',
        [assetId, added],
      );
      await em.update(Asset, { id: assetId }, { updatedAt: now });
      const is = await this.facts.forAssets(em, [assetId]);
      const persons = new Map([...was.persons, ...is.persons]);
      const changes = clearanceChanges(
        { assets: [...was.assets.values()], at: now },
        { assets: [...is.assets.values()], at: now },
        CHANNELS,
        persons,
      );
      await this.blocking.record(em, changes, {
        cause: 'persons_changed',
        consentId: null,
        personId: null,
        actor,
        at: now,
      });
    });
    return this.get(assetId);
  }

  private async insertAll(
    inputs: CreateAssetDto[],
    actor: AuditActor,
    keyId: string | null,
    refuse: (problems: ItemProblem[]) => Error,
  ): Promise<string[]> {
    const problems = this.duplicateRefs(inputs);
    try {
      return await this.dataSource.transaction(async (em) => {
        problems.push(
          ...(await this.takenRefs(em, inputs)),
          ...(await this.unknownPersons(em, inputs)),
        );
        if (problems.length > 0) throw refuse(problems.sort((a, b) => a.index - b.index));
        const now = this.clock.now();
        const assets = inputs.map((input) => ({
          id: randomUUID(),
          title: input.title,
          mediaType: input.mediaType,
          externalRef: input.externalRef,
          sha256: input.sha256 ?? null,
          capturedAt: input.capturedAt ? new Date(input.capturedAt) : null,
        }));
        await em.query(
          `INSERT INTO assets (id, title, media_type, external_ref, sha256, captured_at, registered_by_key_id, created_at, updated_at)
           SELECT id, title, media_type, external_ref, sha256, captured_at, $7::uuid, $8::timestamptz, $8::timestamptz
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
             AS a(id, title, media_type, external_ref, sha256, captured_at)`,
          [
            assets.map((a) => a.id),
            assets.map((a) => a.title),
            assets.map((a) => a.mediaType),
            assets.map((a) => a.externalRef),
            assets.map((a) => a.sha256),
            assets.map((a) => a.capturedAt),
            keyId,
            now,
          ],
        );
        const shown = assets.flatMap((asset, index) =>
          inputs[index].personIds.map((personId) => [asset.id, personId.toLowerCase()] as const),
        );
        await em.query(
          'INSERT INTO asset_persons (asset_id, person_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])',
          [shown.map(([assetId]) => assetId), shown.map(([, personId]) => personId)],
        );
        await this.audit.appendMany(
          em,
          assets.map((asset, index) => ({
            action: 'asset.registered',
            actor,
            assetId: asset.id,
            data: {
              mediaType: asset.mediaType,
              externalRefSha256: createHash('sha256').update(asset.externalRef).digest('hex'),
              ...(asset.sha256 ? { sha256: asset.sha256 } : {}),
              personIds: inputs[index].personIds.map((p) => p.toLowerCase()).sort(),
            },
          })),
        );
        return assets.map((asset) => asset.id);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_assets_external_ref')) {
        throw new DomainError('ASSET_ALREADY_EXISTS', 'Another asset has this externalRef', {
          field: 'externalRef',
        });
      }
      throw error;
    }
  }

  private duplicateRefs(inputs: CreateAssetDto[]): ItemProblem[] {
    const firstIndex = new Map<string, number>();
    const problems: ItemProblem[] = [];
    inputs.forEach((input, index) => {
      const first = firstIndex.get(input.externalRef);
      if (first === undefined) firstIndex.set(input.externalRef, index);
      else
        problems.push({
          index,
          field: 'externalRef',
          problem: `externalRef repeats item ${first}`,
        });
    });
    return problems;
  }

  private async takenRefs(em: EntityManager, inputs: CreateAssetDto[]): Promise<ItemProblem[]> {
    const rows = await em.query<{ id: string; external_ref: string }[]>(
      'SELECT id, external_ref FROM assets WHERE external_ref = ANY($1::text[])',
      [inputs.map((input) => input.externalRef)],
    );
    const taken = new Map(rows.map((row) => [row.external_ref, row.id]));
    return inputs.flatMap((input, index) => {
      const assetId = taken.get(input.externalRef);
      return assetId
        ? [
            {
              index,
              field: 'externalRef',
              problem: 'another asset already has this externalRef',
              assetId,
            },
          ]
        : [];
    });
  }

  private async unknownPersons(
    em: EntityManager,
    inputs: CreateAssetDto[],
  ): Promise<ItemProblem[]> {
    const known = await this.knownPersons(
      em,
      inputs.flatMap((input) => input.personIds),
    );
    return inputs.flatMap((input, index) => {
      const unknown = input.personIds.filter((p) => !known.has(p.toLowerCase()));
      return unknown.length
        ? [{ index, field: 'personIds', problem: `unknown persons: ${unknown.join(', ')}` }]
        : [];
    });
  }

  private async lockPersons(em: EntityManager, personIds: string[]): Promise<Set<string>> {
    if (personIds.length === 0) return new Set();
    const rows = await em.query<{ id: string }[]>(
      'SELECT id FROM persons WHERE id = ANY($1::uuid[]) FOR KEY SHARE',
      [personIds],
    );
    return new Set(rows.map((row) => row.id));
  }

  private async knownPersons(em: EntityManager, personIds: string[]): Promise<Set<string>> {
    if (personIds.length === 0) return new Set();
    const rows = await em.query<{ id: string }[]>(
      'SELECT id FROM persons WHERE id = ANY($1::uuid[])',
      [[...new Set(personIds)]],
    );
    return new Set(rows.map((row) => row.id));
  }

  private async personsOf(em: EntityManager, assetId: string): Promise<string[]> {
    const rows = await em.query<{ person_id: string }[]>(
      'SELECT person_id FROM asset_persons WHERE asset_id = $1 ORDER BY person_id',
      [assetId],
    );
    return rows.map((row) => row.person_id);
  }

  private page(
    query: ListAssetsQueryDto,
    after: { at: Date; id: string } | undefined,
    limit: number,
  ): Promise<Asset[]> {
    const qb = this.dataSource.getRepository(Asset).createQueryBuilder('a');
    if (query.personId)
      qb.andWhere('a.id IN (SELECT asset_id FROM asset_persons WHERE person_id = :personId)', {
        personId: query.personId,
      });
    if (after) qb.andWhere('(a.created_at, a.id) < (:at, :id)', { at: after.at, id: after.id });
    return qb.orderBy('a.created_at', 'DESC').addOrderBy('a.id', 'DESC').limit(limit).getMany();
  }

  /** DTOs with persons and the channels cleared now, from one facts statement for all of them. */
  private async describe(assets: Asset[]): Promise<AssetDto[]> {
    const facts = await this.facts.forAssets(
      undefined,
      assets.map((a) => a.id),
    );
    const cleared = this.clearance.clearedChannels(facts, this.clock.now());
    return assets.map((asset) =>
      AssetDto.from(
        asset,
        [...(facts.assets.get(asset.id)?.personIds ?? [])],
        cleared.get(asset.id) ?? [],
      ),
    );
  }
}

interface ItemProblem {
  index: number;
  field: string;
  problem: string;
  assetId?: string;
}

function matchesStatus(dto: AssetDto, query: ListAssetsQueryDto): boolean {
  const cleared = query.channel
    ? dto.clearedChannels.includes(query.channel)
    : dto.clearedChannels.length > 0;
  return (query.status === 'cleared') === cleared;
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && driverError.constraint === constraint;
}
