import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/** The repo's templates/ folder, found from this file whether it runs from src/ or dist/src/. */
export function templatesDir(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'templates');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate)) return (cached = candidate);
    if (path.dirname(dir) === dir) throw new Error('templates/ folder not found above ' + __dirname);
  }
}
