import 'tsconfig-paths/register';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from 'src/database/data-source-options';
import { startEmbeddedPostgres } from 'src/database/embedded-postgres';
import { databaseName, TestEnvironment, withDatabase, writeTestEnvironment } from 'test/support/test-env';

declare global {
  var embeddedTestDatabase: { stop(): Promise<void> } | undefined;
}

/**
 * Uses TEST_DATABASE_URL (and REDIS_URL) when set, else starts an embedded PostgreSQL.
 * Migrates once into a template database; each test file then clones it (CREATE DATABASE … TEMPLATE).
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres(path.resolve(__dirname, '..', '.data', 'test-postgres'), 'test');
    globalThis.embeddedTestDatabase = embedded;
    adminUrl = embedded.url;
  }
  if (!databaseName(adminUrl).includes('test')) {
    throw new Error(`refusing to run tests against database "${databaseName(adminUrl)}": its name must contain "test"`);
  }

  const templateDatabase = `${databaseName(adminUrl)}_template_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await dropStaleTestDatabases(admin, databaseName(adminUrl));
    await admin.query(`CREATE DATABASE "${templateDatabase}"`);
  } finally {
    await admin.end();
  }

  const dataSource = new DataSource({ ...dataSourceOptions(withDatabase(adminUrl, templateDatabase)), logging: false });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();

  const env: TestEnvironment = {
    adminUrl,
    templateDatabase,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
  writeTestEnvironment(env);
}

/** Databases left by an interrupted run (their creator is gone). */
async function dropStaleTestDatabases(admin: Client, base: string): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%' AND datname LIKE '%test%'`,
    [base],
  );
  for (const { datname } of rows) {
    const pid = Number(/_(?:template|file)_(\d+)/.exec(datname)?.[1]);
    if (pid && isAlive(pid)) continue;
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
