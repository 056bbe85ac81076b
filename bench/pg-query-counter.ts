/**
 * Preloaded into the API process by the orders benchmark (`node --require …/pg-query-counter.js`):
 * counts the statements the process sends to PostgreSQL (every pg Client.query, BEGIN and COMMIT
 * included, i.e. every round trip) and writes the running count to stderr on SIGUSR2 as
 * `[pg-query-counter] <n>`. The cost is one increment per query.
 */
import { Client } from 'pg';

let count = 0;
const query = Client.prototype.query as (...args: unknown[]) => unknown;
(Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (this: Client, ...args: unknown[]) {
  count++;
  return query.apply(this, args);
};
process.on('SIGUSR2', () => process.stderr.write(`[pg-query-counter] ${count}\n`));
