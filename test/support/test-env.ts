/**
 * What global-setup hands to every test file. It travels in an environment variable, which the
 * worker processes inherit, so two test runs on one machine never read each other's settings.
 */
export interface TestEnvironment {
  /** Admin connection to the server, on a database whose name contains "test". */
  adminUrl: string;
  templateDatabase: string;
  redisUrl: string;
}

const VARIABLE = 'CONSENT_LEDGER_TEST_ENVIRONMENT';

export function writeTestEnvironment(env: TestEnvironment): void {
  process.env[VARIABLE] = JSON.stringify(env);
}

export function readTestEnvironment(): TestEnvironment {
  const raw = process.env[VARIABLE];
  if (!raw) throw new Error(`${VARIABLE} is not set: run the e2e specs through jest (its global setup sets it)`);
  return JSON.parse(raw) as TestEnvironment;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}
