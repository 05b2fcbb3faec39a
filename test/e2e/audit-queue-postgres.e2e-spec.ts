import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { AUDIT_CHECKPOINT_SCHEDULER_ID } from 'src/audit/audit-checkpoint-schedule';
import { QueueName } from 'src/queue/queue-names';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

describe('audit queue work on the PostgreSQL queue backend', () => {
  let t: TestApp;
  let webhook: http.Server;
  const received: { treeSize: number; note: string }[] = [];
  let failuresLeft = 1;

  beforeAll(async () => {
    webhook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        // The first delivery fails: the queue must retry it.
        if (failuresLeft-- > 0) return res.writeHead(503).end();
        received.push(JSON.parse(body) as { treeSize: number; note: string });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/`;
    t = await startTestApp({ queueBackend: 'postgres', env: { AUDIT_CHECKPOINT_WEBHOOK: url } });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => webhook.close(resolve));
  });

  it('registers the timed checkpoint and delivers checkpoints to the webhook, retrying a failure', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Audit));
    const scheduler = await waitFor(() => queue.getJobScheduler(AUDIT_CHECKPOINT_SCHEDULER_ID), {
      what: 'scheduler',
    });
    expect(scheduler).toMatchObject({ every: 60 * 60_000 });

    const legal = await t.keyFor('hr_legal');
    const { body } = await request(t.http)
      .post('/v1/audit/checkpoints')
      .set('authorization', `Bearer ${legal}`)
      .expect(201);
    const delivered = await waitFor(
      () => Promise.resolve(received.find((copy) => copy.treeSize === body.treeSize)),
      {
        timeoutMs: 20_000,
        what: 'webhook delivery after a retry',
      },
    );
    expect(delivered.note).toBe(body.note);
  }, 30_000);
});
