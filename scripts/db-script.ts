import { describeConnectionError, environment, provideDatabase, ProvidedDatabase } from '#disty/core';

/** Runs `fn` against DATABASE_URL or the embedded PostgreSQL, stopping what it started. */
export async function withDatabase(fn: (db: ProvidedDatabase) => Promise<number | void>): Promise<void> {
  const say = (l: string) => process.stderr.write(`[disty] ${l}\n`);
  try {
    environment(); // the same validated schema as the API: a wrong value stops here, named
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  let db: ProvidedDatabase;
  try {
    db = await provideDatabase(say);
  } catch (e) {
    console.error(`Disty could not start its embedded PostgreSQL: ${(e as Error).message.split('\n')[0]}`);
    process.exit(1);
  }
  process.env.DATABASE_URL = db.url;
  let code = 0;
  try {
    code = (await fn(db)) ?? 0;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    console.error(err.code && /^(ECONN|ENOTFOUND|28|3D)/.test(err.code) ? describeConnectionError(db.url, e) : (err.message ?? String(e)));
    code = 1;
  } finally {
    await db.stop();
  }
  process.exit(code);
}
