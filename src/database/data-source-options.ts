import * as path from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from 'src/database/entities';

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
    },
  };
}
