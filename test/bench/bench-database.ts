import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from 'src/database/data-source-options';
import { startEmbeddedPostgres } from 'src/database/embedded-postgres';
import { withDatabase } from 'test/support/test-env';

export interface BenchDatabase {
  url: string;
  name: string;
  /** Where the server came from, for the report. */
  server: 'TEST_DATABASE_URL' | 'DATABASE_URL' | 'embedded';
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database named bench_<pid>_<random> on the server of TEST_DATABASE_URL, else
 * DATABASE_URL, else an embedded PostgreSQL of its own; dropped by `drop()`.
 */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  let adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  const server: BenchDatabase['server'] = process.env.TEST_DATABASE_URL
    ? 'TEST_DATABASE_URL'
    : process.env.DATABASE_URL
      ? 'DATABASE_URL'
      : 'embedded';
  let stopEmbedded: () => Promise<void> = () => Promise.resolve();
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres(
      path.resolve(__dirname, '..', '.data', 'bench-postgres'),
      'postgres',
    );
    adminUrl = embedded.url;
    stopEmbedded = () => embedded.stop();
  }

  const name = `bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await withAdmin(adminUrl, async (admin) => {
    await dropAbandonedBenchDatabases(admin);
    await admin.query(`CREATE DATABASE "${name}"`);
  });
  const url = withDatabase(adminUrl, name);
  const dataSource = new DataSource({ ...dataSourceOptions(url), logging: false });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }

  return {
    url,
    name,
    server,
    drop: async () => {
      // BENCH_KEEP_DATABASE=1 leaves it for a look at the plans (the next run drops it).
      if (process.env.BENCH_KEEP_DATABASE) return stopEmbedded();
      await withAdmin(adminUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
      await stopEmbedded();
    },
  };
}

async function withAdmin<T>(adminUrl: string, work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** Bench databases left by a run that was killed (its process is gone). */
async function dropAbandonedBenchDatabases(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname ~ '^bench_[0-9]+_[0-9a-f]+$'",
  );
  for (const { datname } of rows) {
    const pid = Number(datname.split('_')[1]);
    if (isAlive(pid)) continue;
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
