import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from 'src/database/embedded-postgres';

const ROOT = path.resolve(__dirname, '..', '..');
const SERVICE_ENTRY = path.join(ROOT, 'dist', 'src', 'main.js');
const START_TIMEOUT_MS = 60_000;

export interface ProcessMemory {
  /** Resident set size now (VmRSS), MB. */
  rssMB: number;
  /** Peak resident set size since the process started (VmHWM), MB. */
  peakRssMB: number;
}

/** /proc/<pid>/status of a Linux process. */
export function processMemory(pid: number): ProcessMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  // The kernel's "kB" are KiB.
  const megabytesOf = (field: string) =>
    (Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024) / 1e6;
  return { rssMB: megabytesOf('VmRSS'), peakRssMB: megabytesOf('VmHWM') };
}

export interface RssSample {
  /** Milliseconds since sampling started. */
  atMs: number;
  rssMB: number;
}

/** Samples a process's RSS every `intervalMs` until stopped. */
export function sampleRss(pid: number, intervalMs = 50): { stop(): RssSample[] } {
  const started = performance.now();
  const samples: RssSample[] = [];
  const take = () =>
    samples.push({ atMs: performance.now() - started, rssMB: processMemory(pid).rssMB });
  take();
  const timer = setInterval(() => {
    try {
      take();
    } catch {
      clearInterval(timer);
    }
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/**
 * `npm run build` unless dist/src/main.js is newer than every file under src/ and migrations/, so
 * the service measured is the code in the work tree.
 */
export function ensureServiceBuilt(): void {
  const built = fs.existsSync(SERVICE_ENTRY) ? fs.statSync(SERVICE_ENTRY).mtimeMs : 0;
  if (
    built > newestMtime(path.join(ROOT, 'src')) &&
    built > newestMtime(path.join(ROOT, 'migrations'))
  )
    return;
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) {
    const output = `${build.stdout}\n${build.stderr}`.trim().split('\n').slice(-8).join(' / ');
    throw new Error(`npm run build failed: ${output}`);
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** A node process serving HTTP on a port of its own, on a separate event loop from the load generator. */
export class ServedProcess {
  private readonly output: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    // e.g. BENCH_SERVICE_OUTPUT=/tmp/service.log with BENCH_SERVICE_NODE_ARGS=--trace-gc
    const copy = process.env.BENCH_SERVICE_OUTPUT
      ? fs.createWriteStream(process.env.BENCH_SERVICE_OUTPUT, { flags: 'a' })
      : undefined;
    const keep = (chunk: Buffer) => {
      copy?.write(chunk);
      this.output.push(...chunk.toString('utf8').trim().split('\n'));
      this.output.splice(0, Math.max(0, this.output.length - 30));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** The built service (dist/src/main.js) with `env`; resolves once /health answers. */
  static async service(env: Record<string, string>): Promise<ServedProcess> {
    ensureServiceBuilt();
    // e.g. BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the service under load
    const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    return ServedProcess.start([...nodeArgs, SERVICE_ENTRY], env, '/health');
  }

  /** A TypeScript file run with the same transpile-only loader as `npm run cli`. */
  static async script(
    file: string,
    env: Record<string, string>,
    readyPath: string,
  ): Promise<ServedProcess> {
    return ServedProcess.start(
      ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', file],
      { TS_NODE_TRANSPILE_ONLY: '1', TS_NODE_SWC: '1', ...env },
      readyPath,
    );
  }

  private static async start(
    args: string[],
    env: Record<string, string>,
    readyPath: string,
  ): Promise<ServedProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const served = new ServedProcess(child, `http://127.0.0.1:${port}`);
    await served.waitUntilServing(readyPath);
    return served;
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('the process did not start');
    return this.child.pid;
  }

  memory(): ProcessMemory {
    return processMemory(this.pid);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const exited = once(this.child, 'exit');
    const late = sleep(10_000).then(() => 'late' as const);
    if ((await Promise.race([exited, late])) === 'late') {
      this.child.kill('SIGKILL');
      await exited;
    }
  }

  private async waitUntilServing(readyPath: string): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(
          `exited with code ${this.child.exitCode}: ${this.output.slice(-5).join(' / ')}`,
        );
      }
      try {
        await fetch(`${this.url}${readyPath}`);
        return;
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    await this.stop();
    throw new Error(
      `did not answer ${readyPath} within ${START_TIMEOUT_MS / 1000} s: ${this.output.slice(-5).join(' / ')}`,
    );
  }
}
