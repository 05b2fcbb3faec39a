import * as http from 'node:http';
import { Pool } from 'pg';

/**
 * The floor under the clearance check: bare node:http answering GET /assets/:id with one
 * primary-key lookup, on a pool the size of the service's. No framework, auth or clearance rule.
 */
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 20,
  application_name: 'consent-ledger-bench-baseline',
});
const ASSET_PATH = /^\/assets\/([0-9a-f-]{36})(?:\?.*)?$/;

const server = http.createServer((request, response) => {
  const match = ASSET_PATH.exec(request.url ?? '');
  if (!match) {
    response.writeHead(request.url === '/health' ? 200 : 404).end();
    return;
  }
  pool
    .query<{ id: string; media_type: string }>('SELECT id, media_type FROM assets WHERE id = $1', [
      match[1],
    ])
    .then(
      ({ rows }) => {
        response
          .writeHead(rows[0] ? 200 : 404, { 'content-type': 'application/json' })
          .end(JSON.stringify(rows[0] ?? null));
      },
      (error: unknown) => {
        response.writeHead(500).end(error instanceof Error ? error.message : 'query failed');
      },
    );
});

server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
