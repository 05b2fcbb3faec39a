import { DataSource } from 'typeorm';
import { dataSourceOptions } from 'src/database/data-source-options';
import { createTestDatabase, TestDatabase } from 'test/support/test-database';

describe('database schema', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource({ ...dataSourceOptions(database.url), logging: false }).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('has every migration applied and nothing pending', async () => {
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('matches the entities exactly: generating a migration now would yield nothing', async () => {
    const diff = await dataSource.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('never synchronizes the schema from entities', () => {
    expect(dataSource.options.synchronize).toBe(false);
  });
});
