import request from 'supertest';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { JobRelay } from 'src/queue/job-relay.service';
import { QueueName, SystemJob } from 'src/queue/queue-names';
import { QueuedJob } from 'src/queue/queued-job.entity';
import { DisposableRedis } from 'test/support/redis-server';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

describe('when Redis is configured but unreachable', () => {
  let redis: DisposableRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await DisposableRedis.start();
    await redis.stop();
    t = await startTestApp({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  const row = (jobId: string) => t.dataSource.getRepository(QueuedJob).findOneByOrFail({ jobId });

  it('still starts and answers, and /health names the queue as down', async () => {
    const admin = await t.keyFor('admin');
    await request(t.http).get('/v1/api-keys').set('authorization', `Bearer ${admin}`).expect(200);
    const health = await request(t.http).get('/health').expect(503);
    expect(health.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', statusCode: 503 });
    expect(health.body.details.details.database.status).toBe('up');
    expect(health.body.details.error.queue).toMatchObject({ status: 'down', backend: 'redis' });
  });

  it('keeps queued work in PostgreSQL until Redis is back, then runs it once', async () => {
    await t.dataSource.transaction((em) =>
      t.app.get(JobOutbox).enqueue(em, { queue: QueueName.System, name: SystemJob.Echo, jobId: 'during-outage', payload: {} }),
    );
    await t.app.get(JobRelay).runOnce();
    const waiting = await row('during-outage');
    expect(waiting.dispatchedAt).toBeNull();
    expect(waiting.dispatchAttempts).toBeGreaterThanOrEqual(1);
    expect(waiting.lastDispatchError).toBeTruthy();

    await redis.start();
    const done = await waitFor(async () => (await row('during-outage')).doneAt, { timeoutMs: 30_000, what: 'job done after Redis returned' });
    expect(done).toBeInstanceOf(Date);
    await waitFor(async () => (await request(t.http).get('/health')).status === 200, { timeoutMs: 10_000, what: 'health 200' });
  });
});

describe('shutting down while Redis is away', () => {
  it('closes in a few seconds instead of waiting for Redis', async () => {
    const redis = await DisposableRedis.start();
    const t = await startTestApp({ env: { REDIS_URL: redis.url } });
    await redis.stop();
    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});
