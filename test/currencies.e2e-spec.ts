import { addDays } from '#disty/core';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, cents, invoicesOf, realToday, startBillingTestApp } from './support/billing';
import { TEST_FX_RATES } from './support/fx-rates';

/**
 * Several currencies (docs/accounting.md §10): rates, base amounts, the BASE trial balance, realised
 * (7100) and unrealised (7150) differences. Its own database: billing runs, rates and the trial
 * balance are global.
 */
describe('Several currencies', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  // The last day of the previous month (a month end that has passed), and dates before it.
  const T = realToday();
  const monthEnd = addDays(`${T.slice(0, 7)}-01`, -1);
  const invoiceDate = addDays(monthEnd, -10);
  const payDate = addDays(monthEnd, -3);

  const tb = async (currency: string, asOf: string) =>
    (await t.http().get('/api/v1/ledger/trial-balance').query({ currency, asOf }).set('Authorization', finance).expect(200)).body as {
      currency: string;
      reportingCurrency?: string;
      balanced: boolean;
      totals: { debit: string; credit: string };
      rows: Array<{ accountCode: string; debit: string; credit: string; balance: string }>;
    };
  const baseBalance = async (accountCode: string, resellerId: string) => {
    const [row] = await t.db.query(
      `SELECT (base_debit_total - base_credit_total)::text AS base, (debit_total - credit_total)::text AS amount
         FROM account_balances WHERE account_code = $1 AND reseller_key = $2`,
      [accountCode, resellerId],
    );
    return row as { base: string; amount: string };
  };

  let usdPaid: { id: string };
  let usdOpen: { id: string };
  let nzd: { id: string };
  let aud: { id: string };
  const gross: Record<string, string> = {};

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close } = await startBillingTestApp('fx'));
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [
        { currency: 'AUD', unitPrice: '1000.00' },
        { currency: 'USD', unitPrice: '333.33' },
        { currency: 'NZD', unitPrice: '777.77' },
      ],
    });
    usdPaid = await f.createReseller(t, { currency: 'USD', country: 'US' });
    usdOpen = await f.createReseller(t, { currency: 'USD', country: 'US' });
    nzd = await f.createReseller(t, { currency: 'NZD', country: 'NZ' });
    aud = await f.createReseller(t, { currency: 'AUD', country: 'AU' });
    for (const r of [usdPaid, usdOpen, nzd, aud]) {
      const placed = await t
        .http()
        .post('/api/v1/orders')
        .set('Authorization', ADMIN)
        .send({ resellerId: r.id, endCustomer: { name: 'FX Co' }, lines: [{ sku: hw.sku, quantity: 3 }] });
      expect(placed.status).toBe(201);
      await t
        .http()
        .post(`/api/v1/orders/${placed.body.id}/lines/${placed.body.lines[0].id}/ship`)
        .set('Authorization', ADMIN)
        .send({ shippedOn: invoiceDate })
        .expect((res) => expect(res.status).toBeLessThan(300));
    }
    const run = await billPeriod(t, invoiceDate, finance);
    expect(run.status).toBe('COMPLETED');
    for (const r of [usdPaid, usdOpen, nzd, aud]) {
      const [inv] = await invoicesOf<{ totals: { HARDWARE: { gross: string } } }>(t, r.id, finance);
      gross[r.id] = inv.totals.HARDWARE.gross;
    }
  });
  afterAll(() => close?.());

  it('gives one balanced trial balance in the reporting currency with AUD, USD and NZD open, equal to each currency at its rate', async () => {
    const base = await tb('BASE', invoiceDate);
    expect(base).toMatchObject({ currency: 'BASE', reportingCurrency: 'AUD', balanced: true });
    expect(base.totals.debit).toBe(base.totals.credit);
    const per = {
      AUD: await tb('AUD', invoiceDate),
      USD: await tb('USD', invoiceDate),
      NZD: await tb('NZD', invoiceDate),
    };
    const rate = { AUD: 1, USD: Number(TEST_FX_RATES.USD), NZD: Number(TEST_FX_RATES.NZD) };
    for (const row of base.rows) {
      let expected = 0;
      for (const c of ['AUD', 'USD', 'NZD'] as const) {
        const r = per[c].rows.find((x) => x.accountCode === row.accountCode)!;
        expected += cents(r.balance) * rate[c];
      }
      // Each line's base is rounded to the cent on its own: at most half a cent per line, a handful of lines here.
      expect(Math.abs(cents(row.balance) - expected)).toBeLessThanOrEqual(3);
    }
    // The AR of 3 × 333.33 USD at 1.5: 999.99 × 1.5 = 1499.985 → 1499.99.
    expect(gross[usdPaid.id]).toBe('999.99');
    expect(await baseBalance('1100', usdPaid.id)).toEqual({ base: '1499.9900', amount: '999.9900' });
  });

  it('refuses a posting in a currency with no rate for its date (422 naming it) and writes nothing', async () => {
    const before = await t.db.query(`SELECT count(*)::int AS n FROM journal_entries`);
    const res = await t
      .http()
      .post('/api/v1/ledger/entries')
      .set('Authorization', finance)
      .send({
        entryDate: '1999-12-31',
        memo: 'before any USD rate',
        lines: [
          { accountCode: '1000', currency: 'USD', debit: '10.00' },
          { accountCode: '4000', currency: 'USD', credit: '10.00' },
        ],
      });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      type: 'https://disty.dev/problems/fx-rate-missing',
      currency: 'USD',
      date: '1999-12-31',
    });
    expect(res.body.detail).toContain('USD');
    expect(await t.db.query(`SELECT count(*)::int AS n FROM journal_entries`)).toEqual(before);
  });

  it('manages rates: one, a batch, a CSV import, a list; a rate in use cannot change; bad input names the field', async () => {
    const one = await t
      .http()
      .post('/api/v1/fx-rates')
      .set('Authorization', finance)
      .send({ currency: 'EUR', date: '2001-01-01', rate: '1.7' });
    expect(one.status).toBe(201);
    expect(one.body).toMatchObject({
      reportingCurrency: 'AUD',
      written: 1,
      items: [{ currency: 'EUR', date: '2001-01-01', rate: '1.7000000000', source: 'api' }],
    });
    const batch = await t
      .http()
      .post('/api/v1/fx-rates')
      .set('Authorization', finance)
      .send({
        rates: [
          { currency: 'GBP', date: '2001-01-01', rate: '2.0' },
          { currency: 'EUR', date: '2001-01-01', rate: '1.7' },
        ],
      });
    expect(batch.body).toMatchObject({ written: 1, unchanged: 1 });
    const csv = await t
      .http()
      .post('/api/v1/fx-rates/import')
      .set('Authorization', finance)
      .set('Content-Type', 'text/csv')
      .send('currency,date,rate\nJPY,2001-01-01,0.011\nJPY,2001-02-01,0.0112\n');
    expect(csv.status).toBe(201);
    expect(csv.body).toMatchObject({ written: 2 });
    const bad = await t
      .http()
      .post('/api/v1/fx-rates/import')
      .set('Authorization', finance)
      .set('Content-Type', 'text/csv')
      .send('JPY,2001-03-01,0.0113\nXXX,2001-03-01,1\nJPY,2001-03-02,-1\n');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['line 2.currency', 'line 3.rate']);
    const list = await t
      .http()
      .get('/api/v1/fx-rates')
      .query({ currency: 'JPY', from: '2001-01-01', to: '2001-12-31' })
      .set('Authorization', finance)
      .expect(200);
    expect(list.body.items.map((r: { date: string }) => r.date)).toEqual(['2001-01-01', '2001-02-01']);
    // The reporting currency's rate is always 1.
    const own = await t
      .http()
      .post('/api/v1/fx-rates')
      .set('Authorization', finance)
      .send({ currency: 'AUD', date: '2001-01-01', rate: '1.1' });
    expect(own.status).toBe(400);
    expect(own.body.errors[0].field).toBe('rate.currency');
    // The seeded USD rate was used by the invoices: it cannot change, nor can a new one take over their dates.
    const used = await t
      .http()
      .post('/api/v1/fx-rates')
      .set('Authorization', finance)
      .send({ currency: 'USD', date: '2000-01-01', rate: '1.4' });
    expect(used.status).toBe(409);
    expect(used.body.type).toBe('https://disty.dev/problems/fx-rate-in-use');
    const before = await t
      .http()
      .post('/api/v1/fx-rates')
      .set('Authorization', finance)
      .send({ currency: 'USD', date: invoiceDate, rate: '1.4' });
    expect(before.status).toBe(409);
    // Not for reseller users.
    const buyer = await t.user('buyer', aud.id);
    await t.http().get('/api/v1/fx-rates').set('Authorization', buyer.auth).expect(403);
  });

  it('posts the difference to 7100 when a USD invoice is paid after the rate changed, and AR leaves at zero in base', async () => {
    await t.http().post('/api/v1/fx-rates').set('Authorization', finance).send({ currency: 'USD', date: payDate, rate: '1.6' }).expect(201);
    const paid = await t.http().post('/api/v1/payments').set('Authorization', finance).send({
      resellerId: usdPaid.id,
      amount: gross[usdPaid.id],
      currency: 'USD',
      method: 'BANK_TRANSFER',
      reference: 'FX-1',
      receivedOn: payDate,
    });
    expect(paid.status).toBe(201);
    const entries = await t
      .http()
      .get('/api/v1/ledger/entries')
      .query({ sourceType: 'payment', resellerId: usdPaid.id })
      .set('Authorization', finance)
      .expect(200);
    const lines = entries.body.items[0].lines as Array<{
      accountCode: string;
      debit: string;
      credit: string;
      baseDebit: string;
      baseCredit: string;
    }>;
    const by = (code: string) => lines.find((l) => l.accountCode === code)!;
    // Cash at the day's rate (999.99 × 1.6 = 1599.984 → 1599.98), AR at what it was booked at (1499.99): a gain of 99.99.
    expect(by('1000')).toMatchObject({ debit: '999.99', baseDebit: '1599.98' });
    expect(by('1100')).toMatchObject({ credit: '999.99', baseCredit: '1499.99' });
    expect(by('7100')).toMatchObject({
      debit: '0.00',
      credit: '0.00',
      baseDebit: '0.00',
      baseCredit: '99.99',
    });
    expect(await baseBalance('1100', usdPaid.id)).toEqual({ base: '0.0000', amount: '0.0000' });
    const base = await tb('BASE', payDate);
    expect(base.balanced).toBe(true);
    expect(base.rows.find((r) => r.accountCode === '7100')).toMatchObject({
      credit: '99.99',
      balance: '-99.99',
    });
  });

  it('revalues open foreign-currency balances at month end to 7150, once (a re-run changes nothing)', async () => {
    await t
      .http()
      .post('/api/v1/fx-rates')
      .set('Authorization', finance)
      .send({ currency: 'USD', date: monthEnd, rate: '1.55' })
      .expect(201);
    const notMonthEnd = await t
      .http()
      .post('/api/v1/ledger/revaluation/run')
      .set('Authorization', finance)
      .send({ asOf: addDays(monthEnd, -1) });
    expect(notMonthEnd.status).toBe(400);
    expect(notMonthEnd.body.errors[0].field).toBe('asOf');

    const first = await t.http().post('/api/v1/ledger/revaluation/run').set('Authorization', finance).send({ asOf: monthEnd });
    expect(first.status).toBe(200);
    expect(first.body.created).toBe(true);
    // Open USD AR of 999.99 booked at 1.5 (1499.99), now 1.55 → 1549.98: +49.99. The USD cash received at 1.6
    // (1599.98) is worth 1549.98: −50.00. NZD's rate did not move; the paid AR is zero in both.
    expect(first.body.lines).toHaveLength(2);
    expect(first.body.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          accountCode: '1100',
          resellerId: usdOpen.id,
          currency: 'USD',
          baseBefore: '1499.99',
          baseAfter: '1549.98',
          difference: '49.99',
        }),
        expect.objectContaining({
          accountCode: '1000',
          resellerId: usdPaid.id,
          currency: 'USD',
          baseBefore: '1599.98',
          baseAfter: '1549.98',
          difference: '-50.00',
        }),
      ]),
    );
    const lines = first.body.entry.lines as Array<{
      accountCode: string;
      resellerId: string;
      baseDebit: string;
      baseCredit: string;
      debit: string;
      credit: string;
    }>;
    expect(lines.filter((l) => l.accountCode === '7150').map((l) => [l.resellerId, l.debit, l.credit, l.baseDebit, l.baseCredit])).toEqual(
      expect.arrayContaining([
        [usdOpen.id, '0.00', '0.00', '0.00', '49.99'],
        [usdPaid.id, '0.00', '0.00', '50.00', '0.00'],
      ]),
    );
    expect(await baseBalance('1100', usdOpen.id)).toEqual({ base: '1549.9800', amount: '999.9900' });

    const again = await t.http().post('/api/v1/ledger/revaluation/run').set('Authorization', finance).send({ asOf: monthEnd });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, entry: { id: first.body.entry.id } });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM journal_entries WHERE source_type = 'revaluation'`);
    expect(n).toBe(1);
    const base = await tb('BASE', monthEnd);
    expect(base.balanced).toBe(true);
    expect(base.rows.find((r) => r.accountCode === '7150')).toMatchObject({
      debit: '50.00',
      credit: '49.99',
      balance: '0.01',
    });

    // The open invoice paid later at 1.55 realises nothing more: AR leaves at its revalued carrying value.
    const paid = await t.http().post('/api/v1/payments').set('Authorization', finance).send({
      resellerId: usdOpen.id,
      amount: gross[usdOpen.id],
      currency: 'USD',
      method: 'BANK_TRANSFER',
      reference: 'FX-2',
      receivedOn: T,
    });
    expect(paid.status).toBe(201);
    expect(await baseBalance('1100', usdOpen.id)).toEqual({ base: '0.0000', amount: '0.0000' });
  });

  it('closes a year to 3000 in base too: income and FX accounts reach zero in the reporting currency, base-only lines included', async () => {
    const { LedgerService } = await import('#disty/ledger');
    const ledger = t.get(LedgerService);
    const year = String(Number(T.slice(0, 4)) - 2);
    const sale = await t
      .http()
      .post('/api/v1/ledger/entries')
      .set('Authorization', finance)
      .send({
        entryDate: `${year}-12-10`,
        memo: 'USD cash sale',
        lines: [
          { accountCode: '1000', currency: 'USD', debit: '100.00' },
          { accountCode: '4000', currency: 'USD', credit: '100.00' },
        ],
      });
    expect(sale.status).toBe(201);
    // A realised loss with no amount in USD (a base-only pair, as a settlement difference posts it).
    await ledger.inTransaction((em) =>
      ledger.post(em, {
        entryDate: `${year}-12-20`,
        memo: 'FX difference',
        source: { type: 'fx_difference', id: `test-${year}` },
        lines: [
          { accountCode: '7100', currency: 'USD', baseDebit: '5.00', baseCredit: '0' },
          { accountCode: '1000', currency: 'USD', baseDebit: '0', baseCredit: '5.00' },
        ],
      }),
    );
    const closed = await t.http().post(`/api/v1/ledger/periods/${year}-12/close`).set('Authorization', finance).send({});
    expect(closed.status).toBe(200);
    const yearEnd = (await t.http().get(`/api/v1/ledger/entries/${closed.body.yearEndEntryId}`).set('Authorization', finance).expect(200))
      .body;
    expect(yearEnd.lines.map((l: Record<string, string>) => [l.accountCode, l.debit, l.credit, l.baseDebit, l.baseCredit])).toEqual(
      expect.arrayContaining([
        ['4000', '100.00', '0.00', '150.00', '0.00'],
        ['7100', '0.00', '0.00', '0.00', '5.00'],
        ['3000', '0.00', '100.00', '0.00', '145.00'],
      ]),
    );
    const base = await tb('BASE', `${year}-12-31`);
    expect(base.balanced).toBe(true);
    const bal = (code: string) => base.rows.find((r) => r.accountCode === code)!.balance;
    expect([bal('4000'), bal('7100'), bal('3000'), bal('1000')]).toEqual(['0.00', '0.00', '145.00', '145.00']);
  });

  it('keeps ledger:verify green: every entry balanced in base, base balances and daily totals equal to their lines', async () => {
    const { LedgerService } = await import('#disty/ledger');
    expect(await t.get(LedgerService).verify()).toEqual([]);
  });
});
