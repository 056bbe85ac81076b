import { randomUUID } from 'crypto';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { ConfigService } from '@nestjs/config';
import { Clock, createDataSource, Dec, ReadDatabase } from '#disty/core';
import { FxRateService, LedgerBatchService, LedgerService, PeriodCloseChecks, PostEntryInput } from '#disty/ledger';
import { createOwnDatabase, OwnDatabase } from './support/own-database';

/**
 * Property (docs/accounting.md, "Batch posting"): a batch of entries posted in one transaction by
 * LedgerBatchService.postBatch leaves the same account balances and daily totals as the same
 * entries posted one by one with LedgerService.post; each entry is unique by source (a source
 * repeated in the batch, or a replay of the whole batch, posts nothing twice); ledger:verify finds
 * nothing. On a database of its own: it compares whole-ledger totals.
 */
describe('ledger batch posting property: same books as posting one by one, each source once', () => {
  let own: OwnDatabase;
  let ds: DataSource;
  let ledger: LedgerService;
  let batches: LedgerBatchService;

  beforeAll(async () => {
    own = await createOwnDatabase('ledgerbatch');
    ds = createDataSource(own.url, { extra: { max: 4 } });
    await ds.initialize();
    const clock = new Clock();
    ledger = new LedgerService(ds, clock, new PeriodCloseChecks(), new FxRateService(ds, new ConfigService()), new ReadDatabase(ds));
    batches = new LedgerBatchService(ledger, clock);
  });
  afterAll(async () => {
    await ds?.destroy();
    await own?.drop();
  });

  const ACCOUNTS = ['1100', '1110', '4000', '4100', '2100'];
  const DAYS = ['2026-01-31', '2026-02-28', '2026-03-31'];
  const CURRENCIES = ['AUD', 'AUD', 'USD', 'NZD'] as const;

  /** An entry: debits on some accounts balanced by one credit, for one of three reseller slots, in one currency. */
  const entryArb = fc.record({
    source: fc.integer({ min: 0, max: 15 }),
    day: fc.integer({ min: 0, max: DAYS.length - 1 }),
    currency: fc.integer({ min: 0, max: CURRENCIES.length - 1 }),
    reseller: fc.integer({ min: 0, max: 2 }),
    debits: fc.array(
      fc.record({
        account: fc.integer({ min: 0, max: ACCOUNTS.length - 1 }),
        cents: fc.integer({ min: 1, max: 5_000_000 }),
      }),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
    credit: fc.integer({ min: 0, max: ACCOUNTS.length - 1 }),
  });

  type Drawn = typeof entryArb extends fc.Arbitrary<infer T> ? T : never;

  function toInput(e: Drawn, sourceType: string, resellers: string[]): PostEntryInput {
    const currency = CURRENCIES[e.currency];
    const total = e.debits.reduce((s, d) => s.plus(new Dec(d.cents).div(100)), new Dec(0));
    return {
      entryDate: DAYS[e.day],
      memo: 'property',
      source: { type: sourceType, id: String(e.source) },
      lines: [
        ...e.debits.map((d) => ({
          accountCode: ACCOUNTS[d.account],
          resellerId: resellers[e.reseller],
          currency,
          debit: new Dec(d.cents).div(100),
        })),
        { accountCode: ACCOUNTS[e.credit], resellerId: resellers[e.reseller], currency, credit: total },
      ],
    };
  }

  /** Balances of `resellers` (by slot) and the daily totals of the whole ledger, as text keyed rows. */
  async function snapshot(resellers: string[]): Promise<{ balances: Map<string, string>; daily: Map<string, Dec[]> }> {
    const rows: Array<{
      account_code: string;
      reseller_key: string;
      currency: string;
      d: string;
      c: string;
      bd: string;
      bc: string;
    }> = await ds.query(
      `SELECT account_code, reseller_key, currency, debit_total::text AS d, credit_total::text AS c, base_debit_total::text AS bd, base_credit_total::text AS bc
         FROM account_balances WHERE reseller_key = ANY($1::uuid[])`,
      [resellers],
    );
    const balances = new Map(
      rows.map((r) => [
        `${r.account_code}|${resellers.indexOf(r.reseller_key)}|${r.currency}`,
        [r.d, r.c, r.bd, r.bc].map((x) => new Dec(x).toFixed(4)).join('|'),
      ]),
    );
    const days: Array<{ k: string; d: string; c: string; bd: string; bc: string }> = await ds.query(
      `SELECT account_code || '|' || currency || '|' || day::text AS k, debit_total::text AS d, credit_total::text AS c,
              base_debit_total::text AS bd, base_credit_total::text AS bc FROM ledger_daily_totals`,
    );
    return {
      balances,
      daily: new Map(days.map((r) => [r.k, [r.d, r.c, r.bd, r.bc].map((x) => new Dec(x))])),
    };
  }

  /** What posting changed in the daily totals between two snapshots (non-zero movements only). */
  function dailyDelta(before: Map<string, Dec[]>, after: Map<string, Dec[]>): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of after) {
      const b = before.get(k) ?? [new Dec(0), new Dec(0), new Dec(0), new Dec(0)];
      const d = v.map((x, i) => x.minus(b[i]));
      if (d.some((x) => !x.isZero())) out.set(k, d.map((x) => x.toFixed(4)).join('|'));
    }
    return out;
  }

  it('posts the same balances and daily totals as one by one, and a replayed batch posts nothing', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 30 }), async (entries) => {
        run++;
        const one = [randomUUID(), randomUUID(), randomUUID()];
        const many = [randomUUID(), randomUUID(), randomUUID()];

        const before = await snapshot([]);
        const createdOneByOne: boolean[] = [];
        for (const e of entries) {
          const r = await ledger.inTransaction((em) => ledger.post(em, toInput(e, `prop-one-${run}`, one)));
          createdOneByOne.push(r.created);
        }
        const middle = await snapshot([]);
        const results = await ledger.inTransaction((em) =>
          batches.postBatch(
            em,
            entries.map((e) => toInput(e, `prop-batch-${run}`, many)),
          ),
        );
        const after = await snapshot([]);

        expect(results.map((r) => r.created)).toEqual(createdOneByOne);
        expect((await snapshot(many)).balances).toEqual((await snapshot(one)).balances);
        expect(dailyDelta(middle.daily, after.daily)).toEqual(dailyDelta(before.daily, middle.daily));
        // The same source always answers the same entry; distinct sources, distinct entries.
        const bySource = new Map<number, string>();
        entries.forEach((e, i) => {
          if (bySource.has(e.source)) expect(results[i].entryId).toBe(bySource.get(e.source));
          else bySource.set(e.source, results[i].entryId);
        });
        expect(new Set(bySource.values()).size).toBe(bySource.size);

        // Replayed: nothing posted twice, the same entries answered.
        const replay = await ledger.inTransaction((em) =>
          batches.postBatch(
            em,
            entries.map((e) => toInput(e, `prop-batch-${run}`, many)),
          ),
        );
        expect(replay.every((r) => !r.created)).toBe(true);
        expect(replay.map((r) => r.entryId)).toEqual(results.map((r) => r.entryId));
        const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM journal_entries WHERE source_type = $1`, [`prop-batch-${run}`]);
        expect(n).toBe(bySource.size);
        expect(dailyDelta(after.daily, (await snapshot([])).daily).size).toBe(0);
      }),
      { numRuns: 25 },
    );
    expect(await ledger.verify()).toEqual([]);
  });

  it('refuses a batch with one unbalanced entry as a whole: nothing of it is posted', async () => {
    const r = [randomUUID()];
    const good: PostEntryInput = {
      entryDate: DAYS[0],
      memo: 'good',
      source: { type: 'prop-refused', id: 'good' },
      lines: [
        { accountCode: '1100', resellerId: r[0], currency: 'AUD', debit: '10.00' },
        { accountCode: '4000', resellerId: r[0], currency: 'AUD', credit: '10.00' },
      ],
    };
    const bad: PostEntryInput = {
      ...good,
      source: { type: 'prop-refused', id: 'bad' },
      lines: [good.lines[0], { ...good.lines[1], credit: '9.99' }],
    };
    await expect(ledger.inTransaction((em) => batches.postBatch(em, [good, bad]))).rejects.toMatchObject({
      status: 422,
    });
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM journal_entries WHERE source_type = 'prop-refused'`);
    expect(n).toBe(0);
  });
});
