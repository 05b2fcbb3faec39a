import * as fs from 'node:fs';
import * as path from 'node:path';

/** What global-setup hands to every test file (through a file: jest runs files in other processes). */
export interface TestEnvironment {
  /** Admin connection to the server, on a database whose name contains "test". */
  adminUrl: string;
  templateDatabase: string;
  redisUrl: string;
  embeddedPid?: number;
}

export const TEST_ENV_FILE = path.resolve(__dirname, '..', '.data', 'test-env.json');

export function readTestEnvironment(): TestEnvironment {
  return JSON.parse(fs.readFileSync(TEST_ENV_FILE, 'utf8')) as TestEnvironment;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}
