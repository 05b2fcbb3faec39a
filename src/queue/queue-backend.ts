import { createPostgresBackend, setDefaultBackendFactory } from 'bullmq';
import type { QueueOptions, RedisOptions } from 'bullmq';
import { AppConfig } from 'src/config/app-config';
import { redisOptionsFromUrl } from 'src/queue/redis-options';

export type QueueBackendKind = 'redis' | 'postgres';

export function queueBackendKind(config: AppConfig): QueueBackendKind {
  return config.redisUrl ? 'redis' : 'postgres';
}

/**
 * BullMQ on Redis when REDIS_URL is set (production); otherwise BullMQ's PostgreSQL backend in the
 * service's own database (its own schema), so `npm start` needs nothing but Node.
 * The backend factory is process-wide in BullMQ, so it is chosen here, once, before any queue exists.
 */
export function bullRootOptions(config: AppConfig): QueueOptions {
  if (queueBackendKind(config) === 'redis') {
    setDefaultBackendFactory(undefined);
    const connection: RedisOptions = redisOptionsFromUrl(config.redisUrl as string);
    return { connection, prefix: config.queuePrefix };
  }
  setDefaultBackendFactory(createPostgresBackend);
  const connection = { connectionString: config.databaseUrl, schema: `${config.queuePrefix}_queue`, migrate: true, max: 5 };
  return { connection };
}
