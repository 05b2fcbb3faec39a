import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { ApiKeysService } from 'src/api-keys/api-keys.service';
import { AppModule } from 'src/app.module';
import type { Role } from 'src/common/auth/roles';
import type { BenchRow } from 'test/bench/bench-report';
import type { BenchScale } from 'test/bench/bench-scale';
import { BenchDatabase, createBenchDatabase } from 'test/bench/bench-database';
import { ServedProcess } from 'test/bench/service-process';

export interface BenchScenario {
  name: string;
  run(env: BenchEnvironment, scale: BenchScale): Promise<BenchRow[]>;
}

export const BENCH_LOG_ORIGIN = 'bench.consent-ledger.test/audit';

/**
 * What every scenario shares: the bench database, Redis under a prefix of its own, the
 * configuration the service runs with, the service itself (in this process for service-level
 * scenarios, as a child process for HTTP ones) and a pool for seeding and inspection.
 */
export class BenchEnvironment {
  readonly pool: Pool;
  readonly redis: Redis;
  readonly queuePrefix = `bench${randomBytes(4).toString('hex')}`;
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consent-ledger-bench-'));
  /** Shared by the in-process app and the child service, so checkpoints verify in both. */
  readonly auditSigningKey = randomBytes(32).toString('base64');
  private appContext: Promise<INestApplicationContext> | undefined;
  private readonly shared = new Map<string, Promise<unknown>>();
  private readonly services: ServedProcess[] = [];

  private constructor(
    readonly database: BenchDatabase,
    readonly redisUrl: string,
  ) {
    this.pool = new Pool({
      connectionString: database.url,
      max: 8,
      application_name: 'consent-ledger-bench',
    });
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  }

  static async create(): Promise<BenchEnvironment> {
    const database = await createBenchDatabase();
    const env = new BenchEnvironment(database, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      await env.redis.connect();
    } catch (error) {
      await env.close();
      throw error;
    }
    return env;
  }

  /** The environment the service runs with, in this process or as a child. */
  serviceEnv(): Record<string, string> {
    return {
      DATABASE_URL: this.database.url,
      REDIS_URL: this.redisUrl,
      QUEUE_PREFIX: this.queuePrefix,
      LOG_LEVEL: 'warn',
      DATA_DIR: this.dataDir,
      AUDIT_SIGNING_KEY: this.auditSigningKey,
      AUDIT_LOG_ORIGIN: BENCH_LOG_ORIGIN,
      ORG_NAME: 'Bench Employer',
    };
  }

  /** The whole application (every module, queues and workers included) without HTTP, in this process. */
  app(): Promise<INestApplicationContext> {
    this.appContext ??= (async () => {
      Object.assign(process.env, this.serviceEnv());
      return NestFactory.createApplicationContext(AppModule.forRoot(), {
        logger: ['error', 'warn'],
      });
    })();
    return this.appContext;
  }

  /** The built service as a child process, with a fresh heap; stopped by the caller or at close. */
  async startService(): Promise<ServedProcess> {
    const service = await ServedProcess.service(this.serviceEnv());
    this.services.push(service);
    return service;
  }

  /** Made once per run and shared by the scenarios that ask for it by the same key. */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.shared.has(key)) this.shared.set(key, make());
    return this.shared.get(key) as Promise<T>;
  }

  async apiKey(role: Role): Promise<string> {
    const app = await this.app();
    const created = await app
      .get(ApiKeysService)
      .create(`bench ${role}`, role, { type: 'system', id: 'bench' });
    return created.plaintext;
  }

  /** Redis `INFO memory` used_memory, in bytes. */
  async redisUsedMemory(): Promise<number> {
    const info = await this.redis.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
  }

  async close(): Promise<void> {
    for (const service of this.services) await service.stop();
    const app = this.appContext;
    this.appContext = undefined;
    if (app) await (await app.catch(() => undefined))?.close();
    await this.pool.end();
    if (this.redis.status === 'ready') {
      await this.deleteQueueKeys();
      await this.redis.quit();
    } else {
      this.redis.disconnect();
    }
    await this.database.drop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async deleteQueueKeys(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.queuePrefix}:*`,
        'COUNT',
        1000,
      );
      if (keys.length > 0) await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
