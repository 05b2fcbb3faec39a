import { monthsBetween, WORLDWIDE } from 'src/consents/domain/consent-scope';

export interface ScopeLabels {
  channels: Record<string, string>;
  mediaTypes: Record<string, string>;
  territory: Record<string, string>;
}

export interface ConsentScope {
  channels: readonly string[];
  mediaTypes: readonly string[];
  territory: readonly string[];
  excludedUses: readonly string[];
  validFrom: Date;
  validUntil: Date;
}

export interface Labelled {
  code: string;
  label: string;
}

export interface ScopeDescription {
  channels: Labelled[];
  mediaTypes: Labelled[];
  territory: string;
  excludedUses: string[];
  validFrom: string;
  validUntil: string;
  duration: string;
}

export const DISPLAY_TIME_ZONE = 'Europe/Paris';

/** A date as people read it in their language, e.g. "1 janvier 2027" / "January 1, 2027". */
export function formatDate(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: DISPLAY_TIME_ZONE }).format(date);
}

export function formatDuration(from: Date, until: Date, locale: string): string {
  const months = monthsBetween(from, until);
  if (months >= 1) {
    const years = months % 12 === 0 ? months / 12 : undefined;
    return years
      ? new Intl.NumberFormat(locale, { style: 'unit', unit: 'year', unitDisplay: 'long' }).format(years)
      : new Intl.NumberFormat(locale, { style: 'unit', unit: 'month', unitDisplay: 'long' }).format(months);
  }
  const days = Math.max(1, Math.round((until.getTime() - from.getTime()) / 86_400_000));
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'long' }).format(days);
}

export function describeTerritory(territory: readonly string[], locale: string, labels: ScopeLabels): string {
  if (territory.length === 0 || territory.includes(WORLDWIDE)) return labels.territory[WORLDWIDE] ?? WORLDWIDE;
  const names = new Intl.DisplayNames([locale], { type: 'region' });
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(
    territory.map((code) => names.of(code) ?? code),
  );
}

/** Everything a notice, an email or a page says about what was asked, in the person's language. */
export function describeScope(scope: ConsentScope, locale: string, labels: ScopeLabels): ScopeDescription {
  return {
    channels: scope.channels.map((code) => ({ code, label: labels.channels[code] ?? code })),
    mediaTypes: scope.mediaTypes.map((code) => ({ code, label: labels.mediaTypes[code] ?? code })),
    territory: describeTerritory(scope.territory, locale, labels),
    excludedUses: [...scope.excludedUses],
    validFrom: formatDate(scope.validFrom, locale),
    // validUntil is exclusive; people read "until <date>" as including that day.
    validUntil: formatDate(new Date(scope.validUntil.getTime() - 1), locale),
    duration: formatDuration(scope.validFrom, scope.validUntil, locale),
  };
}

/** Free text pasted into a Markdown notice must not change its layout (headings, lists, links). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, (char) => `\\${char}`).replace(/^([-+=])/, '\\$1').replace(/^(\d+)\./, '$1\\.');
}
