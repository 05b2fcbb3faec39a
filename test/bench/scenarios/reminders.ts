import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Consent } from 'src/consents/consent.entity';
import { QueueName } from 'src/queue/queue-names';
import { RemindersService } from 'src/reminders/reminders.service';
import type { BenchScenario } from 'test/bench/bench-environment';
import { formatNumber } from 'test/bench/bench-report';
import { seedConsents, seedPersons } from 'test/bench/seed/people';
import { inLanes, megabytes, timed } from 'test/bench/stats';

const SCENARIO = '6 reminders';
const GROUP = 'reminder';
const CONSENTS_PER_PERSON = 5;
/** Consents per transaction: schedule() runs inside the grant's transaction, whose commit is paid anyway. */
const CONSENTS_PER_TRANSACTION = 500;
const LANES = 4;

/**
 * RemindersService.schedule for every granted consent (the rows a grant writes), then one
 * reconcile, which hands the notifications due within the horizon to BullMQ as delayed jobs.
 * Every consent ends 7 days + 1–41 h from now, so with the default offsets (30, 7 days) each gets
 * its 7-day reminder inside the 48 h horizon and its expiry beyond it: one queued job per consent.
 */
export const reminders: BenchScenario = {
  name: SCENARIO,
  async run(env, scale) {
    const target = scale.reminders.consents;
    await seedPersons(env.pool, GROUP, Math.ceil(target / CONSENTS_PER_PERSON));
    await seedConsents(env.pool, {
      group: GROUP,
      perPerson: CONSENTS_PER_PERSON,
      status: 'granted',
      channels: ['website', 'intranet', 'linkedin'],
      accepted: ['website', 'intranet'],
      mediaTypes: ['photo', 'video'],
      validUntilSql: "now() + interval '7 days 1 hour' + random() * interval '40 hours'",
      validForSql: '1 year',
    });
    const { rows } = await env.pool.query<{
      id: string;
      person_id: string;
      valid_from: Date;
      valid_until: Date;
    }>(
      `SELECT c.id, c.person_id, c.valid_from, c.valid_until FROM consents c JOIN persons p ON p.id = c.person_id
       WHERE p.email LIKE $1 || '-%@bench.example' LIMIT $2`,
      [GROUP, target],
    );
    const consents = rows.map((row) =>
      Object.assign(new Consent(), {
        id: row.id,
        personId: row.person_id,
        validFrom: row.valid_from,
        validUntil: row.valid_until,
      }),
    );

    const app = await env.app();
    const dataSource = app.get(DataSource);
    const service = app.get(RemindersService);
    const queue = app.get<Queue>(getQueueToken(QueueName.Notifications));
    const redisBefore = await env.redisUsedMemory();

    const transactions = Math.ceil(consents.length / CONSENTS_PER_TRANSACTION);
    const schedule = await timed(() =>
      inLanes(transactions, LANES, (t) =>
        dataSource.transaction(async (em) => {
          for (const consent of consents.slice(
            t * CONSENTS_PER_TRANSACTION,
            (t + 1) * CONSENTS_PER_TRANSACTION,
          )) {
            await service.schedule(em, consent);
          }
        }),
      ),
    );
    const reconcile = await timed(() => service.reconcile());
    const redisAfter = await env.redisUsedMemory();
    const delayed = await queue.getDelayedCount();
    const notifications = await env.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM notifications WHERE consent_id = ANY($1::uuid[])',
      [consents.map((consent) => consent.id)],
    );

    // Leave no due work behind for the services started by later scenarios.
    await env.pool.query(
      "UPDATE notifications SET status = 'cancelled', outcome = 'bench', processed_at = now() WHERE status = 'pending' AND consent_id = ANY($1::uuid[])",
      [consents.map((consent) => consent.id)],
    );
    await queue.drain(true);

    const scaleText = `${formatNumber(consents.length)} granted consents`;
    const seconds = (schedule.ms + reconcile.ms) / 1000;
    return [
      {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'schedule',
        value: schedule.ms / 1000,
        unit: 's',
        note: `${formatNumber(Number(notifications.rows[0].n))} notification rows, ${CONSENTS_PER_TRANSACTION} consents per transaction on ${LANES} lanes`,
      },
      {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'reconcile',
        value: reconcile.ms / 1000,
        unit: 's',
        note: `${formatNumber(reconcile.result.scheduled)} notifications handed to the queue; ${formatNumber(delayed)} delayed jobs in Redis`,
      },
      {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'schedule + reconcile',
        value: seconds,
        unit: 's',
        goal: { of: 'value', comparison: '<', target: 60 },
      },
      {
        scenario: SCENARIO,
        scale: scaleText,
        figure: 'Redis used_memory growth',
        value: megabytes(redisAfter - redisBefore),
        unit: 'MB',
        note: `used_memory ${formatNumber(megabytes(redisBefore))} → ${formatNumber(megabytes(redisAfter))} MB; ${formatNumber((redisAfter - redisBefore) / Math.max(1, delayed))} bytes per job`,
      },
    ];
  },
};
