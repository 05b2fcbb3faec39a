import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { withTimeout } from 'src/common/util/with-timeout';
import { AppConfig } from 'src/config/app-config';
import { queueBackendKind, QueueBackendKind } from 'src/queue/queue-backend';
import { redisOptionsFromUrl } from 'src/queue/redis-options';

export interface QueueBackendStatus {
  backend: QueueBackendKind;
  up: boolean;
  detail?: string;
}

/** Knows which queue backend runs and whether it answers; never blocks a request on Redis. */
@Injectable()
export class QueueWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Queue');
  private redis: Redis | undefined;
  readonly backend: QueueBackendKind;

  constructor(config: AppConfig) {
    this.backend = queueBackendKind(config);
    if (config.redisUrl) {
      this.redis = new Redis({
        ...redisOptionsFromUrl(config.redisUrl),
        // Its own client, failing fast: a health probe must answer even while Redis is away.
        maxRetriesPerRequest: 0,
        connectTimeout: 2_000,
      });
      this.redis.on('error', () => undefined);
    }
  }

  onApplicationBootstrap(): void {
    if (!this.redis) {
      this.logger.log('queues run on PostgreSQL (BullMQ PostgreSQL backend); set REDIS_URL for Redis');
      return;
    }
    void this.warnAboutEvictionPolicy();
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }

  async status(): Promise<QueueBackendStatus> {
    if (!this.redis) return { backend: 'postgres', up: true };
    try {
      await withTimeout(this.redis.ping(), 1_500, 'redis ping');
      return { backend: 'redis', up: true };
    } catch (error) {
      return { backend: 'redis', up: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  private async warnAboutEvictionPolicy(): Promise<void> {
    try {
      const info = this.redis ? await withTimeout(this.redis.info('memory'), 5_000, 'redis info') : '';
      const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
      if (policy && policy !== 'noeviction') {
        this.logger.warn(`Redis maxmemory-policy is ${policy}: set it to noeviction, or queued jobs may be evicted`);
      }
    } catch {
      this.logger.warn('Redis is unreachable at start; queued work waits in PostgreSQL until it is back');
    }
  }
}
