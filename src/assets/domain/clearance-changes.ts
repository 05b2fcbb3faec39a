import { allowedOfMany, AssetFacts, PersonFacts } from 'src/assets/domain/clearance';
import type { Channel } from 'src/consents/domain/consent-scope';

export interface ClearanceChange {
  assetId: string;
  /** Channels the asset was allowed on before and is not after. */
  blocked: Channel[];
  /** Channels the asset was not allowed on before and is after. */
  unblocked: Channel[];
}

export interface ClearanceState {
  /** The assets as they were (their persons may differ from `after`). */
  assets: readonly AssetFacts[];
  at: Date;
}

/**
 * The assets whose clearance flips on some of `channels` between two states, in the order of
 * `after.assets`. Both states are judged with the same facts about persons and consents: a change
 * of consent is seen by asking about the instant before it and the instant after it.
 */
export function clearanceChanges(
  before: ClearanceState,
  after: ClearanceState,
  channels: readonly Channel[],
  persons: ReadonlyMap<string, PersonFacts>,
): ClearanceChange[] {
  const was = channels.map((channel) => allowedOfMany(before.assets, channel, before.at, persons));
  const now = channels.map((channel) => allowedOfMany(after.assets, channel, after.at, persons));
  const changes: ClearanceChange[] = [];
  for (const asset of after.assets) {
    let change: ClearanceChange | undefined;
    for (let i = 0; i < channels.length; i += 1) {
      const wasAllowed = was[i].get(asset.id) ?? false;
      const isAllowed = now[i].get(asset.id) ?? false;
      if (wasAllowed === isAllowed) continue;
      change ??= { assetId: asset.id, blocked: [], unblocked: [] };
      (isAllowed ? change.unblocked : change.blocked).push(channels[i]);
    }
    if (change) changes.push(change);
  }
  return changes;
}
