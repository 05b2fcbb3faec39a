import { AssetFacts, clearanceOfMany, PersonFacts } from 'src/assets/domain/clearance';
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
  const changes = new Map<string, ClearanceChange>();
  for (const channel of channels) {
    const was = clearanceOfMany(before.assets, channel, before.at, persons);
    const now = clearanceOfMany(after.assets, channel, after.at, persons);
    for (const asset of after.assets) {
      const wasAllowed = was.get(asset.id)?.allowed ?? false;
      const isAllowed = now.get(asset.id)?.allowed ?? false;
      if (wasAllowed === isAllowed) continue;
      let change = changes.get(asset.id);
      if (!change) {
        change = { assetId: asset.id, blocked: [], unblocked: [] };
        changes.set(asset.id, change);
      }
      (isAllowed ? change.unblocked : change.blocked).push(channel);
    }
  }
  return after.assets.flatMap((asset) => changes.get(asset.id) ?? []);
}
