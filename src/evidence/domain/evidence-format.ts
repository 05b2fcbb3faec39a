import type { EvidenceKind, EvidenceLocale } from 'src/evidence/domain/evidence-facts';

export const EVIDENCE_TIME_ZONE = 'Europe/Paris';

/** "2026-01-15 14:03:27 UTC": to the second, as the audit log records it. */
export function utcTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "15 janvier 2026 à 15:03:27 UTC+1": the legal time in France, with its offset. */
export function parisTime(date: Date, locale: EvidenceLocale): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    timeZone: EVIDENCE_TIME_ZONE,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'shortOffset',
  }).format(date);
}

export function listOf(items: readonly string[], locale: EvidenceLocale, none: string): string {
  if (items.length === 0) return none;
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}

const NAMES: Record<EvidenceKind, Record<EvidenceLocale, string>> = {
  grant: { fr: 'preuve-consentement', en: 'consent-evidence' },
  paper_cover: { fr: 'preuve-consentement-papier', en: 'paper-consent-cover' },
  withdrawal: { fr: 'recu-retrait', en: 'withdrawal-receipt' },
};

/** e.g. preuve-consentement-2026-01-15-3f2a9c1b.pdf: ASCII, sortable, names the consent. */
export function evidenceFilename(
  kind: EvidenceKind,
  locale: EvidenceLocale,
  issuedAt: Date,
  consentId: string,
): string {
  return `${NAMES[kind][locale]}-${issuedAt.toISOString().slice(0, 10)}-${consentId.slice(0, 8)}.pdf`;
}

const LATIN1_FALLBACKS: Record<string, string> = {
  œ: 'oe',
  Œ: 'OE',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '–': '-',
  '—': '-',
  '…': '...',
  '€': 'EUR',
  '(': '[',
  ')': ']',
  '\\': '/',
};

/**
 * Text for a PDF literal string written as is (the signature dictionary's /Name, /Reason…):
 * PDFDocEncoding agrees with Latin-1 on printable characters, and parentheses and backslashes
 * would need escaping, so everything else is replaced.
 */
export function pdfLiteralText(text: string): string {
  return [...text.normalize('NFC')]
    .map((char) => LATIN1_FALLBACKS[char] ?? (/^[\x20-\x7e\xa0-\xff]$/.test(char) ? char : '?'))
    .join('');
}
