import { DataSource } from 'typeorm';
import { dataSourceOptions } from 'src/database/data-source-options';

/** Entry point for the TypeORM CLI (npm run migration:*). */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('DATABASE_URL must be set for the migration CLI (postgres://…)');
}
export default new DataSource(dataSourceOptions(url));
