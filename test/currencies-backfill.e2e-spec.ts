import { Client } from 'pg';
import { ConfigService } from '@nestjs/config';
import { Clock, createDataSource, ReadDatabase } from '#disty/core';
import { FxRateService, LedgerService, PeriodCloseChecks } from '#disty/ledger';
import { createOwnDatabase, OwnDatabase } from './support/own-database';

/**
 * The back-fill of base amounts (migrations/1764000027000-SeveralCurrencies.ts, docs/accounting.md
 * §10): a database with lines from before the migration is migrated down past it, given AUD and USD
 * lines, and migrated up again.
 */
describe('Several currencies: back-fill of lines posted before base amounts', () => {
  let db: OwnDatabase;
  let owner: Client;

  beforeAll(async () => {
    db = await createOwnDatabase('fxbackfill');
    const ds = createDataSource(db.ownerUrl, { extra: { max: 1 } });
    await ds.initialize();
    try {
      // Down past the currencies migration (and the later ones that came after it).
      for (let i = 0; i < 200 && (await ds.query(`SELECT to_regclass('fx_rates') AS t`))[0].t; i++) {
        await ds.undoLastMigration({ transaction: 'each' });
      }
    } finally {
      await ds.destroy();
    }
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
  });
  afterAll(async () => {
    await owner?.end();
    await db?.drop();
  });

  const postRaw = async (currency: string, amount: string) => {
    await owner.query('BEGIN');
    const [{ id }] = (
      await owner.query(
        `INSERT INTO journal_entries (entry_date, memo, source_type, source_id) VALUES ('2026-05-04', 'old', 'old', gen_random_uuid()::text) RETURNING id`,
      )
    ).rows;
    await owner.query(
      `INSERT INTO journal_lines (entry_id, line_no, account_code, currency, debit, credit, entry_date)
       VALUES ($1, 1, '1000', $2, $3, 0, '2026-05-04'), ($1, 2, '4000', $2, 0, $3, '2026-05-04')`,
      [id, currency, amount],
    );
    await owner.query('COMMIT');
  };

  it('gives AUD lines their amount as base, leaves USD lines without one, reports them, and refuses any new line without a base', async () => {
    expect((await owner.query(`SELECT to_regclass('fx_rates') AS t`)).rows[0].t).toBeNull();
    await postRaw('AUD', '120.50');
    await postRaw('USD', '80.00');
    const ds = createDataSource(db.ownerUrl, { extra: { max: 1 } });
    await ds.initialize();
    try {
      expect((await ds.runMigrations({ transaction: 'each' })).map((m) => m.name)).toContain('SeveralCurrencies1764000027000');
    } finally {
      await ds.destroy();
    }
    const lines = (
      await owner.query(`SELECT currency, debit::text, base_debit::text, base_credit::text FROM journal_lines ORDER BY currency, line_no`)
    ).rows;
    expect(lines).toEqual([
      { currency: 'AUD', debit: '120.5000', base_debit: '120.5000', base_credit: '0.0000' },
      { currency: 'AUD', debit: '0.0000', base_debit: '0.0000', base_credit: '120.5000' },
      { currency: 'USD', debit: '80.0000', base_debit: null, base_credit: null },
      { currency: 'USD', debit: '0.0000', base_debit: null, base_credit: null },
    ]);
    // The maintained base sums hold what the lines hold.
    const totals = (
      await owner.query(
        `SELECT currency, base_debit_total::text AS d, base_credit_total::text AS c FROM ledger_daily_totals WHERE account_code = '1000' ORDER BY currency`,
      )
    ).rows;
    expect(totals).toEqual([
      { currency: 'AUD', d: '120.5000', c: '0.0000' },
      { currency: 'USD', d: '0.0000', c: '0.0000' },
    ]);
    // The constraint is left NOT VALID (the old lines break it) but holds for every new line.
    const [check] = (await owner.query(`SELECT convalidated FROM pg_constraint WHERE conname = 'journal_lines_base_present_check'`)).rows;
    expect(check.convalidated).toBe(false);
    await expect(postRaw('AUD', '1.00')).rejects.toThrow(/journal_lines_base_present_check/);
    await owner.query('ROLLBACK');
    // ledger:verify's base checks report the lines without a base, and nothing else.
    const verifier = createDataSource(db.url, { extra: { max: 2 } });
    await verifier.initialize();
    try {
      const ledger = new LedgerService(
        verifier,
        new Clock(),
        new PeriodCloseChecks(),
        new FxRateService(verifier, new ConfigService()),
        new ReadDatabase(verifier),
      );
      expect(await ledger.verify()).toEqual([expect.stringMatching(/^2 journal line\(s\) in 1 entr\(y\/ies\) have no base amount/)]);
    } finally {
      await verifier.destroy();
    }
  });
});
