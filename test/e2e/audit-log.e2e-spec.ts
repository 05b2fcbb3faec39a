import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { AUDIT_CHECKPOINT_SCHEDULER_ID } from 'src/audit/audit-checkpoint-schedule';
import { AuditCheckpoints } from 'src/audit/audit-checkpoints.service';
import { AuditEventInput, AuditLog } from 'src/audit/audit-log.service';
import { AuditVerifier } from 'src/audit/audit-verifier.service';
import { verifyNote } from 'src/audit/domain/checkpoint';
import { ManualClock } from 'src/common/clock/clock';
import { QueueName } from 'src/queue/queue-names';
import { QueuedJob } from 'src/queue/queued-job.entity';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

const PERSON_A = '0f1e2d3c-4b5a-4968-8776-655443322110';
const PERSON_B = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const CONSENT = '9a8b7c6d-5e4f-4321-8fed-cba987654321';

describe('audit log', () => {
  let t: TestApp;
  let clock: ManualClock;
  let auditLog: AuditLog;
  let legal: string;
  let admin: string;
  let marketing: string;
  let webhook: http.Server;
  const delivered: Record<string, unknown>[] = [];

  beforeAll(async () => {
    webhook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        delivered.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    clock = new ManualClock(new Date('2026-04-01T08:00:00Z'));
    t = await startTestApp({
      clock,
      env: {
        AUDIT_CHECKPOINT_EVERY: '25',
        AUDIT_CHECKPOINT_MINUTES: '15',
        AUDIT_CHECKPOINT_WEBHOOK: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/checkpoints`,
        PUBLIC_BASE_URL: 'https://consent.example.com',
      },
    });
    auditLog = t.app.get(AuditLog);
    // The checkpoint scheduler runs once at start; let it finish so sizes below are predictable.
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Audit));
    await waitFor(async () => (await queue.getCompletedCount()) >= 1, { what: 'first scheduled checkpoint' });
    legal = await t.keyFor('hr_legal', 'Legal team');
    admin = await t.keyFor('admin', 'Ops');
    marketing = await t.keyFor('marketing');
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => webhook.close(resolve));
  });

  const append = (input: AuditEventInput) =>
    t.dataSource.transaction((em) => auditLog.append(em, input));
  const stored = async (seq: number) =>
    (
      await t.dataSource.query('SELECT canonical, leaf_hash FROM audit_events WHERE seq = $1', [
        seq,
      ])
    )[0] as { canonical: Buffer; leaf_hash: Buffer } | undefined;
  const treeSize = async () =>
    Number((await t.dataSource.query('SELECT tree_size FROM audit_tree_state'))[0].tree_size);
  const get = (path: string, key = legal) =>
    request(t.http).get(path).set('authorization', `Bearer ${key}`);

  describe('appending', () => {
    it('stores the exact canonical bytes and returns the leaf index and SHA-256(0x00 ‖ bytes)', async () => {
      const before = await treeSize();
      const result = await append({
        action: 'consent.granted',
        actor: { type: 'person', id: PERSON_A },
        personId: PERSON_A,
        consentId: CONSENT,
        data: { channels: ['intranet'], noticeSha256: 'cd'.repeat(32) },
      });
      expect(result.seq).toBe(before);
      const row = await stored(result.seq);
      expect(row?.canonical.toString('utf8')).toBe(
        `{"action":"consent.granted","actor":{"id":"${PERSON_A}","type":"person"},"consentId":"${CONSENT}",` +
          `"data":{"channels":["intranet"],"noticeSha256":"${'cd'.repeat(32)}"},"occurredAt":"2026-04-01T08:00:00.000Z",` +
          `"personId":"${PERSON_A}","seq":${before},"v":1}`,
      );
      const expected = createHash('sha256').update(Buffer.of(0)).update(row!.canonical).digest();
      expect(result.leafHash.equals(expected)).toBe(true);
      expect(row?.leaf_hash.equals(expected)).toBe(true);
    });

    it('leaves no event when the change it records rolls back', async () => {
      const before = await treeSize();
      await expect(
        t.dataSource.transaction(async (em) => {
          await auditLog.append(em, {
            action: 'person.created',
            actor: { type: 'system', id: 'test' },
            personId: PERSON_B,
          });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await treeSize()).toBe(before);
      expect(await stored(before)).toBeUndefined();
      expect(
        (
          await append({
            action: 'person.created',
            actor: { type: 'system', id: 'test' },
            personId: PERSON_B,
          })
        ).seq,
      ).toBe(before);
    });

    it('refuses to append outside a transaction, and refuses personal data', async () => {
      await expect(
        auditLog.append(t.dataSource.manager, {
          action: 'person.created',
          actor: { type: 'system', id: 'x' },
        }),
      ).rejects.toThrow(/transaction/);
      await expect(
        append({
          action: 'email.sent',
          actor: { type: 'system', id: 'mailer' },
          data: { to: 'jane.doe@example.com' },
        }),
      ).rejects.toThrow(/looks like an email/);
    });

    it('stays gapless and verifiable with 8 writers on 8 connections appending at once', async () => {
      const before = await treeSize();
      const worker = async (w: number) => {
        const seqs: number[] = [];
        for (let i = 0; i < 50; i += 1) {
          seqs.push(
            (
              await append({
                action: 'email.queued',
                actor: { type: 'system', id: `worker-${w}` },
                data: { i },
              })
            ).seq,
          );
        }
        return seqs;
      };
      const seqs = (await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)))).flat();
      expect(new Set(seqs).size).toBe(400);

      const size = await treeSize();
      const rows = await t.dataSource.query<{ seq: string }[]>(
        'SELECT seq FROM audit_events ORDER BY seq',
      );
      expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: size }, (_, i) => i));
      expect(size).toBeGreaterThanOrEqual(before + 400);

      const result = await t.app.get(AuditVerifier).verify();
      expect(result).toMatchObject({ ok: true, treeSize: size });
      expect(result.checkedCheckpoints).toBeGreaterThanOrEqual(16);
    });
  });

  describe('checkpoints', () => {
    it('signs one at least every AUDIT_CHECKPOINT_EVERY events, each recorded in the log right after it', async () => {
      const rows = await t.dataSource.query<{ tree_size: string }[]>(
        'SELECT tree_size FROM audit_checkpoints ORDER BY tree_size',
      );
      const sizes = rows.map((row) => Number(row.tree_size));
      const size = await treeSize();
      expect(sizes.length).toBeGreaterThanOrEqual(16);
      [0, ...sizes, size].reduce((previous, next) => {
        expect(next - previous).toBeLessThanOrEqual(25);
        return next;
      });
      for (const checkpointSize of sizes) {
        const recorded = JSON.parse((await stored(checkpointSize))!.canonical.toString());
        expect(recorded).toMatchObject({
          action: 'audit.checkpoint',
          data: { treeSize: checkpointSize },
        });
      }
    });

    it('signs one on demand for hr_legal and admin, not marketing, and lists them with the key to check them', async () => {
      await request(t.http)
        .post('/v1/audit/checkpoints')
        .set('authorization', `Bearer ${marketing}`)
        .expect(403);
      const size = await treeSize();
      const created = await request(t.http)
        .post('/v1/audit/checkpoints')
        .set('authorization', `Bearer ${admin}`)
        .expect(201);
      expect(created.body).toMatchObject({
        treeSize: size,
        rootHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });

      const list = await get('/v1/audit/checkpoints').expect(200);
      expect(list.body).toMatchObject({
        origin: 'consent.example.com/consent-ledger/audit',
        keyName: 'consent.example.com/consent-ledger/audit',
        verifierKey: expect.stringMatching(
          /^consent\.example\.com\/consent-ledger\/audit\+[0-9a-f]{8}\+/,
        ),
      });
      expect(Buffer.from(list.body.publicKey, 'base64')).toHaveLength(32);
      const last = list.body.checkpoints.at(-1);
      expect(last).toEqual(created.body);
      const signed = verifyNote(
        last.note,
        list.body.keyName,
        Buffer.from(list.body.publicKey, 'base64'),
      );
      expect(signed).toMatchObject({ origin: list.body.origin, treeSize: size });
      expect(signed?.rootHash.toString('hex')).toBe(last.rootHash);
      expect(signed?.extensions).toEqual([`time ${last.createdAt}`]);

      const after = await get(`/v1/audit/checkpoints?after=${size - 1}`).expect(200);
      expect(after.body.checkpoints).toEqual([created.body]);
      const bad = await get('/v1/audit/checkpoints?limit=0').expect(400);
      expect(bad.body.details[0].field).toBe('limit');
    });

    it('posts every checkpoint to the webhook, through the outbox', async () => {
      const created = await request(t.http)
        .post('/v1/audit/checkpoints')
        .set('authorization', `Bearer ${legal}`)
        .expect(201);
      const copy = await waitFor(
        () => Promise.resolve(delivered.find((body) => body.treeSize === created.body.treeSize)),
        {
          what: 'webhook delivery',
        },
      );
      expect(copy).toMatchObject({
        ...created.body,
        origin: 'consent.example.com/consent-ledger/audit',
        publicKey: expect.any(String),
      });
      const job = await waitFor(
        async () =>
          (
            await t.dataSource
              .getRepository(QueuedJob)
              .findOneBy({ jobId: `audit-checkpoint-webhook-${created.body.treeSize}` })
          )?.doneAt,
        { what: 'outbox row done' },
      );
      expect(job).toBeInstanceOf(Date);
    });

    it('on the timer, signs only when the log grew since the last checkpoint', async () => {
      const checkpoints = t.app.get(AuditCheckpoints);
      await request(t.http)
        .post('/v1/audit/checkpoints')
        .set('authorization', `Bearer ${legal}`)
        .expect(201);
      expect(await checkpoints.createIfGrown()).toBeNull();
      await append({
        action: 'reminder.sent',
        actor: { type: 'system', id: 'reminders' },
        personId: PERSON_A,
      });
      const size = await treeSize();
      expect((await checkpoints.createIfGrown())?.treeSize).toBe(size);
      expect(await checkpoints.createIfGrown()).toBeNull();

      const queue = t.app.get<Queue>(getQueueToken(QueueName.Audit));
      const scheduler = await waitFor(() => queue.getJobScheduler(AUDIT_CHECKPOINT_SCHEDULER_ID), {
        what: 'checkpoint scheduler',
      });
      expect(scheduler).toMatchObject({ every: 15 * 60_000, name: 'checkpoint' });
    });
  });

  describe('search', () => {
    beforeAll(async () => {
      clock.set(new Date('2026-05-01T10:00:00Z'));
      await append({
        action: 'consent.requested',
        actor: { type: 'system', id: 'test' },
        personId: PERSON_B,
        consentId: CONSENT,
      });
      clock.set(new Date('2026-05-02T10:00:00Z'));
      await append({
        action: 'consent.granted',
        actor: { type: 'person', id: PERSON_B },
        personId: PERSON_B,
        consentId: CONSENT,
      });
      clock.set(new Date('2026-05-03T10:00:00Z'));
      await append({
        action: 'consent.withdrawn',
        actor: { type: 'person', id: PERSON_B },
        personId: PERSON_B,
        consentId: CONSENT,
      });
    });

    it('filters by subject, action and period, newest first', async () => {
      const byPerson = await get(`/v1/audit?personId=${PERSON_B}&consentId=${CONSENT}`).expect(200);
      expect(byPerson.body.items.map((e: { action: string }) => e.action)).toEqual([
        'consent.withdrawn',
        'consent.granted',
        'consent.requested',
      ]);
      expect(byPerson.body.items[0]).toMatchObject({
        personId: PERSON_B,
        consentId: CONSENT,
        actor: { type: 'person', id: PERSON_B },
        occurredAt: '2026-05-03T10:00:00.000Z',
        leafHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      const byAction = await get(`/v1/audit?personId=${PERSON_B}&action=consent.granted`).expect(
        200,
      );
      expect(byAction.body.items).toHaveLength(1);
      const byPeriod = await get(
        `/v1/audit?personId=${PERSON_B}&from=2026-05-02T00:00:00Z&to=2026-05-03T10:00:00Z`,
      ).expect(200);
      expect(byPeriod.body.items.map((e: { action: string }) => e.action)).toEqual([
        'consent.granted',
      ]);
    });

    it('pages with a cursor until nextCursor is null', async () => {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await get(
          `/v1/audit?action=email.queued&limit=150${cursor ? `&cursor=${cursor}` : ''}`,
        ).expect(200);
        seen.push(...page.body.items.map((e: { seq: number }) => e.seq));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      expect(seen).toHaveLength(400);
      expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    });

    it('records each search, with the filters, as audit.read', async () => {
      await get(`/v1/audit?personId=${PERSON_A}&action=reminder.sent`).expect(200);
      const reads = await get(`/v1/audit?action=audit.read&limit=1`).expect(200);
      expect(reads.body.items[0]).toMatchObject({
        action: 'audit.read',
        personId: PERSON_A,
        actor: { type: 'staff', keyName: 'Legal team' },
        data: { filters: { personId: PERSON_A, action: 'reminder.sent' }, returned: 1 },
      });
    });

    it('answers 400 naming the field for bad filters, and 403 for marketing', async () => {
      for (const [query, field] of [
        ['personId=alice', 'personId'],
        ['action=consent.eaten', 'action'],
        ['from=yesterday', 'from'],
        ['from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z', 'to'],
        ['limit=1000', 'limit'],
        ['limit=abc', 'limit'],
        ['cursor=-1', 'cursor'],
        ['sort=asc', 'sort'],
      ]) {
        const res = await get(`/v1/audit?${query}`).expect(400);
        expect({ query, fields: res.body.details.map((d: { field: string }) => d.field) }).toEqual({
          query,
          fields: [field],
        });
      }
      await get('/v1/audit', marketing).expect(403);
      await request(t.http).get('/v1/audit').expect(401);
    });
  });

  describe('API keys', () => {
    it('records creation and revocation by whom, with the key id and role but never its name', async () => {
      const created = await request(t.http)
        .post('/v1/api-keys')
        .set('authorization', `Bearer ${admin}`)
        .send({ name: 'Temporary agency Dupont', role: 'marketing' })
        .expect(201);
      await request(t.http)
        .delete(`/v1/api-keys/${created.body.id}`)
        .set('authorization', `Bearer ${admin}`)
        .expect(200);
      const events = await get('/v1/audit?limit=10').expect(200);
      const adminKey = (
        await request(t.http).get('/v1/api-keys').set('authorization', `Bearer ${admin}`)
      ).body.items.find((k: { name: string }) => k.name === 'Ops');
      const keyEvents = events.body.items.filter((e: { action: string }) =>
        e.action.startsWith('apikey.'),
      );
      expect(
        keyEvents.map((e: { action: string; data: unknown; actor: unknown }) => [
          e.action,
          e.data,
          e.actor,
        ]),
      ).toEqual([
        [
          'apikey.revoked',
          { keyId: created.body.id, role: 'marketing' },
          { type: 'staff', id: adminKey.id, keyName: 'Ops' },
        ],
        [
          'apikey.created',
          { keyId: created.body.id, role: 'marketing' },
          { type: 'staff', id: adminKey.id, keyName: 'Ops' },
        ],
      ]);
      const all = await t.dataSource.query<{ n: string }[]>(
        "SELECT count(*) AS n FROM audit_events WHERE convert_from(canonical, 'UTF8') LIKE '%Dupont%'",
      );
      expect(Number(all[0].n)).toBe(0);
    });
  });
});
