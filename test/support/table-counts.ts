import type { DataSource } from 'typeorm';

export type TableCounts = Record<string, number>;

/**
 * Counts the rows of every table of the public schema in one statement. The table list is read
 * once, when the counter is made, so tables added by later migrations are counted too.
 */
export async function tableCounter(dataSource: DataSource): Promise<() => Promise<TableCounts>> {
  const tables = await dataSource.query<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const sql = tables
    .map(
      ({ table_name }) =>
        `SELECT '${table_name}' AS name, count(*)::int AS n FROM public."${table_name}"`,
    )
    .join(' UNION ALL ');
  return async () => {
    const rows = await dataSource.query<{ name: string; n: number }[]>(sql);
    return Object.fromEntries(rows.map((row) => [row.name, row.n]));
  };
}

/** The tables whose count differs, as `table: before → after`. */
export function changedTables(before: TableCounts, after: TableCounts): string[] {
  return Object.keys({ ...before, ...after })
    .filter((name) => before[name] !== after[name])
    .map((name) => `${name}: ${before[name]} → ${after[name]}`);
}
