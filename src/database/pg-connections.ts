import type { Pool, PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** TypeORM's pg pool, for hot statements sent as named prepared statements without TypeORM. */
export function pgPoolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/** The pg connection of the transaction `em` belongs to. */
export async function pgConnectionOf(em: EntityManager): Promise<PoolClient> {
  if (!em.queryRunner) throw new Error('expected the EntityManager of a transaction');
  return (await em.queryRunner.connect()) as PoolClient;
}

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
