import { parse } from 'csv-parse/sync';
import { isEmail } from 'class-validator';
import { normalizeEmail, normalizeName } from 'src/persons/domain/person-input';

export const PERSON_CSV_COLUMNS = ['externalRef', 'fullName', 'email', 'locale'] as const;

export interface PersonCsvRow {
  line: number;
  externalRef: string | null;
  fullName: string;
  email: string;
  locale: 'fr' | 'en';
}

export interface CsvLineError {
  line: number;
  field: string;
  problem: string;
}

type RawRecord = { record: Record<string, string>; info: { lines: number } };

/** Parses and checks a whole import; every problem is reported with its line and field. */
export function parsePersonCsv(text: string): { rows: PersonCsvRow[]; errors: CsvLineError[] } {
  let records: RawRecord[];
  let header: string[] = [];
  try {
    records = parse<RawRecord>(text, {
      bom: true,
      columns: (names: string[]) => {
        header = names.map((name) => name.trim());
        return header;
      },
      skip_empty_lines: true,
      trim: true,
      info: true,
    });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return { rows: [], errors: [{ line, field: 'csv', problem: (error as Error).message }] };
  }

  const headerErrors = checkHeader(header);
  if (headerErrors.length > 0) return { rows: [], errors: headerErrors };

  const rows: PersonCsvRow[] = [];
  const errors: CsvLineError[] = [];
  const seenEmails = new Map<string, number>();
  const seenRefs = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const problems: CsvLineError[] = [];
    const fullName = normalizeName(record.fullName ?? '');
    const email = normalizeEmail(record.email ?? '');
    const externalRef = (record.externalRef ?? '').trim() || null;
    const locale = (record.locale ?? '').trim() || 'fr';

    if (!fullName) problems.push({ line, field: 'fullName', problem: 'fullName is required' });
    else if (fullName.length > 200) problems.push({ line, field: 'fullName', problem: 'fullName is longer than 200 characters' });
    if (!email) problems.push({ line, field: 'email', problem: 'email is required' });
    else if (!isEmail(email) || email.length > 254) problems.push({ line, field: 'email', problem: 'email is not an email address' });
    else if (seenEmails.has(email)) problems.push({ line, field: 'email', problem: `email repeats line ${seenEmails.get(email)}` });
    if (externalRef && externalRef.length > 100) problems.push({ line, field: 'externalRef', problem: 'externalRef is longer than 100 characters' });
    else if (externalRef && seenRefs.has(externalRef)) problems.push({ line, field: 'externalRef', problem: `externalRef repeats line ${seenRefs.get(externalRef)}` });
    if (locale !== 'fr' && locale !== 'en') problems.push({ line, field: 'locale', problem: 'locale must be fr or en' });

    if (email && !seenEmails.has(email)) seenEmails.set(email, line);
    if (externalRef && !seenRefs.has(externalRef)) seenRefs.set(externalRef, line);
    if (problems.length > 0) errors.push(...problems);
    else rows.push({ line, externalRef, fullName, email, locale: locale as 'fr' | 'en' });
  }
  if (records.length === 0 && errors.length === 0) {
    errors.push({ line: 2, field: 'csv', problem: 'the file has a header but no person' });
  }
  return { rows, errors };
}

function checkHeader(header: string[]): CsvLineError[] {
  const errors: CsvLineError[] = [];
  for (const column of PERSON_CSV_COLUMNS) {
    if (column !== 'locale' && column !== 'externalRef' && !header.includes(column)) {
      errors.push({ line: 1, field: column, problem: `header lacks the ${column} column` });
    }
  }
  for (const column of header) {
    if (!(PERSON_CSV_COLUMNS as readonly string[]).includes(column)) {
      errors.push({ line: 1, field: column, problem: `unknown column ${column}; expected ${PERSON_CSV_COLUMNS.join(',')}` });
    }
  }
  return errors;
}
