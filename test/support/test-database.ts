import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { readTestEnvironment, withDatabase } from 'test/support/test-env';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh copy of the migrated template, for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const env = readTestEnvironment();
  const name = `${env.templateDatabase.replace(/_template_\d+$/, '')}_file_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: env.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${env.templateDatabase}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(env.adminUrl, name),
    name,
    drop: async () => {
      const client = new Client({ connectionString: env.adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
