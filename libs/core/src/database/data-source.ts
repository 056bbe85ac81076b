import * as fs from 'fs';
import * as path from 'path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { environment } from '../config/environment';

/** The project root, from source (libs/core/src/database) and from dist (dist/libs/...). */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

const MIGRATIONS_DIR = path.join(__dirname, '..', '..', '..', '..', 'migrations');

/** The one place TypeORM's connection options are defined (app, CLI, scripts and tests). */
export function dataSourceOptions(url: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: [path.join(MIGRATIONS_DIR, '*.{ts,js}').replace(/\\/g, '/')],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    entities: [],
    extra: { max: environment().DB_POOL_SIZE, application_name: 'disty' },
    ...overrides,
  } as DataSourceOptions;
}

export function createDataSource(url: string, overrides: Partial<DataSourceOptions> = {}): DataSource {
  return new DataSource(dataSourceOptions(url, overrides));
}
