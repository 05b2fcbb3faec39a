import * as path from 'node:path';
import { Client, ClientConfig } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from 'src/database/entities';

/** A query running this long makes the client check that the server still answers at all. */
const SILENCE_CHECK_MS = 3_000;
const PROBE_TIMEOUT_MS = 3_000;
let probeInFlight: Promise<boolean> | undefined;

/**
 * A pg client that notices a silent network. A query can wait for ever on a connection whose
 * packets are dropped; a timeout on every query would also cut legitimately slow ones (migrations)
 * and hand the pool back a connection still inside its transaction. Instead, once a query has run
 * a few seconds, a fresh connection checks that the server answers: if it does not, this connection
 * is closed (the server rolls its transaction back, the pool drops it) and the request fails as
 * "database unavailable".
 */
export class WatchedPgClient extends Client {
  constructor(private readonly watchedConfig: ClientConfig) {
    super(watchedConfig);
  }

  watch<T>(result: T): T {
    // Callback and streaming queries are left alone; TypeORM uses the promise form.
    if (typeof (result as { then?: unknown } | undefined)?.then !== 'function') return result;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      timer = setTimeout(() => {
        void serverAnswers(this.watchedConfig).then((answers) => {
          if (settled) return;
          if (answers) check();
          else this.end().catch(() => undefined);
        });
      }, SILENCE_CHECK_MS);
      timer.unref();
    };
    const done = () => {
      settled = true;
      clearTimeout(timer);
    };
    check();
    (result as Promise<unknown>).then(done, done);
    return result;
  }
}

// Wraps the inherited query at call time (not bound per instance), so it composes with anything
// that patches Client.prototype.query later, such as a test counting statements.
WatchedPgClient.prototype.query = function (this: WatchedPgClient, ...args: unknown[]) {
  return this.watch((Client.prototype.query as (...a: unknown[]) => unknown).apply(this, args));
} as Client['query'];

function serverAnswers(config: ClientConfig): Promise<boolean> {
  probeInFlight ??= (async () => {
    const probe = new Client({ ...config, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return true;
    } catch (error) {
      // A refusal from the server itself (too many clients, shutting down) still proves it answers.
      return typeof (error as { severity?: unknown }).severity === 'string';
    } finally {
      await probe.end().catch(() => undefined);
      probeInFlight = undefined;
    }
  })();
  return probeInFlight;
}

/**
 * The one DataSource definition, shared by the app, the migration CLI and the tests.
 * The schema comes only from migrations/: synchronize stays off.
 */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [path.join(__dirname, '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install, no superuser needed.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // Query logging would put parameters (emails, names) in the log: errors surface as exceptions.
    logging: false,
    extra: {
      max: 20,
      connectionTimeoutMillis: 5_000,
      application_name: 'consent-ledger',
      Client: WatchedPgClient,
    },
  };
}
