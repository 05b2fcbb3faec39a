export const CONSENT_STATUSES = [
  'pending',
  'granted',
  'refused',
  'lapsed',
  'withdrawn',
  'expired',
  'superseded',
  'revoked',
] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** The only moves a consent can make; terminal states never change again. */
const TRANSITIONS: Record<ConsentStatus, readonly ConsentStatus[]> = {
  pending: ['granted', 'refused', 'lapsed'],
  granted: ['withdrawn', 'expired', 'superseded', 'revoked'],
  refused: [],
  lapsed: [],
  withdrawn: [],
  expired: [],
  superseded: [],
  revoked: [],
};

export function canMove(from: ConsentStatus, to: ConsentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isTerminal(status: ConsentStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

export interface DatedConsent {
  status: ConsentStatus;
  signDeadline: Date;
  validUntil: Date;
}

/**
 * What the status is at `at`, from the stored status and the dates alone: a pending request whose
 * sign link expired has lapsed, a granted consent past validUntil has expired, even if no job has
 * recorded it yet. Dates are enforced when asked, never only by a job.
 */
export function statusAt(consent: DatedConsent, at: Date): ConsentStatus {
  if (consent.status === 'pending' && at >= consent.signDeadline) return 'lapsed';
  if (consent.status === 'granted' && at >= consent.validUntil) return 'expired';
  return consent.status;
}
