import { Client } from 'pg';
import { randomUUID } from 'crypto';
import type { LedgerService } from '#disty/ledger';
import type { TestApp } from './support/app';
import { createOwnDatabase, OwnDatabase } from './support/own-database';

/**
 * ledger:verify catches a maintained total that drifted from its lines (docs/accounting.md §6), in
 * native and in base amounts, whichever way: a changed sum, a kept row whose lines are gone. The
 * drift is forced by a superuser with triggers off, on a database of its own.
 */
describe('ledger:verify finds kept totals that disagree with their lines', () => {
  let db: OwnDatabase;
  let t: TestApp;
  let ledger: LedgerService;
  beforeAll(async () => {
    db = await createOwnDatabase('ledger_verify');
    process.env.DATABASE_URL = db.url; // before the app module is loaded
    const { createTestApp } = await import('./support/app.js');
    const { LedgerService } = await import('#disty/ledger');
    t = await createTestApp();
    ledger = t.get(LedgerService);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  async function asSuperuser(sql: string[]): Promise<void> {
    const url = new URL(process.env.DISTY_TEST_ADMIN_URL!);
    url.pathname = `/${db.name}`;
    const c = new Client({ connectionString: url.toString() });
    await c.connect();
    try {
      await c.query(`SET session_replication_role = replica`);
      for (const q of sql) await c.query(q);
    } finally {
      await c.end();
    }
  }

  it('reports a balance and a base daily total changed behind the trigger, and lines whose balance row is gone', async () => {
    await t.db.transaction(async (em) => {
      const [{ id }] = await em.query(
        `INSERT INTO journal_entries (entry_date, memo, source_type, source_id) VALUES ('2026-05-01', 'raw', 'raw', $1) RETURNING id`,
        [randomUUID()],
      );
      await em.query(
        `INSERT INTO journal_lines (entry_id, line_no, account_code, currency, debit, credit, base_debit, base_credit, entry_date)
         VALUES ($1, 1, '1000', 'EUR', 100, 0, 100, 0, '2026-05-01'), ($1, 2, '4000', 'EUR', 0, 100, 0, 100, '2026-05-01')`,
        [id],
      );
    });
    expect(await ledger.verify()).toEqual([]);

    await asSuperuser([
      `UPDATE account_balances SET debit_total = debit_total + 1 WHERE account_code = '1000'`,
      `UPDATE ledger_daily_totals SET base_credit_total = base_credit_total + 1 WHERE account_code = '4000'`,
      `DELETE FROM account_balances WHERE account_code = '4000'`,
    ]);
    const problems = await ledger.verify();
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^balance 1000\/0{8}-[0-]+\/EUR: kept 101(\.0+)?\/0(\.0+)?, lines 100(\.0+)?\/0(\.0+)?$/),
        expect.stringMatching(/^balance 4000\/0{8}-[0-]+\/EUR: kept 0\/0, lines 0(\.0+)?\/100(\.0+)?$/),
        expect.stringMatching(/^base daily total 4000\/EUR\/2026-05-01: kept 0(\.0+)?\/101(\.0+)?, lines 0(\.0+)?\/100(\.0+)?$/),
      ]),
    );
  });
});
