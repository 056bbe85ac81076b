import { runMigrations } from '#disty/core';
import { withDatabase } from './db-script';

void withDatabase(async (db) => {
  const done = await runMigrations(db.migrationUrl, (l) => console.log(l));
  console.log(done.length ? `${done.length} migration(s) applied` : 'schema is up to date');
});
