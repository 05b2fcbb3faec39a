import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ManualClock } from 'src/common/clock/clock';
import { JobOutbox } from 'src/queue/job-outbox.service';
import { JobRelay } from 'src/queue/job-relay.service';
import { QueueName, SystemJob } from 'src/queue/queue-names';
import { QueuedJob } from 'src/queue/queued-job.entity';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

/** The same queue guarantees, checked on whichever BullMQ backend runs. */
export function describeQueueBehaviour(backend: 'redis' | 'postgres'): void {
  describe(`queued work on the ${backend} backend`, () => {
    let t: TestApp;
    let clock: ManualClock;
    let outbox: JobOutbox;
    let relay: JobRelay;

    beforeAll(async () => {
      clock = new ManualClock(new Date());
      t = await startTestApp({ queueBackend: backend, clock });
      outbox = t.app.get(JobOutbox);
      relay = t.app.get(JobRelay);
    });
    afterAll(() => t.close());

    const row = (jobId: string) => t.dataSource.getRepository(QueuedJob).findOneBy({ jobId });
    const echo = (jobId: string, runAt?: Date) =>
      t.dataSource.transaction((em) =>
        outbox.enqueue(em, { queue: QueueName.System, name: SystemJob.Echo, jobId, payload: { n: 1 }, runAt }),
      );

    it('reports its backend on /health', async () => {
      const { body } = await (await import('supertest')).default(t.http).get('/health').expect(200);
      expect(body.info.queue.backend).toBe(backend);
    });

    it('runs a job committed with a transaction, once', async () => {
      await echo('echo-once');
      await echo('echo-once');
      const done = await waitFor(async () => (await row('echo-once'))?.doneAt, { what: 'echo job done' });
      expect(done).toBeInstanceOf(Date);
      expect(await t.dataSource.getRepository(QueuedJob).countBy({ jobId: 'echo-once' })).toBe(1);
    });

    it('leaves no job behind when the transaction rolls back', async () => {
      await expect(
        t.dataSource.transaction(async (em) => {
          await outbox.enqueue(em, { queue: QueueName.System, name: SystemJob.Echo, jobId: 'echo-rolled-back', payload: {} });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      await relay.runOnce();
      expect(await row('echo-rolled-back')).toBeNull();
    });

    it('keeps far-future work in PostgreSQL only, and hands it over once it comes within the horizon', async () => {
      await echo('echo-next-year', new Date(clock.now().getTime() + 365 * 86_400_000));
      await relay.runOnce();
      expect((await row('echo-next-year'))?.dispatchedAt).toBeNull();
      clock.advance(365 * 86_400_000 - 3_600_000);
      await relay.runOnce();
      expect((await row('echo-next-year'))?.dispatchedAt).toBeInstanceOf(Date);
      const queue = t.app.get<Queue>(getQueueToken(QueueName.System));
      expect(await queue.getJobState('echo-next-year')).toBe('delayed');
    });

    it('puts back a job the queue lost before running it', async () => {
      await echo('echo-lost', new Date(clock.now().getTime() + 3_600_000));
      await relay.runOnce();
      const queue = t.app.get<Queue>(getQueueToken(QueueName.System));
      expect(await queue.getJob('echo-lost')).toBeTruthy();
      await queue.remove('echo-lost');
      expect(await queue.getJob('echo-lost')).toBeFalsy();

      clock.advance(10 * 60_000);
      const { restored } = await relay.runOnce();
      expect(restored).toBeGreaterThanOrEqual(1);
      expect(await queue.getJob('echo-lost')).toBeTruthy();
    });
  });
}
