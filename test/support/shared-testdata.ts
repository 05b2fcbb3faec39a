import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const REPOSITORY = path.resolve(__dirname, '..', '..');

/**
 * A folder of the workplace's shared test data (`../shared/testdata/<name>`, beside the
 * repository). A clean clone made elsewhere (CI clones into a temporary folder) looks beside the
 * repository it was cloned from; SHARED_TESTDATA_DIR names the folder outright.
 */
export function sharedTestdata(name: string): string {
  const candidates = [
    process.env.SHARED_TESTDATA_DIR,
    path.join(REPOSITORY, '..', 'shared', 'testdata'),
    beside(clonedFrom(), 'shared', 'testdata'),
  ];
  for (const dir of candidates) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  throw new Error(
    `shared test data "${name}" not found (looked in ${candidates.filter(Boolean).join(', ')}); set SHARED_TESTDATA_DIR`,
  );
}

function clonedFrom(): string | undefined {
  try {
    const origin = execFileSync('git', ['config', '--get', 'remote.origin.url'], {
      cwd: REPOSITORY,
      encoding: 'utf8',
    }).trim();
    return path.isAbsolute(origin) ? origin : undefined;
  } catch {
    return undefined;
  }
}

function beside(repository: string | undefined, ...parts: string[]): string | undefined {
  return repository ? path.join(repository, '..', ...parts) : undefined;
}
