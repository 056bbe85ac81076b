import { DataSource } from 'typeorm';

/** Runs one query in the reader's transaction. */
export type SnapshotQuery = <R>(sql: string, params: unknown[]) => Promise<R[]>;

/**
 * Reads a large result page by page (a keyset: `page` gets the last row of the previous page, null
 * first, and returns at most `size` rows) inside one REPEATABLE READ, READ ONLY transaction, so
 * every page sees the same snapshot and only one page is in memory at a time (exports,
 * docs/api-conventions.md "Exports"). The transaction ends when the generator finishes, fails or is
 * abandoned (a client that disconnects).
 */
export async function* readInSnapshot<R>(
  db: DataSource,
  size: number,
  page: (query: SnapshotQuery, last: R | null, size: number) => Promise<R[]>,
): AsyncGenerator<R> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction('REPEATABLE READ');
    await runner.query('SET TRANSACTION READ ONLY');
    const query: SnapshotQuery = (sql, params) => runner.query(sql, params);
    let last: R | null = null;
    for (;;) {
      const rows = await page(query, last, size);
      for (const r of rows) yield r;
      if (rows.length < size) break;
      last = rows[rows.length - 1];
    }
    await runner.commitTransaction();
  } finally {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    await runner.release();
  }
}
