import {
  evidenceFilename,
  listOf,
  parisTime,
  pdfLiteralText,
  utcTime,
} from 'src/evidence/domain/evidence-format';

describe('evidence formatting', () => {
  const at = new Date('2026-07-14T21:05:09.123Z');

  it('states times in UTC and in Paris with the offset of the day', () => {
    expect(utcTime(at)).toBe('2026-07-14 21:05:09 UTC');
    expect(parisTime(at, 'fr')).toBe('14 juillet 2026 à 23:05:09 UTC+2');
    expect(parisTime(new Date('2026-01-15T10:00:00Z'), 'en')).toBe(
      '15 January 2026 at 11:00:00 GMT+1',
    );
  });

  it('lists in the language of the consent', () => {
    expect(listOf(['Photo', 'Vidéo', 'Voix'], 'fr', 'aucun')).toBe('Photo, Vidéo et Voix');
    expect(listOf([], 'en', 'none')).toBe('none');
  });

  it('names files in ASCII with the date and the consent', () => {
    expect(evidenceFilename('grant', 'fr', at, '3f2a9c1b-0000-4000-8000-000000000000')).toBe(
      'preuve-consentement-2026-07-14-3f2a9c1b.pdf',
    );
    expect(evidenceFilename('withdrawal', 'en', at, 'abcdef12-0000-4000-8000-000000000000')).toBe(
      'withdrawal-receipt-2026-07-14-abcdef12.pdf',
    );
  });

  it('keeps signature dictionary strings within what a PDF literal string holds as written', () => {
    expect(pdfLiteralText('Société Œuvre (Paris) \\ “ok” 東京')).toBe(
      'Société OEuvre [Paris] / "ok" ??',
    );
  });
});
