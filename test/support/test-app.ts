import { Test, TestingModuleBuilder } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { ApiKeysService } from 'src/api-keys/api-keys.service';
import { AppModule } from 'src/app.module';
import { configureApp, createHttpAdapter } from 'src/bootstrap';
import { Clock, ManualClock } from 'src/common/clock/clock';
import type { Role } from 'src/common/auth/roles';
import { createTestDatabase, TestDatabase } from 'test/support/test-database';
import { readTestEnvironment } from 'test/support/test-env';

export interface TestAppOptions {
  /** 'postgres' runs BullMQ on its PostgreSQL backend instead of Redis. */
  queueBackend?: 'redis' | 'postgres';
  clock?: Clock;
  env?: Record<string, string>;
  /** Reuse a database (e.g. to restart the service on the same data). */
  database?: TestDatabase;
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

export interface TestApp {
  app: NestFastifyApplication;
  http: ReturnType<NestFastifyApplication['getHttpServer']>;
  dataSource: DataSource;
  database: TestDatabase;
  clock: Clock;
  queuePrefix: string;
  /** Creates an API key with this role and returns the secret. */
  keyFor(role: Role, name?: string): Promise<string>;
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

/** Boots the real application on a fresh copy of the migrated database, with real Redis. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const testEnv = readTestEnvironment();
  const database = options.database ?? (await createTestDatabase());
  const queuePrefix = `t${randomBytes(4).toString('hex')}`;
  const clock = options.clock ?? new ManualClock(new Date());
  const env: Record<string, string | undefined> = {
    DATABASE_URL: database.url,
    REDIS_URL: options.queueBackend === 'postgres' ? undefined : testEnv.redisUrl,
    SMTP_URL: undefined,
    QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: path.join(os.tmpdir(), `consent-ledger-${queuePrefix}`),
    ...options.env,
  };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }

  let builder = Test.createTestingModule({ imports: [AppModule.forRoot()] })
    .overrideProvider(Clock)
    .useValue(clock);
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), { bufferLogs: true });
  await configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();

  return {
    app,
    http: app.getHttpServer(),
    dataSource: app.get(DataSource),
    database,
    clock,
    queuePrefix,
    keyFor: async (role, name = `${role} test key`) =>
      (await app.get(ApiKeysService).create(name, role, { type: 'system', id: 'test' })).plaintext,
    close: async ({ keepDatabase = false } = {}) => {
      await app.close();
      if (!keepDatabase) await database.drop();
    },
  };
}
