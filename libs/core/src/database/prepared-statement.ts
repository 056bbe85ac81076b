import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { environment, Environment } from '../config/environment';

/**
 * A statement PostgreSQL parses and plans once per connection and then only executes: a named
 * prepared statement of the `pg` driver. For the statements of hot paths (order placement and the
 * token lookup), whose parse and plan cost more than their execution.
 *
 * The name must be unique per text across the process (the driver refuses a second text under
 * a name a connection already holds), so each statement is declared once, at module level.
 * PostgreSQL replans a prepared statement after DDL on its tables, but refuses one whose result
 * columns a migration changed ("cached plan must not change result type"): API processes are
 * restarted after such a migration, as they are after any deploy.
 *
 * Behind a pooler in transaction mode that does not track prepared statements (pgbouncer before
 * 1.21), a named statement prepared on one server connection is unknown, or already known, on the
 * next: set `DB_PREPARED_STATEMENTS=off` and the same statements run unnamed (extended protocol,
 * parsed each time), which every pooler accepts (docs/operations.md §10).
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

const declared = new Map<string, string>();

export function preparedStatement(name: string, text: string): PreparedStatement {
  const earlier = declared.get(name);
  if (earlier !== undefined && earlier !== text) throw new Error(`prepared statement ${name} is declared twice with different SQL`);
  declared.set(name, text);
  return Object.freeze({ name, text });
}

/** False when `DB_PREPARED_STATEMENTS` is `off`/`false`/`0`: statements then run unnamed. */
export function preparedStatementsEnabled(env: Pick<Environment, 'DB_PREPARED_STATEMENTS'> = environment()): boolean {
  const v = (env.DB_PREPARED_STATEMENTS ?? 'on').trim().toLowerCase();
  return !(v === 'off' || v === 'false' || v === '0');
}

/**
 * Whether `db` names its statements: read from the configuration once per DataSource, at its first
 * prepared statement (the configuration does not change while an instance runs), not per query.
 */
const namedByDataSource = new WeakMap<DataSource, boolean>();
function namedOn(db: DataSource): boolean {
  let named = namedByDataSource.get(db);
  if (named === undefined) namedByDataSource.set(db, (named = preparedStatementsEnabled()));
  return named;
}

/** The driver's query config for `stmt`: named when prepared statements are on, unnamed otherwise. */
export function preparedQueryConfig(stmt: PreparedStatement, values: unknown[], named = preparedStatementsEnabled()) {
  return named ? { name: stmt.name, text: stmt.text, values } : { text: stmt.text, values };
}

interface PgClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs `stmt` on the connection of `em` (its transaction's, when it has one), or on a pooled
 * connection for a DataSource or a manager outside a transaction. Answers the rows; errors are
 * the driver's (with PostgreSQL's `code`), as retryOnConflict and the error mappers expect.
 */
export async function queryPrepared<T>(db: EntityManager | DataSource, stmt: PreparedStatement, values: unknown[]): Promise<T[]> {
  const em = db instanceof DataSource ? db.manager : db;
  const own: QueryRunner | undefined = em.queryRunner ? undefined : em.connection.createQueryRunner();
  const runner = em.queryRunner ?? own!;
  try {
    const client = (await runner.connect()) as PgClient;
    const res = await client.query(preparedQueryConfig(stmt, values, namedOn(em.connection)));
    return res.rows as T[];
  } finally {
    if (own) await own.release();
  }
}
