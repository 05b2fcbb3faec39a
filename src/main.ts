import 'reflect-metadata';
import * as path from 'node:path';
import { createApp } from 'src/bootstrap';
import { AppConfig } from 'src/config/app-config';
import { validateEnvironment } from 'src/config/env.schema';
import { EmbeddedDatabase, startEmbeddedPostgres } from 'src/database/embedded-postgres';

function say(line: string): void {
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: line })}\n`);
}

async function main(): Promise<void> {
  let env;
  try {
    env = validateEnvironment(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }

  let embedded: EmbeddedDatabase | undefined;
  if (!env.DATABASE_URL) {
    embedded = await startEmbeddedPostgres(path.resolve(env.DATA_DIR, 'postgres'), 'consent_ledger', say);
    process.env.DATABASE_URL = embedded.url;
  }

  const app = await createApp();
  if (embedded) {
    const stop = embedded.stop.bind(embedded);
    app.getHttpAdapter().getInstance().addHook('onClose', async () => {
      await stop();
      say('embedded PostgreSQL stopped');
    });
  }
  const config = app.get(AppConfig);
  await app.listen({ port: config.port, host: '0.0.0.0' });
  say(`Consent Ledger listening on port ${config.port}; API docs at ${config.publicBaseUrl}/docs`);
}

main().catch((error: unknown) => {
  process.stderr.write(`startup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
