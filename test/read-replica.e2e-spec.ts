import { Client } from 'pg';
import { Dec, freePort, ReadDatabase, validateEnvironment } from '#disty/core';
import type { TestApp } from './support/app';
import { billPeriod, realToday } from './support/billing';
import { createOwnDatabase, OwnDatabase, useOwnDatabase } from './support/own-database';

/**
 * The read-only reports on the read connection (docs/operations.md §15), without a replica: with
 * DATABASE_READ_URL set to the primary's own URL the reports answer the primary's figures from a
 * read-only transaction that refuses writes; pointed at another database they show that one (the
 * reports really read there, everything else stays on the primary); pointed at nothing that
 * answers they fall back to the primary. On databases of their own: the trial balance is global.
 */
describe('read-only reports on DATABASE_READ_URL', () => {
  let primary: OwnDatabase;
  let t: TestApp;
  let createTestApp: () => Promise<TestApp>;
  let admin: string;
  let finance: string;
  let sql: Client;
  let reseller: { id: string };
  let sku: string;
  const today = realToday();
  const saved = process.env.DATABASE_READ_URL;

  beforeAll(async () => {
    primary = await useOwnDatabase('readurl');
    process.env.DATABASE_READ_URL = primary.url; // the same database, through the read connection
    ({ createTestApp } = await import('./support/app.js'));
    const { ADMIN_TOKEN } = await import('./support/app.js');
    const f = await import('./factories/commerce.js');
    t = await createTestApp();
    admin = `Bearer ${ADMIN_TOKEN}`;
    finance = (await t.user('finance')).auth;
    sql = new Client({ connectionString: primary.url });
    await sql.connect();

    // One laptop shipped and billed: journal lines, an open invoice, recognised revenue.
    sku = (
      await f.createProduct(t, {
        kind: 'HARDWARE',
        vendor: 'Dell',
        prices: [{ currency: 'AUD', unitPrice: '1000.00', costPrice: '700.00' }],
      })
    ).sku;
    reseller = await f.createReseller(t, { name: 'Replica Reader Pty' });
    const order = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', admin)
      .send({ resellerId: reseller.id, endCustomer: { name: 'End Co' }, lines: [{ sku, quantity: 1 }] })
      .expect(201);
    await t
      .http()
      .post(`/api/v1/orders/${order.body.id}/lines/${order.body.lines[0].id}/ship`)
      .set('Authorization', admin)
      .send({ shippedOn: today })
      .expect(200);
    expect(await billPeriod(t, today, finance)).toMatchObject({ status: 'COMPLETED', invoicesIssued: 1 });
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.DATABASE_READ_URL;
    else process.env.DATABASE_READ_URL = saved;
    await sql?.end();
    await t?.close();
    await primary?.drop();
  });

  const get = (app: TestApp, url: string) => app.http().get(url).set('Authorization', finance).expect(200);
  /** The primary's AUD trial-balance totals, straight from its daily totals. */
  const primaryTotals = async () =>
    (
      await sql.query(
        `SELECT coalesce(sum(debit_total), 0)::text AS debit, coalesce(sum(credit_total), 0)::text AS credit
                        FROM ledger_daily_totals WHERE currency = 'AUD' AND day <= $1`,
        [today],
      )
    ).rows[0] as { debit: string; credit: string };

  it("answers every read-only report with the primary's figures", async () => {
    const tb = (await get(t, `/api/v1/ledger/trial-balance?asOf=${today}&currency=AUD`)).body;
    const expected = await primaryTotals();
    expect(new Dec(expected.debit).greaterThan(0)).toBe(true);
    expect(new Dec(tb.totals.debit).equals(expected.debit)).toBe(true);
    expect(new Dec(tb.totals.credit).equals(expected.credit)).toBe(true);
    expect(tb.balanced).toBe(true);

    // AR aging: the invoice's gross is open (1,000.00 + 10% GST).
    const aging = (await get(t, `/api/v1/reports/ar-aging?asOf=${today}&resellerId=${reseller.id}`)).body;
    expect(aging.items).toEqual([expect.objectContaining({ resellerId: reseller.id, creditLine: 'HARDWARE', total: '1100.00' })]);

    const margin = (await get(t, `/api/v1/reports/margin?from=${today}&to=${today}&groupBy=reseller&resellerId=${reseller.id}`)).body;
    expect(margin.items).toEqual([expect.objectContaining({ key: reseller.id, revenue: '1000.00', cost: '700.00', margin: '300.00' })]);

    const journal = (await get(t, `/api/v1/exports/journal?from=${today}&to=${today}`)).text.trim().split('\n');
    const { n } = (await sql.query(`SELECT count(*)::int AS n FROM journal_lines WHERE entry_date = $1`, [today])).rows[0];
    expect(journal).toHaveLength(n + 1); // the header and every line
    const invoices = (await get(t, `/api/v1/exports/invoices?from=${today}&to=${today}`)).text.trim().split('\n');
    expect(invoices).toHaveLength(2);
    await get(t, `/api/v1/exports/payments?from=${today}&to=${today}`);
    const deferred = (await get(t, `/api/v1/reports/deferred-revenue?asOf=${today}`)).body;
    expect(deferred.totals.every((r: { difference: string }) => new Dec(r.difference).isZero())).toBe(true);
  });

  it('reads in a read-only transaction: a write through the read connection fails', async () => {
    const reads = t.get(ReadDatabase);
    expect(reads.usesReplica).toBe(true);
    const [s] = await reads.query<{ ro: string; iso: string; app: string }>(
      `SELECT current_setting('transaction_read_only') AS ro, current_setting('transaction_isolation') AS iso, current_setting('application_name') AS app`,
    );
    expect(s).toEqual({ ro: 'on', iso: 'repeatable read', app: 'disty-read' });
    await expect(reads.query(`INSERT INTO fx_rates (currency, rate_date, rate) VALUES ('USD', '2001-01-01', 1.5)`)).rejects.toMatchObject({
      code: '25006',
    });
    await expect(reads.read((em) => em.query(`UPDATE ledger_settings SET reporting_currency = reporting_currency`))).rejects.toMatchObject({
      code: '25006',
    });
    // Nothing was written, and the read connection still answers.
    expect((await sql.query(`SELECT count(*)::int AS n FROM fx_rates WHERE rate_date = '2001-01-01'`)).rows[0].n).toBe(0);
    expect(await reads.query(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });

  it("reads where DATABASE_READ_URL points: another database's (empty) books, while writes stay on the primary", async () => {
    const other = await createOwnDatabase('readother');
    process.env.DATABASE_READ_URL = other.url;
    const t2 = await createTestApp();
    try {
      const tb = (await get(t2, `/api/v1/ledger/trial-balance?asOf=${today}&currency=AUD`)).body;
      expect(tb.totals).toEqual({ debit: '0.00', credit: '0.00' });
      expect((await get(t2, `/api/v1/reports/ar-aging?asOf=${today}`)).body.items).toEqual([]);
      expect((await get(t2, `/api/v1/exports/journal?from=${today}&to=${today}`)).text.trim().split('\n')).toHaveLength(1);
      // An order through this app lands on the primary; the statement of account reads the primary too.
      await t2
        .http()
        .post('/api/v1/orders')
        .set('Authorization', admin)
        .send({ resellerId: reseller.id, endCustomer: { name: 'End Co' }, lines: [{ sku, quantity: 1 }] })
        .expect(201);
      expect((await sql.query(`SELECT count(*)::int AS n FROM orders WHERE reseller_id = $1`, [reseller.id])).rows[0].n).toBe(2);
      const statement = (await get(t2, `/api/v1/resellers/${reseller.id}/statement?to=${today}`)).body;
      expect(statement.currencies[0].aging.total).toBe('1100.00');
    } finally {
      await t2.close();
      await other.drop();
      process.env.DATABASE_READ_URL = primary.url;
    }
  });

  it('falls back to the primary when the replica cannot be reached', async () => {
    process.env.DATABASE_READ_URL = `postgres://disty_app:disty@127.0.0.1:${await freePort()}/disty`;
    const t3 = await createTestApp();
    try {
      const tb = (await get(t3, `/api/v1/ledger/trial-balance?asOf=${today}&currency=AUD`)).body;
      expect(new Dec(tb.totals.debit).equals((await primaryTotals()).debit)).toBe(true);
      await expect(t3.get(ReadDatabase).query(`DELETE FROM fx_rates`)).rejects.toMatchObject({
        code: '25006',
      });
    } finally {
      await t3.close();
      process.env.DATABASE_READ_URL = primary.url;
    }
  });

  it('refuses a DATABASE_READ_URL that is not a postgres:// URL', () => {
    expect(() => validateEnvironment({ DATABASE_READ_URL: 'mysql://replica/disty' })).toThrow(
      /DATABASE_READ_URL must be a postgres:\/\/ URL/,
    );
  });
});
