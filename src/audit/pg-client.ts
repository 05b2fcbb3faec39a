import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/** A raw pg connection from TypeORM's pool, for streaming reads that must not hydrate entities. */
export async function withPgClient<T>(
  dataSource: DataSource,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    return await work(client);
  } finally {
    await runner.release();
  }
}
