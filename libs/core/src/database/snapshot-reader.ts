/**
 * Runs one query in a reader's transaction: what `ReadDatabase.snapshot` hands each page of an
 * export (libs/core/src/database/read-database.ts; docs/api-conventions.md "Exports").
 */
export type SnapshotQuery = <R>(sql: string, params: unknown[]) => Promise<R[]>;
