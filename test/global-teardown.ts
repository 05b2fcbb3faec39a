import 'tsconfig-paths/register';
import { Client } from 'pg';
import { readTestEnvironment } from 'test/support/test-env';

export default async function globalTeardown(): Promise<void> {
  const env = readTestEnvironment();
  const admin = new Client({ connectionString: env.adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${env.templateDatabase}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await globalThis.embeddedTestDatabase?.stop();
}
