import { describeScope, escapeMarkdown, formatDuration } from 'src/consents/domain/scope-description';

const labels = {
  channels: { linkedin: 'LinkedIn', website: "Site web de l'entreprise" },
  mediaTypes: { photo: 'Photo' },
  territory: { worldwide: 'monde entier' },
};

describe('scope description', () => {
  it('describes a consent in French with labels, dates and duration', () => {
    const description = describeScope(
      {
        channels: ['linkedin', 'website'],
        mediaTypes: ['photo'],
        territory: ['FR', 'BE'],
        excludedUses: ['publicité payante'],
        validFrom: new Date('2027-01-01T00:00:00Z'),
        validUntil: new Date('2029-01-01T00:00:00Z'),
      },
      'fr',
      labels,
    );
    expect(description.channels).toEqual([
      { code: 'linkedin', label: 'LinkedIn' },
      { code: 'website', label: "Site web de l'entreprise" },
    ]);
    expect(description.territory).toBe('France et Belgique');
    expect(description.validFrom).toBe('1 janvier 2027');
    expect(description.duration).toBe('2 ans');
  });

  it('says worldwide when no country is named', () => {
    const d = describeScope(
      { channels: [], mediaTypes: [], territory: ['worldwide'], excludedUses: [], validFrom: new Date(0), validUntil: new Date(0) },
      'fr',
      labels,
    );
    expect(d.territory).toBe('monde entier');
  });

  it('counts months, years or days', () => {
    expect(formatDuration(new Date('2027-01-15T00:00:00Z'), new Date('2027-07-15T00:00:00Z'), 'en')).toBe('6 months');
    expect(formatDuration(new Date('2027-01-15T00:00:00Z'), new Date('2027-01-25T00:00:00Z'), 'en')).toBe('10 days');
  });
});

describe('markdown escaping of free text', () => {
  it('keeps headings, lists and emphasis from taking effect', () => {
    expect(escapeMarkdown('# Title')).toBe('\\# Title');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('1. first')).toBe('1\\. first');
    expect(escapeMarkdown('a *b* [c](d)')).toBe('a \\*b\\* \\[c\\](d)');
  });
});
