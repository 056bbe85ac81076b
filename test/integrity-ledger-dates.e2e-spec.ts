import { addDays } from '#disty/core';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, invoicesOf, realToday, startBillingTestApp, waitForRun, FORCED_CLOSE } from './support/billing';

/**
 * Money integrity, issue 13 leaks 5, 7 and 8 (docs/money-integrity.md): cash is never applied
 * before it arrived; control accounts move only through their documents, system entries are not
 * reversed, nothing is dated in the future and credit never counts a future-dated entry; ship
 * dates are not in the future and a closed month's shipment posts on the first open day; invoices
 * are numbered in issue-date order. On a database of its own (billing runs and period closes are
 * global). The tests run in order: their billing runs' period ends increase.
 */
describe('integrity: ledger dates, control accounts and invoice order', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close } = await startBillingTestApp('ledgerdates'));
  });
  afterAll(() => close?.());

  const api = () => t.http();
  const tomorrow = () => addDays(realToday(), 1);

  /** A reseller (10 % tax) with one hardware order line, shipped on `shippedOn` unless null. */
  async function resellerWithHardware(opts: { net: string; shippedOn: string | null; hardwareLimit?: string }) {
    const reseller = await f.createReseller(t, { paymentTermsDays: 30, hardwareLimit: opts.hardwareLimit });
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: opts.net }],
    });
    const order = await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'End Co' },
        lines: [{ sku: hw.sku, quantity: 1 }],
      });
    if (order.status !== 201) throw new Error(`order: ${order.status} ${JSON.stringify(order.body)}`);
    const line = order.body.lines[0];
    if (opts.shippedOn) {
      await api()
        .post(`/api/v1/orders/${order.body.id}/lines/${line.id}/ship`)
        .set('Authorization', ADMIN)
        .send({ shippedOn: opts.shippedOn })
        .expect(200);
    }
    return { reseller, order: order.body, line };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- invoice bodies as the tests read them
  const invoicesOfReseller = (resellerId: string) => invoicesOf<any>(t, resellerId, finance);

  const closing = async (code: string, resellerId: string, to: string) =>
    (
      await api()
        .get(`/api/v1/ledger/accounts/${code}/statement?to=${to}&resellerId=${resellerId}&currency=AUD`)
        .set('Authorization', finance)
        .expect(200)
    ).body.closingBalance as string;

  it('leak 5: unapplied cash is applied to a new invoice on the day it arrived, never before', async () => {
    const { reseller } = await resellerWithHardware({ net: '100.00', shippedOn: '2026-11-10' });
    // 50.00 arrives on the 18th, before the invoice of the 16th is issued: it waits as unapplied cash.
    const early = await api()
      .post('/api/v1/payments')
      .set('Authorization', finance)
      .send({
        resellerId: reseller.id,
        amount: '50.00',
        currency: 'AUD',
        method: 'BANK_TRANSFER',
        reference: 'leak5-18th',
        receivedOn: '2026-11-18',
      })
      .expect(201);
    expect(early.body.unapplied).toBe('50.00');
    await billPeriod(t, '2026-11-16', finance);
    const [invoice] = await invoicesOfReseller(reseller.id);
    expect(invoice).toMatchObject({ issueDate: '2026-11-16', amountDue: '60.00' });
    const applied = (await api().get(`/api/v1/payments/${early.body.id}`).set('Authorization', finance).expect(200)).body;
    expect(applied.allocations).toEqual([expect.objectContaining({ invoiceId: invoice.id, amount: '50.00', appliedOn: '2026-11-18' })]);
    // 2200 never shows a debit balance: on the 16th nothing had arrived, so nothing was applied.
    expect(await closing('2200', reseller.id, '2026-11-16')).toBe('0.00');
    expect(await closing('1100', reseller.id, '2026-11-16')).toBe('110.00');
    expect(await closing('1100', reseller.id, '2026-11-18')).toBe('60.00');

    // A payment dated before the invoice existed pays it on the invoice's date, not before.
    const backdated = await api()
      .post('/api/v1/payments')
      .set('Authorization', finance)
      .send({
        resellerId: reseller.id,
        amount: '60.00',
        currency: 'AUD',
        method: 'BANK_TRANSFER',
        reference: 'leak5-14th',
        receivedOn: '2026-11-14',
      })
      .expect(201);
    expect(backdated.body.allocations).toEqual([
      expect.objectContaining({ invoiceId: invoice.id, amount: '60.00', appliedOn: '2026-11-16' }),
    ]);
    expect(backdated.body.unapplied).toBe('0.00');
    expect(await closing('1100', reseller.id, '2026-11-15')).toBe('0.00');
    expect(await closing('2200', reseller.id, '2026-11-15')).toBe('60.00');
    expect(await closing('2200', reseller.id, '2026-11-16')).toBe('0.00');
    expect(await closing('1100', reseller.id, '2026-11-18')).toBe('0.00');
    const paid = (await invoicesOfReseller(reseller.id))[0];
    expect(paid).toMatchObject({ status: 'PAID', amountDue: '0.00' });
  });

  it('leak 7: refuses a manual entry to a control account with 422 control-account; credit is unchanged', async () => {
    const reseller = await f.createReseller(t, { cloudLimit: '15000.00' });
    const before = await f.creditLines(t, reseller.id);
    const res = await api()
      .post('/api/v1/ledger/entries')
      .set('Authorization', finance)
      .send({
        entryDate: '2026-11-20',
        memo: 'raise my credit',
        lines: [
          { accountCode: '4100', currency: 'AUD', debit: '50000.00' },
          { accountCode: '1110', resellerId: reseller.id, currency: 'AUD', credit: '50000.00' },
        ],
      })
      .expect(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body).toMatchObject({
      type: 'https://disty.dev/problems/control-account',
      accountCode: '1110',
    });
    for (const code of ['1100', '1050', '2200']) {
      const r = await api()
        .post('/api/v1/ledger/entries')
        .set('Authorization', finance)
        .send({
          entryDate: '2026-11-20',
          memo: 'x',
          lines: [
            { accountCode: code, resellerId: reseller.id, currency: 'AUD', debit: '1.00' },
            { accountCode: '4000', currency: 'AUD', credit: '1.00' },
          ],
        })
        .expect(422);
      expect(r.body.type).toBe('https://disty.dev/problems/control-account');
    }
    expect(await f.creditLines(t, reseller.id)).toEqual(before);
    const accounts = (await api().get('/api/v1/ledger/accounts').set('Authorization', finance).expect(200)).body.items as Array<{
      code: string;
      control: boolean;
    }>;
    expect(
      accounts
        .filter((a) => a.control)
        .map((a) => a.code)
        .sort(),
    ).toEqual(['1050', '1100', '1110', '1190', '2000', '2050', '2200', '2400', '2500']);
  });

  it('leak 7: refuses an entry dated after today with 422 future-dated (the 9999-12-31 repro too); credit is unchanged', async () => {
    const reseller = await f.createReseller(t, { cloudLimit: '15000.00' });
    const before = await f.creditLines(t, reseller.id);
    const repro = await api()
      .post('/api/v1/ledger/entries')
      .set('Authorization', finance)
      .send({
        entryDate: '9999-12-31',
        memo: 'raise my credit',
        lines: [
          { accountCode: '4100', currency: 'AUD', debit: '50000.00' },
          { accountCode: '1110', resellerId: reseller.id, currency: 'AUD', credit: '50000.00' },
        ],
      })
      .expect(422);
    expect(repro.body.type).toMatch(/control-account|future-dated/);
    for (const entryDate of ['9999-12-31', tomorrow()]) {
      const r = await api()
        .post('/api/v1/ledger/entries')
        .set('Authorization', finance)
        .send({
          entryDate,
          memo: 'future',
          lines: [
            { accountCode: '1000', currency: 'AUD', debit: '5.00' },
            { accountCode: '4000', currency: 'AUD', credit: '5.00' },
          ],
        })
        .expect(422);
      expect(r.body.type).toBe('https://disty.dev/problems/future-dated');
    }
    // A system posting is held to the same rule, by the service and by the database itself.
    const { LedgerService } = await import('#disty/ledger');
    const ledger = t.get(LedgerService);
    const system = {
      entryDate: '9999-12-31',
      memo: 'system, future',
      source: { type: 'leak7-test', id: reseller.id },
      lines: [
        { accountCode: '4100', currency: 'AUD' as const, debit: '50000.00' },
        { accountCode: '1110', resellerId: reseller.id, currency: 'AUD' as const, credit: '50000.00' },
      ],
    };
    await expect(ledger.inTransaction((em) => ledger.post(em, system))).rejects.toMatchObject({
      status: 422,
    });
    await expect(
      t.db.query(`INSERT INTO journal_entries (entry_date, memo, source_type, source_id) VALUES ('9999-12-31', 'raw', 'leak7-raw', $1)`, [
        reseller.id,
      ]),
    ).rejects.toThrow(/future/);
    expect(await f.creditLines(t, reseller.id)).toEqual(before);
  });

  it("leak 7: refuses to reverse a system entry (the invoice's) with 422 system-entry; the invoice stays due", async () => {
    const { reseller } = await resellerWithHardware({
      net: '5000.00',
      shippedOn: '2026-11-10',
      hardwareLimit: '15000.00',
    });
    await billPeriod(t, '2026-11-19', finance);
    const [invoice] = await invoicesOfReseller(reseller.id);
    expect(invoice).toMatchObject({ issueDate: '2026-11-19', amountDue: '5500.00' });
    const before = await f.creditLines(t, reseller.id);
    expect(before.HARDWARE.openReceivables).toBe('5500.00');
    const entries = await api()
      .get(`/api/v1/ledger/entries?sourceType=invoice&resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    const res = await api()
      .post(`/api/v1/ledger/entries/${entries.body.items[0].id}/reverse`)
      .set('Authorization', finance)
      .send({})
      .expect(422);
    expect(res.body).toMatchObject({ type: 'https://disty.dev/problems/system-entry' });
    expect((await invoicesOfReseller(reseller.id))[0]).toMatchObject({ amountDue: '5500.00' });
    expect(await f.creditLines(t, reseller.id)).toEqual(before);
    // A manual entry is still corrected by its reversal.
    const manual = await api()
      .post('/api/v1/ledger/entries')
      .set('Authorization', finance)
      .send({
        entryDate: '2026-11-20',
        memo: 'cash sale',
        lines: [
          { accountCode: '1000', currency: 'AUD', debit: '3.00' },
          { accountCode: '4000', currency: 'AUD', credit: '3.00' },
        ],
      })
      .expect(201);
    await api()
      .post(`/api/v1/ledger/entries/${manual.body.id}/reverse`)
      .set('Authorization', finance)
      .send({ entryDate: '2026-11-21' })
      .expect(201);
  });

  it('leak 8: refuses a ship date in the future with 422 future-dated; the line stays pending', async () => {
    const { order, line } = await resellerWithHardware({ net: '10.00', shippedOn: null });
    for (const shippedOn of ['2999-03-01', tomorrow()]) {
      const res = await api()
        .post(`/api/v1/orders/${order.id}/lines/${line.id}/ship`)
        .set('Authorization', ADMIN)
        .send({ shippedOn })
        .expect(422);
      expect(res.body).toMatchObject({ type: 'https://disty.dev/problems/future-dated' });
    }
    const after = (await api().get(`/api/v1/orders/${order.id}`).set('Authorization', ADMIN).expect(200)).body;
    expect(after.lines[0]).toMatchObject({ status: 'PENDING', shippedOn: null });
  });

  it('leak 8: a ship date in a closed month keeps its real date and posts on the first day of the first open month', async () => {
    await api().post('/api/v1/ledger/periods/2026-09/close').set('Authorization', finance).send(FORCED_CLOSE).expect(200);
    const { reseller, order, line } = await resellerWithHardware({ net: '20.00', shippedOn: null });
    const shipped = await api()
      .post(`/api/v1/orders/${order.id}/lines/${line.id}/ship`)
      .set('Authorization', ADMIN)
      .send({ shippedOn: '2026-09-15' })
      .expect(200);
    expect(shipped.body.lines[0]).toMatchObject({
      status: 'SHIPPED',
      shippedOn: '2026-09-15',
      postedOn: '2026-10-01',
    });
    // Its revenue and cost (docs/accounting.md §3) post on that first open day, the real date in the memo.
    const entries = await api()
      .get('/api/v1/ledger/entries')
      .query({ sourceType: 'shipment', resellerId: reseller.id })
      .set('Authorization', finance)
      .expect(200);
    expect(entries.body.items).toEqual([expect.objectContaining({ entryDate: '2026-10-01', source: { type: 'shipment', id: line.id } })]);
    expect(entries.body.items[0].memo).toContain('shipped 2026-09-15 (posted 2026-10-01');
    expect(await t.db.query(`SELECT to_char(accrued_on, 'YYYY-MM-DD') AS d FROM cost_accruals WHERE source_id = $1`, [line.id])).toEqual([
      { d: '2026-10-01' },
    ]);
    await billPeriod(t, '2026-11-20', finance);
    const [invoice] = await invoicesOfReseller(reseller.id);
    expect(invoice.issueDate).toBe('2026-11-20');
    expect(invoice.lines[0].description).toContain('shipped 2026-09-15 (posted 2026-10-01');
  });

  it("leak 8: a billing run's periodEnd is not earlier than the latest issued invoice (422), and numbers follow issue dates", async () => {
    const { reseller } = await resellerWithHardware({ net: '30.00', shippedOn: '2026-11-02' });
    const res = await api().post('/api/v1/billing-runs').set('Authorization', finance).send({ periodEnd: '2026-11-17' }).expect(422);
    expect(res.body).toMatchObject({
      type: 'https://disty.dev/problems/period-end-before-last-invoice',
      latestInvoiceDate: '2026-11-20',
    });
    // A run that got past that check at the same time as a later one (two runs at once) still cannot
    // number an earlier-dated invoice after a later one: the numbering refuses it in the database.
    const { ConsolidatedInvoiceService } = await import('#disty/invoicing');
    const runs = t.get(ConsolidatedInvoiceService);
    await expect(t.db.transaction((em) => runs.billReseller(em, null, '2026-11-10', reseller.id))).rejects.toMatchObject({
      status: 422,
      slug: 'invoice-date-order',
    });
    expect(await invoicesOfReseller(reseller.id)).toEqual([]);
    const all: Array<{ number: string; issue_date: string }> = await t.db.query(
      `SELECT number, to_char(issue_date, 'YYYY-MM-DD') AS issue_date FROM invoices WHERE number IS NOT NULL ORDER BY year, seq`,
    );
    const dates = all.map((i) => i.issue_date);
    expect(dates).toEqual([...dates].sort());
    // The line is billed by the next run in order.
    await billPeriod(t, '2026-11-21', finance);
    expect((await invoicesOfReseller(reseller.id)).map((i) => i.issueDate)).toEqual(['2026-11-21']);
  });

  it('leak 8: two billing runs for different period ends at once never number invoices out of date order', async () => {
    const resellers = [];
    for (let i = 0; i < 6; i++) resellers.push((await resellerWithHardware({ net: `${10 + i}.00`, shippedOn: '2026-11-02' })).reseller);
    const [early, late] = await Promise.all(
      ['2026-11-22', '2026-11-23'].map((periodEnd) => api().post('/api/v1/billing-runs').set('Authorization', finance).send({ periodEnd })),
    );
    expect([early.status, late.status]).toEqual([202, 202]);
    await waitForRun(t, early.body.id, finance);
    await waitForRun(t, late.body.id, finance);
    const numbered: Array<{ issue_date: string }> = await t.db.query(
      `SELECT to_char(issue_date, 'YYYY-MM-DD') AS issue_date FROM invoices WHERE number IS NOT NULL ORDER BY year, seq`,
    );
    const dates = numbered.map((i) => i.issue_date);
    expect(dates).toEqual([...dates].sort());
    // Whatever the earlier run could not number in order is billed by the next run.
    await billPeriod(t, '2026-11-24', finance);
    for (const r of resellers) expect(await invoicesOfReseller(r.id)).toHaveLength(1);
  });

  it('refuses to close the running month or a later one (422 period-not-ended): it would refuse every posting dated today', async () => {
    const today = new Date().toISOString().slice(0, 10);
    for (const period of [today.slice(0, 7), '2099-01']) {
      const res = await api().post(`/api/v1/ledger/periods/${period}/close`).set('Authorization', finance).expect(422);
      expect(res.body).toMatchObject({ type: expect.stringMatching(/period-not-ended$/), period });
    }
    const periods = (await api().get('/api/v1/ledger/periods').set('Authorization', finance).expect(200)).body.items as Array<{
      period: string;
    }>;
    expect(periods.map((p) => p.period)).not.toContain(today.slice(0, 7));
  });

  it('keeps the ledger verified after all of the above', async () => {
    const { LedgerService } = await import('#disty/ledger');
    expect(await t.get(LedgerService).verify()).toEqual([]);
  });
});
