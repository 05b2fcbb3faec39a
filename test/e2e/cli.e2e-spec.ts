import request from 'supertest';
import { runCli } from 'test/support/run-cli';
import { createTestDatabase, TestDatabase } from 'test/support/test-database';
import { startTestApp, TestApp } from 'test/support/test-app';

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

    const marketing = (await cli('api-key', 'create', '--role', 'marketing', '--name', 'Brand team')).stdout.trim();
    await request(t.http).get('/v1/api-keys').set('authorization', `Bearer ${key}`).expect(200);
    await request(t.http).get('/v1/api-keys').set('authorization', `Bearer ${marketing}`).expect(403);
    await request(t.http).get('/v1/api-keys').expect(401);
  }, 60_000);

  it('lists keys without their secrets and revokes one by id', async () => {
    const key = (await cli('api-key', 'create', '--role', 'hr_legal', '--name', 'Legal team')).stdout.trim();
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
    expect(result.stderr.trim()).toMatch(/^error: Invalid configuration: DATABASE_URL: must be a postgres:\/\/ connection URL$/);
  }, 60_000);
});
