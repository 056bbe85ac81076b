import { Logger, OnModuleDestroy } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { environment } from '../config/environment';
import { createDataSource } from './data-source';
import { SnapshotQuery } from './snapshot-reader';

/** The `application_name` of the read connections (visible in `pg_stat_activity` on the replica). */
export const READ_APPLICATION_NAME = 'disty-read';

/** How often, at most, a fall-back to the primary is logged. */
const WARN_EVERY_MS = 60_000;

/**
 * The connection the read-only reports use (docs/operations.md §15): a streaming replica when
 * `DATABASE_READ_URL` is set, the primary otherwise. Every read runs in one transaction started as
 * `REPEATABLE READ, READ ONLY` (a statement, not a session setting, so it holds behind a
 * transaction pooler too): a report's queries see one snapshot, and a write through this
 * connection fails (`25006`) on the primary as it would on a standby.
 *
 * A replica that cannot be reached (connecting or starting the transaction fails) is not an outage:
 * that read runs on the primary instead, still read-only, and a warning is logged at most once a
 * minute. A report on the replica may be a few milliseconds behind the primary (replica lag).
 */
export class ReadDatabase implements OnModuleDestroy {
  private readonly log = new Logger('ReadDatabase');
  private replicaSource?: Promise<DataSource>;
  private lastWarning = 0;

  constructor(
    private readonly primary: DataSource,
    /** DATABASE_READ_URL; undefined: every read goes to the primary. */
    private readonly url: string | undefined = environment().DATABASE_READ_URL,
    private readonly poolSize: number = environment().DB_POOL_SIZE,
  ) {}

  /** True when reads are meant for a replica (DATABASE_READ_URL is set). */
  get usesReplica(): boolean {
    return Boolean(this.url);
  }

  /** Runs `fn` in one read-only REPEATABLE READ transaction on the read connection. */
  async read<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    const runner = await this.open();
    try {
      const result = await fn(runner.manager);
      await runner.query('COMMIT');
      return result;
    } catch (e) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await runner.release();
    }
  }

  /** One query in its own read-only transaction. */
  query<R>(sql: string, params: unknown[] = []): Promise<R[]> {
    return this.read((em) => em.query(sql, params) as Promise<R[]>);
  }

  /**
   * A large result page by page in one read-only snapshot (exports): `page` gets the last row of
   * the previous page (null first) and returns at most `size` rows; one page is in memory at a time.
   * The transaction ends when the generator finishes, fails or is abandoned (a client that leaves).
   */
  async *snapshot<R>(size: number, page: (query: SnapshotQuery, last: R | null, size: number) => Promise<R[]>): AsyncGenerator<R> {
    const runner = await this.open();
    let done = false;
    try {
      const query: SnapshotQuery = (sql, params) => runner.query(sql, params);
      let last: R | null = null;
      for (;;) {
        const rows = await page(query, last, size);
        for (const r of rows) yield r;
        if (rows.length < size) break;
        last = rows[rows.length - 1];
      }
      await runner.query('COMMIT');
      done = true;
    } finally {
      if (!done) await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
  }

  async onModuleDestroy(): Promise<void> {
    const source = await this.replicaSource?.catch(() => undefined);
    if (source?.isInitialized) await source.destroy();
  }

  /** A connection with the read-only transaction started: the replica's, or the primary's as a fall-back. */
  private async open(): Promise<QueryRunner> {
    if (this.url) {
      let runner: QueryRunner | undefined;
      try {
        runner = (await this.replica()).createQueryRunner();
        await begin(runner);
        return runner;
      } catch (e) {
        await runner?.release().catch(() => undefined);
        this.warn(e);
      }
    }
    const runner = this.primary.createQueryRunner();
    try {
      await begin(runner);
      return runner;
    } catch (e) {
      await runner.release();
      throw e;
    }
  }

  /** The replica's DataSource, initialised on first use (a replica down at start-up does not stop the API). */
  private replica(): Promise<DataSource> {
    if (!this.replicaSource) {
      const source = createDataSource(this.url!, {
        extra: { max: this.poolSize, application_name: READ_APPLICATION_NAME },
      });
      this.replicaSource = source.initialize().catch((e) => {
        this.replicaSource = undefined; // tried again on the next read
        throw e;
      });
    }
    return this.replicaSource;
  }

  private warn(e: unknown): void {
    if (Date.now() - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = Date.now();
    const err = e as { code?: string; message?: string };
    this.log.warn(
      `the read replica (DATABASE_READ_URL) cannot be used, reading from the primary: ${err.code ?? ''} ${(err.message ?? String(e)).split('\n')[0]}`,
    );
  }
}

async function begin(runner: QueryRunner): Promise<void> {
  await runner.connect();
  await runner.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
}
