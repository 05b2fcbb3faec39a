import { parsePersonCsv } from 'src/persons/domain/person-csv';

describe('person CSV import parsing', () => {
  it('reads every line with its number, normalizing emails and defaulting the locale to fr', () => {
    const { rows, errors } = parsePersonCsv(
      'externalRef,fullName,email,locale\nE1,Élodie Lefèvre, Elodie@Example.com ,en\n,Jean Dupont,jean@example.com,\n',
    );
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { line: 2, externalRef: 'E1', fullName: 'Élodie Lefèvre', email: 'elodie@example.com', locale: 'en' },
      { line: 3, externalRef: null, fullName: 'Jean Dupont', email: 'jean@example.com', locale: 'fr' },
    ]);
  });

  it('reports every bad line with its line number and field', () => {
    const { errors } = parsePersonCsv(
      'externalRef,fullName,email,locale\nE1,,a@example.com,fr\nE2,Bob,not-an-email,de\nE1,Carl,a@example.com,fr\n',
    );
    expect(errors).toEqual([
      { line: 2, field: 'fullName', problem: 'fullName is required' },
      { line: 3, field: 'email', problem: 'email is not an email address' },
      { line: 3, field: 'locale', problem: 'locale must be fr or en' },
      { line: 4, field: 'email', problem: 'email repeats line 2' },
      { line: 4, field: 'externalRef', problem: 'externalRef repeats line 2' },
    ]);
  });

  it('refuses a header with unknown or missing columns', () => {
    expect(parsePersonCsv('name,mail\nx,y\n').errors.map((e) => e.field)).toEqual(['fullName', 'email', 'name', 'mail']);
  });

  it('reports malformed CSV instead of throwing', () => {
    const { errors } = parsePersonCsv('externalRef,fullName,email,locale\n"E1,Bob,b@example.com,fr\n');
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('csv');
  });
});
