import type { RedisOptions } from 'bullmq';

/** ioredis takes options, not a URL: translate redis[s]://user:pass@host:port/db. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: db ? Number(db) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // Workers block on Redis; BullMQ requires unlimited retries per request there.
    maxRetriesPerRequest: null,
    // Keep trying to reconnect, at most every 5 s, so an outage ends by itself.
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 5_000),
  };
}
