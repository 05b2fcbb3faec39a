import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ApiKeysService } from 'src/api-keys/api-keys.service';
import { ApiKeysModule } from 'src/api-keys/api-keys.module';
import type { AuditActor } from 'src/audit/audit-log.service';
import { AuditModule } from 'src/audit/audit.module';
import { AuditVerifier } from 'src/audit/audit-verifier.service';
import { ClockModule } from 'src/common/clock/clock.module';
import { Role, ROLES } from 'src/common/auth/roles';
import { ConfigModule } from 'src/config/config.module';
import { validateEnvironment } from 'src/config/env.schema';
import { DatabaseModule } from 'src/database/database.module';
import { EmbeddedDatabase, startEmbeddedPostgres } from 'src/database/embedded-postgres';
import { QueueModule } from 'src/queue/queue.module';

const USAGE = `Usage: npm run cli -- <command>
  migrate                                   run pending database migrations
  api-key create --role <role> --name <n>   create a staff API key (printed once); roles: ${ROLES.join(', ')}
  api-key list                              list API keys (never their secrets)
  api-key revoke <id>                       revoke an API key at once
  audit verify                              verify the whole audit log (JSON result; exit code 1 if not ok)`;

const CLI_ACTOR: AuditActor = { type: 'system', id: 'cli' };

@Module({})
class CliModule {
  static forRoot() {
    return { module: CliModule, imports: [ConfigModule.forRoot(), ClockModule, DatabaseModule, QueueModule, AuditModule, ApiKeysModule] };
  }
}

class UsageError extends Error {}

async function run(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [group, action, arg] = positionals;
  if (values.help || !group) throw new UsageError('');

  const app = await NestFactory.createApplicationContext(CliModule.forRoot(), { logger: ['error', 'warn'] });
  try {
    const command = `${group} ${action ?? ''}`.trim();
    switch (command) {
      case 'migrate':
        process.stdout.write('migrations are up to date\n');
        return;
      case 'api-key create': {
        const role = values.role as Role;
        if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        const name = values.name?.trim();
        if (!name) throw new UsageError('--name is required');
        const { key, plaintext } = await app.get(ApiKeysService).create(name, role, CLI_ACTOR);
        process.stderr.write(`created API key ${key.id} (${key.role}, "${key.name}"); it is shown once:\n`);
        process.stdout.write(`${plaintext}\n`);
        return;
      }
      case 'api-key list': {
        const rows = (await app.get(ApiKeysService).list()).map((k) => ({
          id: k.id,
          name: k.name,
          role: k.role,
          createdAt: k.createdAt.toISOString(),
          revokedAt: k.revokedAt?.toISOString() ?? '',
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      case 'api-key revoke': {
        if (!arg || !/^[0-9a-f-]{36}$/i.test(arg)) throw new UsageError('api-key revoke needs the key id (a UUID)');
        const key = await app.get(ApiKeysService).revoke(arg, CLI_ACTOR);
        process.stdout.write(`revoked ${key.id} at ${key.revokedAt?.toISOString()}\n`);
        return;
      }
      case 'audit verify': {
        const result = await app.get(AuditVerifier).verifyAndRecord(CLI_ACTOR);
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        if (!result.ok) process.exitCode = 1;
        return;
      }
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const env = validateEnvironment(process.env);
  let embedded: EmbeddedDatabase | undefined;
  if (!env.DATABASE_URL) {
    embedded = await startEmbeddedPostgres(path.resolve(env.DATA_DIR, 'postgres'), 'consent_ledger');
    process.env.DATABASE_URL = embedded.url;
  }
  try {
    await run(process.argv.slice(2));
  } finally {
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message ? `${error.message}\n\n` : ''}${USAGE}\n`);
    process.exit(2);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
});
