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

/*
 * Facts carry instants as epoch milliseconds: cheap to compare and to hold by the ten thousand (a
 * bulk clearance reads ~20,000 consents). Answers (reasons, verdicts) carry Dates.
 */
export interface ChannelDecisionFacts {
  channel: Channel;
  decision: 'accepted' | 'refused';
  withdrawnAt: number | null;
}

export interface ConsentFacts {
  id: string;
  status: ConsentStatus;
  requestedAt: number;
  answeredAt: number | null;
  signDeadline: number;
  validFrom: number;
  validUntil: number;
  /** When it left `granted` (withdrawn, expired, superseded, revoked) or lapsed. */
  endedAt: number | null;
  coversAfterEmployment: boolean;
  /** The channels asked for. */
  channels: readonly Channel[];
  mediaTypes: readonly MediaType[];
  /** The person's answer per asked channel (present once answered). */
  decisions: readonly ChannelDecisionFacts[];
}

export interface PersonFacts {
  id: string;
  employmentEndedAt: number | null;
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
  employmentEndedAt: number | null,
): ConsentVerdict {
  const at = use.at.getTime();
  if (consent.requestedAt > at) return null;
  if (!consent.mediaTypes.includes(use.mediaType))
    return { covers: false, code: 'MEDIA_NOT_COVERED' };
  if (!consent.channels.includes(use.channel))
    return { covers: false, code: 'CHANNEL_NOT_COVERED' };

  if (consent.answeredAt === null || consent.answeredAt > at) {
    // Unanswered at `at`: pending until the sign link expired, lapsed (no consent) after.
    if (consent.signDeadline <= at) return null;
    return { covers: false, code: 'PENDING', since: new Date(consent.requestedAt) };
  }
  if (consent.status === 'refused')
    return { covers: false, code: 'REFUSED', since: new Date(consent.answeredAt) };
  if (consent.status === 'pending' || consent.status === 'lapsed') return null;

  const decision = consent.decisions.find((d) => d.channel === use.channel);
  if (!decision || decision.decision !== 'accepted')
    return { covers: false, code: 'CHANNEL_NOT_COVERED' };

  const end = earliestEnd(consent, decision, employmentEndedAt, at);
  if (end) return { covers: false, code: end.code, since: new Date(end.since) };
  if (at < consent.validFrom) return { covers: false, code: 'NOT_YET_VALID' };
  return { covers: true };
}

/** What ended the consent for this channel at or before `at`: the earliest end wins. */
function earliestEnd(
  consent: ConsentFacts,
  decision: ChannelDecisionFacts,
  employmentEndedAt: number | null,
  at: number,
): { code: EndCode; since: number } | undefined {
  // The candidates, in no particular order: each is kept when it ended by `at` and is earlier
  // (or as early and more specific, see END_ORDER) than the one kept so far.
  let code: EndCode | undefined;
  let since = Infinity;
  const consider = (candidate: EndCode, when: number) => {
    if (
      when <= at &&
      (when < since ||
        (when === since &&
          code !== undefined &&
          END_ORDER.indexOf(candidate) < END_ORDER.indexOf(code)))
    ) {
      code = candidate;
      since = when;
    }
  };
  if (decision.withdrawnAt !== null) consider('WITHDRAWN', decision.withdrawnAt);
  const ended = endCodeOf(consent.status);
  if (consent.endedAt !== null && ended) consider(ended, consent.endedAt);
  consider('EXPIRED', consent.validUntil);
  if (employmentEndedAt !== null && !consent.coversAfterEmployment)
    consider('REVOKED', employmentEndedAt);
  return code === undefined ? undefined : { code, since };
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
  let best: Exclude<ConsentVerdict, null | { covers: true }> | undefined;
  let bestConsentId = '';
  for (const consent of person?.consents ?? []) {
    const verdict = consentVerdict(consent, use, person?.employmentEndedAt ?? null);
    if (verdict === null) continue;
    if (verdict.covers) return null;
    if (!best || closerToCovering(verdict, consent.id, best, bestConsentId)) {
      best = verdict;
      bestConsentId = consent.id;
    }
  }
  if (!best) return { personId, code: 'NO_CONSENT' };
  const reason: ClearanceReason = { personId, code: best.code, consentId: bestConsentId };
  if (best.since) reason.since = best.since;
  return reason;
}

/** Whether some consent of the person covers: personReason(…) === null, without ranking reasons. */
export function isCovered(
  person: PersonFacts | undefined,
  use: { mediaType: MediaType; channel: Channel; at: Date },
): boolean {
  for (const consent of person?.consents ?? []) {
    if (consentVerdict(consent, use, person?.employmentEndedAt ?? null)?.covers) return true;
  }
  return false;
}

function closerToCovering(
  a: { code: keyof typeof REASON_RANK; since?: Date },
  aConsentId: string,
  b: { code: keyof typeof REASON_RANK; since?: Date },
  bConsentId: string,
): boolean {
  const rankA = REASON_RANK[a.code];
  const rankB = REASON_RANK[b.code];
  if (rankA !== rankB) return rankA < rankB;
  const sinceA = a.since?.getTime() ?? -Infinity;
  const sinceB = b.since?.getTime() ?? -Infinity;
  if (sinceA !== sinceB) return sinceA > sinceB;
  return aConsentId < bConsentId;
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

/**
 * Only whether each asset is allowed, as clearanceOfMany(…).get(id).allowed answers it, for
 * comparing clearance before and after a change: each person once per media type, and no reasons.
 */
export function allowedOfMany(
  assets: readonly AssetFacts[],
  channel: Channel,
  at: Date,
  persons: ReadonlyMap<string, PersonFacts>,
): Map<string, boolean> {
  const memo = new Map<MediaType, Map<string, boolean>>();
  const results = new Map<string, boolean>();
  for (const asset of assets) {
    let covered = memo.get(asset.mediaType);
    if (!covered) {
      covered = new Map();
      memo.set(asset.mediaType, covered);
    }
    let allowed = true;
    for (const personId of asset.personIds) {
      let isPersonCovered = covered.get(personId);
      if (isPersonCovered === undefined) {
        isPersonCovered = isCovered(persons.get(personId), {
          mediaType: asset.mediaType,
          channel,
          at,
        });
        covered.set(personId, isPersonCovered);
      }
      if (!isPersonCovered) {
        allowed = false;
        break;
      }
    }
    results.set(asset.id, allowed);
  }
  return results;
}
