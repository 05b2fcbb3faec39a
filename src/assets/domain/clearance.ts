/**
 * The clearance rule: may an asset be used on a channel at an instant?
 *
 * Allowed when every person in the asset has at least one consent that, as of `at`, was granted
 * (answered before `at`), accepts the channel (not withdrawn for it before `at`), covers the
 * asset's media type, and is valid (validFrom ≤ at < validUntil, not ended before `at`, not past
 * an end of employment it does not survive). Everything is read from dates, never only from the
 * stored status, so a past `at` answers what was allowed then and an expiry needs no job.
 */
import type { Channel, MediaType } from 'src/consents/domain/consent-scope';
import type { ConsentStatus } from 'src/consents/domain/consent-state';

export const CLEARANCE_REASON_CODES = [
  'NO_CONSENT',
  'PENDING',
  'REFUSED',
  'WITHDRAWN',
  'EXPIRED',
  'REVOKED',
  'NOT_YET_VALID',
  'CHANNEL_NOT_COVERED',
  'MEDIA_NOT_COVERED',
] as const;
export type ClearanceReasonCode = (typeof CLEARANCE_REASON_CODES)[number];

export interface ChannelDecisionFacts {
  channel: Channel;
  decision: 'accepted' | 'refused';
  withdrawnAt: Date | null;
}

export interface ConsentFacts {
  id: string;
  status: ConsentStatus;
  requestedAt: Date;
  answeredAt: Date | null;
  signDeadline: Date;
  validFrom: Date;
  validUntil: Date;
  /** When it left `granted` (withdrawn, expired, superseded, revoked) or lapsed. */
  endedAt: Date | null;
  coversAfterEmployment: boolean;
  /** The channels asked for. */
  channels: readonly Channel[];
  mediaTypes: readonly MediaType[];
  /** The person's answer per asked channel (present once answered). */
  decisions: readonly ChannelDecisionFacts[];
}

export interface PersonFacts {
  id: string;
  employmentEndedAt: Date | null;
  consents: readonly ConsentFacts[];
}

export interface AssetFacts {
  id: string;
  mediaType: MediaType;
  personIds: readonly string[];
}

export interface ClearanceReason {
  personId: string;
  code: ClearanceReasonCode;
  consentId?: string;
  since?: Date;
}

export interface Clearance {
  allowed: boolean;
  /** One per person not covered, in the asset's person order; empty when allowed. */
  reasons: ClearanceReason[];
}

/** What one consent says about one use at one instant; null when it did not exist yet or had lapsed. */
export type ConsentVerdict =
  | { covers: true }
  | { covers: false; code: Exclude<ClearanceReasonCode, 'NO_CONSENT'>; since?: Date }
  | null;

/**
 * Precedence when none of a person's consents covers: the reason of the consent that came closest
 * to covering this use. Lower ranks win. The three ends share a rank and the most recent end wins
 * (the consent that covered last); ties go to the most recent `since`, then the smallest consent id.
 *
 *   0 NOT_YET_VALID        granted, in scope, only its start date is still ahead
 *   1 PENDING              in scope, only the signature is missing
 *   2 WITHDRAWN | REVOKED | EXPIRED   covered this use, then ended
 *   3 REFUSED              asked for this use and declined as a whole
 *   4 CHANNEL_NOT_COVERED  covers the media type, not this channel (never asked, or refused for it)
 *   5 MEDIA_NOT_COVERED    does not cover the asset's media type
 *   - NO_CONSENT           no consent existed at `at` (never asked, or only lapsed requests)
 */
export const REASON_RANK: Record<Exclude<ClearanceReasonCode, 'NO_CONSENT'>, number> = {
  NOT_YET_VALID: 0,
  PENDING: 1,
  WITHDRAWN: 2,
  REVOKED: 2,
  EXPIRED: 2,
  REFUSED: 3,
  CHANNEL_NOT_COVERED: 4,
  MEDIA_NOT_COVERED: 5,
};

/** Ends of the same instant, the most specific first (a withdrawal is the person's own act). */
const END_ORDER = ['WITHDRAWN', 'REVOKED', 'EXPIRED'] as const;
type EndCode = (typeof END_ORDER)[number];

export function consentVerdict(
  consent: ConsentFacts,
  use: { mediaType: MediaType; channel: Channel; at: Date },
  employmentEndedAt: Date | null,
): ConsentVerdict {
  const at = use.at.getTime();
  if (consent.requestedAt.getTime() > at) return null;
  if (!consent.mediaTypes.includes(use.mediaType))
    return { covers: false, code: 'MEDIA_NOT_COVERED' };
  if (!consent.channels.includes(use.channel))
    return { covers: false, code: 'CHANNEL_NOT_COVERED' };

  const answered = consent.answeredAt !== null && consent.answeredAt.getTime() <= at;
  if (!answered) {
    // Unanswered at `at`: pending until the sign link expired, lapsed (no consent) after.
    if (consent.signDeadline.getTime() <= at) return null;
    return { covers: false, code: 'PENDING', since: consent.requestedAt };
  }
  if (consent.status === 'refused')
    return { covers: false, code: 'REFUSED', since: consent.answeredAt ?? undefined };
  if (consent.status === 'pending' || consent.status === 'lapsed') return null;

  const decision = consent.decisions.find((d) => d.channel === use.channel);
  if (!decision || decision.decision !== 'accepted')
    return { covers: false, code: 'CHANNEL_NOT_COVERED' };

  const end = earliestEnd(consent, decision, employmentEndedAt, at);
  if (end) return { covers: false, code: end.code, since: end.since };
  if (at < consent.validFrom.getTime()) return { covers: false, code: 'NOT_YET_VALID' };
  return { covers: true };
}

/** What ended the consent for this channel at or before `at`: the earliest end wins. */
function earliestEnd(
  consent: ConsentFacts,
  decision: ChannelDecisionFacts,
  employmentEndedAt: Date | null,
  at: number,
): { code: EndCode; since: Date } | undefined {
  const ends: { code: EndCode; since: Date }[] = [];
  if (decision.withdrawnAt) ends.push({ code: 'WITHDRAWN', since: decision.withdrawnAt });
  if (consent.endedAt) {
    const code = endCodeOf(consent.status);
    if (code) ends.push({ code, since: consent.endedAt });
  }
  ends.push({ code: 'EXPIRED', since: consent.validUntil });
  if (employmentEndedAt && !consent.coversAfterEmployment)
    ends.push({ code: 'REVOKED', since: employmentEndedAt });
  let best: { code: EndCode; since: Date } | undefined;
  for (const end of ends) {
    if (end.since.getTime() > at) continue;
    if (
      !best ||
      end.since.getTime() < best.since.getTime() ||
      (end.since.getTime() === best.since.getTime() &&
        END_ORDER.indexOf(end.code) < END_ORDER.indexOf(best.code))
    ) {
      best = end;
    }
  }
  return best;
}

function endCodeOf(status: ConsentStatus): EndCode | undefined {
  switch (status) {
    case 'withdrawn':
      return 'WITHDRAWN';
    case 'revoked':
      return 'REVOKED';
    // A superseded consent ended at its validUntil, when its renewal took over.
    case 'expired':
    case 'superseded':
      return 'EXPIRED';
    case 'pending':
    case 'granted':
    case 'refused':
    case 'lapsed':
      return undefined;
  }
}

/** Null when the person is covered; otherwise the most telling reason (see REASON_RANK). */
export function personReason(
  personId: string,
  person: PersonFacts | undefined,
  use: { mediaType: MediaType; channel: Channel; at: Date },
): ClearanceReason | null {
  let best: ClearanceReason | undefined;
  for (const consent of person?.consents ?? []) {
    const verdict = consentVerdict(consent, use, person?.employmentEndedAt ?? null);
    if (verdict === null) continue;
    if (verdict.covers) return null;
    const candidate: ClearanceReason = { personId, code: verdict.code, consentId: consent.id };
    if (verdict.since) candidate.since = verdict.since;
    if (!best || closerToCovering(candidate, best)) best = candidate;
  }
  return best ?? { personId, code: 'NO_CONSENT' };
}

function closerToCovering(a: ClearanceReason, b: ClearanceReason): boolean {
  const rankA = REASON_RANK[a.code as keyof typeof REASON_RANK];
  const rankB = REASON_RANK[b.code as keyof typeof REASON_RANK];
  if (rankA !== rankB) return rankA < rankB;
  const sinceA = a.since?.getTime() ?? -Infinity;
  const sinceB = b.since?.getTime() ?? -Infinity;
  if (sinceA !== sinceB) return sinceA > sinceB;
  return (a.consentId ?? '') < (b.consentId ?? '');
}

/** The rule for one asset. An asset with nobody in it is allowed everywhere. */
export function clearanceOf(
  asset: Pick<AssetFacts, 'mediaType' | 'personIds'>,
  channel: Channel,
  at: Date,
  persons: ReadonlyMap<string, PersonFacts>,
): Clearance {
  const reasons: ClearanceReason[] = [];
  for (const personId of asset.personIds) {
    const reason = personReason(personId, persons.get(personId), {
      mediaType: asset.mediaType,
      channel,
      at,
    });
    if (reason) reasons.push(reason);
  }
  return { allowed: reasons.length === 0, reasons };
}

/**
 * The rule for many assets on one channel at one instant. A person's verdict depends only on the
 * media type, so it is worked out once per (person, media type), however many assets show them.
 */
export function clearanceOfMany(
  assets: readonly AssetFacts[],
  channel: Channel,
  at: Date,
  persons: ReadonlyMap<string, PersonFacts>,
): Map<string, Clearance> {
  const memo = new Map<MediaType, Map<string, ClearanceReason | null>>();
  const results = new Map<string, Clearance>();
  for (const asset of assets) {
    let verdicts = memo.get(asset.mediaType);
    if (!verdicts) {
      verdicts = new Map();
      memo.set(asset.mediaType, verdicts);
    }
    let reasons: ClearanceReason[] | undefined;
    for (const personId of asset.personIds) {
      let reason = verdicts.get(personId);
      if (reason === undefined) {
        reason = personReason(personId, persons.get(personId), {
          mediaType: asset.mediaType,
          channel,
          at,
        });
        verdicts.set(personId, reason);
      }
      if (reason) (reasons ??= []).push(reason);
    }
    results.set(asset.id, reasons ? { allowed: false, reasons } : { allowed: true, reasons: [] });
  }
  return results;
}
