export const CHANNELS = [
  'website',
  'intranet',
  'linkedin',
  'instagram',
  'facebook',
  'x',
  'youtube',
  'tiktok',
  'print',
  'press',
  'events',
  'recruitment_ads',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const MEDIA_TYPES = ['photo', 'video', 'voice'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export const WORLDWIDE = 'worldwide';

export const PURPOSE_MIN = 10;
export const PURPOSE_MAX = 500;

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** No endless consent: validUntil may be at most `maxMonths` calendar months after validFrom. */
export function latestValidUntil(validFrom: Date, maxMonths: number): Date {
  const limit = new Date(validFrom);
  limit.setUTCMonth(limit.getUTCMonth() + maxMonths);
  return limit;
}

/** Whole months between two instants, for the "24 months" of a notice. */
export function monthsBetween(from: Date, until: Date): number {
  const months = (until.getUTCFullYear() - from.getUTCFullYear()) * 12 + (until.getUTCMonth() - from.getUTCMonth());
  return until.getUTCDate() < from.getUTCDate() ? months - 1 : months;
}
