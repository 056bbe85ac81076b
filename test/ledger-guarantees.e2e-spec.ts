import fc from 'fast-check';
import { randomUUID } from 'crypto';
import { Currency, Dec } from '#disty/core';
import { LedgerService } from '#disty/ledger';
import { createTestApp, TestApp } from './support/app';

/** The database's own guarantees, tried by going around the service with raw SQL. */
describe('Ledger guarantees held by the database', () => {
  let t: TestApp;
  let ledger: LedgerService;
  beforeAll(async () => {
    t = await createTestApp();
    ledger = t.get(LedgerService);
  });
  afterAll(() => t.close());

  const rawEntry = async (debit: string, credit: string, base: { debit: string | null; credit: string | null } = { debit, credit }) => {
    const runner = t.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const [{ id }] = await runner.query(
        `INSERT INTO journal_entries (entry_date, memo, source_type, source_id) VALUES ('2026-05-01', 'raw', 'raw', $1) RETURNING id`,
        [randomUUID()],
      );
      await runner.query(
        `INSERT INTO journal_lines (entry_id, line_no, account_code, currency, debit, credit, base_debit, base_credit, entry_date)
         VALUES ($1, 1, '1000', 'EUR', $2, 0, $4, 0, '2026-05-01'), ($1, 2, '4000', 'EUR', 0, $3, 0, $5, '2026-05-01')`,
        [id, debit, credit, base.debit, base.credit],
      );
      await runner.commitTransaction();
      return id as string;
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw e;
    } finally {
      await runner.release();
    }
  };

  it('rejects an unbalanced entry inserted with raw SQL at commit', async () => {
    await expect(rawEntry('10.00', '9.00')).rejects.toThrow(/unbalanced/);
  });

  // The app role has no UPDATE/DELETE/TRUNCATE on journal rows (a permission error); the triggers
  // refuse them for any other role too (test/integrity-database.e2e-spec.ts tries them as the owner).
  it('rejects at commit an entry balanced in its currency but not in the reporting currency (LD004), and a line without a base amount', async () => {
    await expect(rawEntry('10.00', '10.00', { debit: '16.50', credit: '16.49' })).rejects.toThrow(/unbalanced in the reporting currency/);
    await expect(rawEntry('10.00', '10.00', { debit: null, credit: '16.50' })).rejects.toThrow(/journal_lines_base_present_check/);
  });

  it('refuses a base-only line (no amount in its currency) outside the FX accounts and revaluations (LDBON)', async () => {
    const runner = t.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const [{ id }] = await runner.query(
        `INSERT INTO journal_entries (entry_date, memo, source_type, source_id) VALUES ('2026-05-01', 'raw', 'raw', $1) RETURNING id`,
        [randomUUID()],
      );
      await expect(
        runner.query(
          `INSERT INTO journal_lines (entry_id, line_no, account_code, currency, debit, credit, base_debit, base_credit, entry_date)
           VALUES ($1, 1, '1100', 'EUR', 0, 0, 1, 0, '2026-05-01')`,
          [id],
        ),
      ).rejects.toThrow(/base-only line/);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('rejects UPDATE and DELETE of a posted line or entry', async () => {
    const id = await rawEntry('3.00', '3.00');
    const refused = /immutable|permission denied/;
    await expect(t.db.query(`UPDATE journal_lines SET debit = 4 WHERE entry_id = $1 AND line_no = 1`, [id])).rejects.toThrow(refused);
    await expect(t.db.query(`DELETE FROM journal_lines WHERE entry_id = $1`, [id])).rejects.toThrow(refused);
    await expect(t.db.query(`UPDATE journal_entries SET memo = 'x' WHERE id = $1`, [id])).rejects.toThrow(refused);
    await expect(t.db.query(`TRUNCATE journal_lines CASCADE`)).rejects.toThrow(refused);
  });

  it('rejects lines added later to an entry already committed, and direct writes to balances', async () => {
    const id = await rawEntry('2.00', '2.00');
    await expect(
      t.db.query(
        `INSERT INTO journal_lines (entry_id, line_no, account_code, currency, debit, credit, base_debit, base_credit, entry_date)
                  VALUES ($1, 3, '1000', 'EUR', 1, 0, 1.65, 0, '2026-05-01'), ($1, 4, '4000', 'EUR', 0, 1, 0, 1.65, '2026-05-01')`,
        [id],
      ),
    ).rejects.toThrow(/transaction that creates it/);
    await expect(t.db.query(`UPDATE account_balances SET debit_total = 0`)).rejects.toThrow(/maintained by the ledger/);
  });

  // The insert checks run once per statement over all its rows (docs/performance.md §9): one bad
  // row among good ones still fails the whole statement.
  it('refuses, per statement, a raw manual entry on a control account, a line dated apart from its entry or on an unknown account, and a future-dated entry', async () => {
    const inOneTransaction = async (sqls: Array<(id: string) => [string, unknown[]]>) => {
      const runner = t.db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        const [{ id }] = await runner.query(
          `INSERT INTO journal_entries (entry_date, memo, source_type, source_id) VALUES ('2026-05-01', 'raw', 'manual', $1) RETURNING id`,
          [randomUUID()],
        );
        for (const sql of sqls) await runner.query(...sql(id));
        await runner.commitTransaction();
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    };
    const lines = (date: string, debitAccount: string) => (id: string) =>
      [
        `INSERT INTO journal_lines (entry_id, line_no, account_code, currency, debit, credit, base_debit, base_credit, entry_date)
         VALUES ($1, 1, '1000', 'AUD', 5, 0, 5, 0, '2026-05-01'), ($1, 2, $3, 'AUD', 0, 5, 0, 5, $2)`,
        [id, date, debitAccount],
      ] as [string, unknown[]];
    await expect(inOneTransaction([lines('2026-05-01', '1100')])).rejects.toThrow(/1100 is a control account/);
    await expect(inOneTransaction([lines('2026-05-02', '4000')])).rejects.toThrow(/is dated 2026-05-02, not its entry's date/);
    await expect(inOneTransaction([lines('2026-05-01', '4999')])).rejects.toThrow(/account 4999 is not in the chart of accounts/);
    await expect(inOneTransaction([lines('2026-05-01', '4000')])).resolves.toBeUndefined();
    // An account in use stays: its balance rows reference it.
    await expect(t.db.query(`DELETE FROM accounts WHERE code = '4000'`)).rejects.toThrow(/foreign key|permission denied/);
    await expect(
      t.db.query(
        `INSERT INTO journal_entries (entry_date, memo, source_type, source_id)
         VALUES ('2026-05-01', 'raw', 'raw', $1), (current_date + 2, 'raw', 'raw', $2)`,
        [randomUUID(), randomUUID()],
      ),
    ).rejects.toThrow(/in the future/);
  });

  // The balance check at commit runs once per statement over all of its entries, and the entry
  // foreign key is checked once per statement (docs/performance.md §12): each entry is still checked,
  // whatever wrote it, and the app role can neither skip nor remove a queued check.
  describe('the balance check at commit, once per statement', () => {
    /** Runs `steps` in one transaction as the app role; resolves when it commits. */
    const inTransaction = async (steps: Array<[string, unknown[]?]>) => {
      const runner = t.db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        for (const [sql, params] of steps) await runner.query(sql, params);
        await runner.commitTransaction();
      } finally {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    };
    const entries = (ids: string[]): [string, unknown[]] => [
      `INSERT INTO journal_entries (id, entry_date, memo, source_type, source_id)
       SELECT id, '2026-05-01', 'raw', 'raw', id::text FROM unnest($1::uuid[]) AS id`,
      [ids],
    ];
    /** Two lines per entry: `amount` debited, `credits[i]` (default the same) credited, base as given or equal. */
    const lines = (ids: string[], credits: string[] = [], baseCredits: string[] = []): [string, unknown[]] => [
      `INSERT INTO journal_lines (entry_id, line_no, account_code, currency, debit, credit, base_debit, base_credit, entry_date)
       SELECT x.id, s.n, s.account, 'EUR', s.debit, s.credit, s.base_debit, s.base_credit, '2026-05-01'
         FROM unnest($1::uuid[], $2::numeric[], $3::numeric[]) AS x(id, credit, base_credit),
              LATERAL (VALUES (1, '1000', 5.00, 0, 8.25, 0), (2, '4000', 0, x.credit, 0, x.base_credit))
                AS s(n, account, debit, credit, base_debit, base_credit)`,
      [ids, ids.map((_, i) => credits[i] ?? '5.00'), ids.map((_, i) => baseCredits[i] ?? '8.25')],
    ];
    const three = () => [randomUUID(), randomUUID(), randomUUID()];

    it('commits balanced entries written by one statement, and by several', async () => {
      const [a, b, c] = three();
      await expect(inTransaction([entries([a, b]), lines([a, b]), entries([c]), lines([c])])).resolves.toBeUndefined();
      expect(await ledger.verify()).toEqual([]);
    });

    it('rejects at commit an unbalanced entry among balanced ones of the same statement, naming it (LD001)', async () => {
      const [a, b, c] = three();
      await expect(inTransaction([entries([a, b, c]), lines([a, b, c], ['5.00', '4.00', '5.00'])])).rejects.toThrow(
        new RegExp(`journal entry ${b} is unbalanced in EUR: debits 5.0+ ≠ credits 4.0+`),
      );
    });

    it('rejects at commit an entry with no lines among entries that have them (LD001)', async () => {
      const [a, b, c] = three();
      await expect(inTransaction([entries([a, b, c]), lines([a, b])])).rejects.toThrow(
        new RegExp(`journal entry ${c} has 0 line\\(s\\); at least 2 are required`),
      );
    });

    it('rejects at commit an entry of a later statement that does not balance in base (LD004)', async () => {
      const [a, b, c] = three();
      await expect(inTransaction([entries([a, b]), lines([a, b]), entries([c]), lines([c], [], ['8.24'])])).rejects.toThrow(
        new RegExp(`journal entry ${c} is unbalanced in the reporting currency`),
      );
    });

    it('checks at SET CONSTRAINTS … IMMEDIATE, as the per-entry check did', async () => {
      const [a, b] = three();
      await expect(
        inTransaction([
          entries([a, b]),
          lines([a, b], ['5.00', '6.00']),
          ['SET CONSTRAINTS journal_entry_balanced IMMEDIATE'],
          [`SELECT 'not reached'`],
        ]),
      ).rejects.toThrow(new RegExp(`journal entry ${b} is unbalanced in EUR`));
    });

    /** A third line crediting 1.00 more to `id`: balanced entries become unbalanced. */
    const extraCredit = (id: string): [string, unknown[]] => [
      `INSERT INTO journal_lines (entry_id, line_no, account_code, currency, debit, credit, base_debit, base_credit, entry_date)
       VALUES ($1, 3, '4000', 'EUR', 0, 1.00, 0, 1.65, '2026-05-01')`,
      [id],
    ];

    it('checks again lines added after a check fired early, whether the constraint stays immediate or is deferred again', async () => {
      const [a, b, c] = three();
      // The check fired by SET CONSTRAINTS passes; the line added afterwards unbalances a.
      await expect(
        inTransaction([entries([a]), lines([a]), ['SET CONSTRAINTS journal_entry_balanced IMMEDIATE'], extraCredit(a)]),
      ).rejects.toThrow(new RegExp(`journal entry ${a} is unbalanced in EUR: debits 5.0+ ≠ credits 6.0+`));
      await expect(
        inTransaction([
          entries([b]),
          lines([b]),
          ['SET CONSTRAINTS journal_entry_balanced IMMEDIATE'],
          ['SET CONSTRAINTS journal_entry_balanced DEFERRED'],
          extraCredit(b),
        ]),
      ).rejects.toThrow(new RegExp(`journal entry ${b} is unbalanced in EUR`));
      const rows = await t.db.query(`SELECT id FROM journal_entries WHERE id = ANY($1::uuid[])`, [[a, b]]);
      expect(rows).toEqual([]);
      // Balanced lines added after an early check still commit.
      await expect(
        inTransaction([
          entries([c]),
          lines([c]),
          ['SET CONSTRAINTS journal_entry_balanced IMMEDIATE'],
          [
            `INSERT INTO journal_lines (entry_id, line_no, account_code, currency, debit, credit, base_debit, base_credit, entry_date)
             VALUES ($1, 3, '4000', 'EUR', 0, 1.00, 0, 1.65, '2026-05-01'), ($1, 4, '1000', 'EUR', 1.00, 0, 1.65, 0, '2026-05-01')`,
            [c],
          ],
        ]),
      ).resolves.toBeUndefined();
      expect(await ledger.verify()).toEqual([]);
    });

    it('forgets the check of entries rolled back to a savepoint, and keeps the others', async () => {
      // b, rolled back, has no lines: a check that outlived it would refuse the commit.
      const [a, b] = three();
      await expect(
        inTransaction([entries([a]), lines([a]), ['SAVEPOINT s'], entries([b]), ['ROLLBACK TO SAVEPOINT s']]),
      ).resolves.toBeUndefined();
      const rows = await t.db.query(`SELECT id FROM journal_entries WHERE id = ANY($1::uuid[])`, [[a, b]]);
      expect(rows).toEqual([{ id: a }]);
      const [c, d] = three();
      await expect(
        inTransaction([entries([c]), lines([c], ['4.00']), ['SAVEPOINT s'], entries([d]), ['ROLLBACK TO SAVEPOINT s']]),
      ).rejects.toThrow(new RegExp(`journal entry ${c} is unbalanced in EUR`));
    });

    it('refuses the app role any write to the queued checks, so none can be removed', async () => {
      const [a] = three();
      await expect(
        inTransaction([entries([a]), lines([a], ['4.00']), ['DELETE FROM ledger_balance_checks'], ['SELECT 1']]),
      ).rejects.toThrow(/permission denied/);
      await expect(inTransaction([['INSERT INTO ledger_balance_checks (entry_ids) VALUES (ARRAY[]::uuid[])']])).rejects.toThrow(
        /permission denied/,
      );
      await expect(t.db.query(`SELECT * FROM journal_entries WHERE id = $1`, [a])).resolves.toEqual([]);
    });

    it('refuses lines of an entry that does not exist, as the foreign key did (23503)', async () => {
      const [a] = three();
      const refused = inTransaction([lines([a])]);
      await expect(refused).rejects.toThrow(/violates foreign key constraint "journal_lines_entry_id_fkey"/);
      await expect(refused).rejects.toMatchObject({ driverError: { code: '23503', constraint: 'journal_lines_entry_id_fkey' } });
    });
  });

  it('keeps every maintained balance equal to its lines under random postings and reversals (property)', async () => {
    const resellers = [randomUUID(), randomUUID(), null];
    const currencies: Currency[] = ['AUD', 'USD', 'JPY'];
    const accounts = ['1000', '1100', '1110', '2100', '4000', '4100'];
    const lineArb = fc.record({
      account: fc.constantFrom(...accounts),
      reseller: fc.constantFrom(...resellers),
      cents: fc.integer({ min: 1, max: 5_000_000 }),
    });
    const entryArb = fc.record({
      currency: fc.constantFrom(...currencies),
      debits: fc.array(lineArb, { minLength: 1, maxLength: 3 }),
      creditAccount: fc.constantFrom(...accounts),
      day: fc.integer({ min: 1, max: 28 }),
      reverse: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 8 }), async (entries) => {
        for (const e of entries) {
          const scale = e.currency === 'JPY' ? 1 : 100;
          const debits = e.debits.map((d) => ({
            accountCode: d.account,
            resellerId: d.reseller,
            currency: e.currency,
            debit: new Dec(d.cents).div(scale),
          }));
          const total = debits.reduce((s, d) => s.plus(d.debit), new Dec(0));
          const lines = [...debits, { accountCode: e.creditAccount, resellerId: resellers[0], currency: e.currency, credit: total }];
          const date = `2026-07-${String(e.day).padStart(2, '0')}`;
          const posted = await ledger.inTransaction((em) =>
            ledger.post(em, {
              entryDate: date,
              memo: 'prop',
              source: { type: 'prop', id: randomUUID() },
              lines,
            }),
          );
          // System-sourced entries ('prop'): reversed only with allowSystem (HTTP refuses to reverse them).
          if (e.reverse) await ledger.reverseInOwnTransaction(posted.entry.id, { entryDate: date, allowSystem: true });
        }
        expect(await ledger.verify()).toEqual([]);
        for (const c of currencies) {
          const tb = await ledger.trialBalance('2026-12-31', c);
          expect(tb.totals.debit).toBe(tb.totals.credit);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('8 concurrent posters, 2,000 entries on the same few accounts: no deadlock reaches the caller, balances exact', async () => {
    const reseller = randomUUID();
    const before = await ledger.balanceOf('1100', reseller, 'USD');
    let failures = 0;
    const poster = async (w: number) => {
      for (let i = 0; i < 250; i++) {
        // Lines deliberately given in different orders by different posters.
        const lines = [
          { accountCode: '4000', resellerId: reseller, currency: 'USD' as const, credit: '10.00' },
          { accountCode: '1100', resellerId: reseller, currency: 'USD' as const, debit: '11.00' },
          { accountCode: '2100', resellerId: reseller, currency: 'USD' as const, credit: '1.00' },
          { accountCode: '1000', resellerId: null, currency: 'USD' as const, debit: '0.00' },
        ].slice(0, 3);
        if (w % 2) lines.reverse();
        await ledger
          .inTransaction((em) =>
            ledger.post(em, {
              entryDate: '2026-08-01',
              memo: `w${w}`,
              source: { type: 'conc', id: `${reseller}-${w}-${i}` },
              lines,
            }),
          )
          .catch(() => failures++);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => poster(w)));
    expect(failures).toBe(0);
    const after = await ledger.balanceOf('1100', reseller, 'USD');
    expect(after.minus(before).toFixed(2)).toBe('22000.00');
    expect(await ledger.verify()).toEqual([]);
  });
});
