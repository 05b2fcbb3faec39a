import request from 'supertest';
import { runCli } from 'test/support/run-cli';
import { createTestDatabase, TestDatabase } from 'test/support/test-database';
import { startTestApp, TestApp } from 'test/support/test-app';
import { waitFor } from 'test/support/wait';

/** The service opens its revocation listener on the first authenticated request. */
async function waitForRevocationListener(t: TestApp): Promise<void> {
  await request(t.http)
    .get('/v1/audit/checkpoints')
    .set('authorization', 'Bearer clk_' + 'x'.repeat(43));
  await waitFor(
    async () => {
      const rows = await t.dataSource.query<unknown[]>(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = 'consent-ledger-revocations' AND datname = current_database() AND query ILIKE 'LISTEN%'",
      );
      return rows.length > 0;
    },
    { timeoutMs: 10_000, what: 'the revocation listener' },
  );
}

describe('npm run cli', () => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    t = await startTestApp({ database });
  });
  afterAll(() => t.close());

  const cli = (...args: string[]) => runCli(args, { DATABASE_URL: database.url });

  it('creates keys whose role decides what they reach: 200 for the role, 403 for another, 401 for none', async () => {
    const created = await cli('api-key', 'create', '--role', 'admin', '--name', 'Ops team');
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^clk_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).not.toContain(key);

    const marketing = (
      await cli('api-key', 'create', '--role', 'marketing', '--name', 'Brand team')
    ).stdout.trim();
    await request(t.http).get('/v1/api-keys').set('authorization', `Bearer ${key}`).expect(200);
    await request(t.http)
      .get('/v1/api-keys')
      .set('authorization', `Bearer ${marketing}`)
      .expect(403);
    await request(t.http).get('/v1/api-keys').expect(401);
  }, 60_000);

  it('lists keys without their secrets and revokes one by id', async () => {
    const key = (
      await cli('api-key', 'create', '--role', 'hr_legal', '--name', 'Legal team')
    ).stdout.trim();
    const listed = await cli('api-key', 'list');
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as { id: string; name: string; role: string }[];
    const legal = rows.find((row) => row.name === 'Legal team');
    expect(legal?.role).toBe('hr_legal');
    expect(listed.stdout).not.toContain(key);

    const revoked = await cli('api-key', 'revoke', legal!.id);
    expect(revoked.code).toBe(0);
    await request(t.http).get('/v1/api-keys').set('authorization', `Bearer ${key}`).expect(401);
  }, 60_000);

  it('a key in use is refused once another process revokes it (the service caches principals, revocations reach it by NOTIFY)', async () => {
    const key = (
      await cli('api-key', 'create', '--role', 'hr_legal', '--name', 'Cached team')
    ).stdout.trim();
    await waitForRevocationListener(t);
    for (let i = 0; i < 3; i += 1)
      await request(t.http)
        .get('/v1/audit/checkpoints')
        .set('authorization', `Bearer ${key}`)
        .expect(200);
    const rows = JSON.parse((await cli('api-key', 'list')).stdout) as {
      id: string;
      name: string;
    }[];
    const id = rows.find((row) => row.name === 'Cached team')!.id;

    expect((await cli('api-key', 'revoke', id)).code).toBe(0);
    // The notification is delivered right after the CLI's commit; allow it a moment to arrive.
    const status = await waitFor(
      async () => {
        const res = await request(t.http)
          .get('/v1/audit/checkpoints')
          .set('authorization', `Bearer ${key}`);
        return res.status === 401 && res.status;
      },
      { timeoutMs: 2_000, intervalMs: 20, what: 'the revoked key to be refused' },
    );
    expect(status).toBe(401);
  }, 60_000);

  it('while it cannot listen for revocations it asks the database on every request, and listens again', async () => {
    const key = (
      await cli('api-key', 'create', '--role', 'hr_legal', '--name', 'Listener team')
    ).stdout.trim();
    await waitForRevocationListener(t);
    await request(t.http)
      .get('/v1/audit/checkpoints')
      .set('authorization', `Bearer ${key}`)
      .expect(200);

    await t.dataSource.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'consent-ledger-revocations' AND datname = current_database()",
    );
    // A revocation nobody is notified of (written directly, no NOTIFY): it must still bite at once.
    await t.dataSource.query("UPDATE api_keys SET revoked_at = now() WHERE name = 'Listener team'");
    await request(t.http)
      .get('/v1/audit/checkpoints')
      .set('authorization', `Bearer ${key}`)
      .expect(401);

    await waitForRevocationListener(t);
  }, 60_000);

  it('refuses a bad role or a missing name with usage and exit code 2', async () => {
    const badRole = await cli('api-key', 'create', '--role', 'owner', '--name', 'x');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('--role must be one of admin, hr_legal, marketing');
    const noName = await cli('api-key', 'create', '--role', 'admin');
    expect(noName.code).toBe(2);
  }, 60_000);

  it('stops at start with one line naming a bad variable', async () => {
    const result = await runCli(['api-key', 'list'], { DATABASE_URL: 'mysql://localhost/x' });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toMatch(
      /^error: Invalid configuration: DATABASE_URL: must be a postgres:\/\/ connection URL$/,
    );
  }, 60_000);
});
