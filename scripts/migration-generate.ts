import * as fs from 'fs';
import * as path from 'path';
import { createDataSource, PROJECT_ROOT, runMigrations } from '#disty/core';
import { withDatabase } from './db-script';

/**
 * `npm run migration:generate -- Name`: writes migrations/<timestamp>-Name.ts. The schema is
 * SQL-first (constraints, triggers), so the file is generated from TypeORM's diff of the entity
 * metadata when entities exist, and otherwise as an empty migration to fill in by hand.
 */
void withDatabase(async (db) => {
  const name = (process.argv[2] ?? '').replace(/[^A-Za-z0-9]/g, '');
  if (!name) {
    console.error('usage: npm run migration:generate -- <Name>');
    return 1;
  }
  await runMigrations(db.migrationUrl);
  const ds = createDataSource(db.migrationUrl);
  await ds.initialize();
  const sql = await ds.driver.createSchemaBuilder().log();
  await ds.destroy();
  const ts = Date.now();
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  const up = sql.upQueries.map((q) => `    await q.query(\`${esc(q.query)}\`);`).join('\n');
  const down = sql.downQueries
    .reverse()
    .map((q) => `    await q.query(\`${esc(q.query)}\`);`)
    .join('\n');
  const file = path.join(PROJECT_ROOT, 'migrations', `${ts}-${name}.ts`);
  fs.writeFileSync(
    file,
    `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${ts} implements MigrationInterface {
  name = '${name}${ts}';

  public async up(q: QueryRunner): Promise<void> {
${up || '    // write the schema change here'}
  }

  public async down(q: QueryRunner): Promise<void> {
${down || '    // and how to undo it here'}
  }
}
`,
  );
  console.log(`${path.relative(PROJECT_ROOT, file)} written (${sql.upQueries.length} statement(s) from the entity diff)`);
});
