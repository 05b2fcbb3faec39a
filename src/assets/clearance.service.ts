import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ClearanceFacts, ClearanceFactsRepository } from 'src/assets/clearance-facts.repository';
import {
  Clearance,
  clearanceOf,
  clearanceOfMany,
  ClearanceReason,
} from 'src/assets/domain/clearance';
import {
  BulkClearanceResultDto,
  ClearanceDto,
  ClearanceReasonDto,
} from 'src/assets/dto/clearance.dto';
import { Clock } from 'src/common/clock/clock';
import { NotFound } from 'src/common/errors/domain-error';
import type { Channel } from 'src/consents/domain/consent-scope';

/**
 * "May I use it here, now?" Each answer reads what it needs in statements sent after the question
 * arrived (a single check shares its statement with the checks asked at the same moment; a bulk
 * answer keeps persons' facts only with the row version they were read at), so a question asked
 * after a withdrawal committed sees the withdrawal (READ COMMITTED).
 */
@Injectable()
export class ClearanceService {
  constructor(
    private readonly facts: ClearanceFactsRepository,
    private readonly clock: Clock,
  ) {}

  async check(assetId: string, channel: Channel, at: Date | undefined): Promise<ClearanceDto> {
    const when = at ?? this.clock.now();
    return ClearanceDto.from(
      assetId,
      channel,
      when,
      await this.evaluate(undefined, assetId, channel, when),
    );
  }

  /** The rule for one asset, inside the caller's transaction when given `em` (the publication gate). */
  async evaluate(
    em: EntityManager | undefined,
    assetId: string,
    channel: Channel,
    at: Date,
  ): Promise<Clearance> {
    const facts = await this.facts.forAsset(em, assetId.toLowerCase(), [channel]);
    const asset = facts.assets.get(assetId.toLowerCase());
    if (!asset) throw new NotFound('Asset');
    return clearanceOf(asset, channel, at, facts.persons);
  }

  async checkMany(
    assetIds: readonly string[],
    channel: Channel,
    at: Date | undefined,
  ): Promise<BulkClearanceResultDto> {
    const when = at ?? this.clock.now();
    const wanted = [...new Set(assetIds.map((id) => id.toLowerCase()))];
    const facts = await this.facts.forAssets(undefined, wanted, [channel]);
    const results = clearanceOfMany([...facts.assets.values()], channel, when, facts.persons);
    // A person's reason is shared by every asset showing them (same media type): map it once.
    const dtos = new Map<ClearanceReason, ClearanceReasonDto>();
    const dtoOf = (reason: ClearanceReason) => {
      let dto = dtos.get(reason);
      if (!dto) {
        dto = ClearanceReasonDto.from(reason);
        dtos.set(reason, dto);
      }
      return dto;
    };
    const items: BulkClearanceResultDto['items'] = [];
    const unknownAssetIds: string[] = [];
    for (const id of wanted) {
      const result = results.get(id);
      if (!result) unknownAssetIds.push(id);
      else items.push({ assetId: id, allowed: result.allowed, reasons: result.reasons.map(dtoOf) });
    }
    return { channel, at: when.toISOString(), items, unknownAssetIds };
  }

  /** Channels each asset is cleared on at `at`, from facts already loaded. */
  clearedChannels(facts: ClearanceFacts, at: Date): Map<string, Channel[]> {
    const assets = [...facts.assets.values()];
    const cleared = new Map<string, Channel[]>(assets.map((asset) => [asset.id, []]));
    for (const channel of facts.channels) {
      for (const [assetId, result] of clearanceOfMany(assets, channel, at, facts.persons)) {
        if (result.allowed) cleared.get(assetId)?.push(channel);
      }
    }
    return cleared;
  }
}
