import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, startBillingTestApp } from './support/billing';

/**
 * Period close (docs/accounting.md §7): a month closes only when its content is explained — lines
 * shipped but not invoiced and vendor costs accrued but not billed are reported and refuse the
 * close unless it is forced with a reason — and closing a December moves the year's income and
 * expense to retained earnings (3000). On a database of its own: period closes are global.
 */
describe('period close', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close } = await startBillingTestApp('periodclose'));
  });
  afterAll(() => close?.());

  const api = () => t.http();
  const tb = async (asOf: string) =>
    (await api().get(`/api/v1/ledger/trial-balance?asOf=${asOf}&currency=AUD`).set('Authorization', finance).expect(200)).body as {
      rows: Array<{ accountCode: string; balance: string }>;
      balanced: boolean;
    };
  const balance = (view: { rows: Array<{ accountCode: string; balance: string }> }, code: string) =>
    view.rows.find((a) => a.accountCode === code)?.balance ?? '0.00';

  it('reports a shipped line not yet invoiced and refuses the close until it is forced with a reason', async () => {
    const reseller = await f.createReseller(t, {});
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: '250.00' }],
    });
    const order = await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'End Co' },
        lines: [{ sku: hw.sku, quantity: 2 }],
      })
      .expect(201);
    const line = order.body.lines[0];
    await api()
      .post(`/api/v1/orders/${order.body.id}/lines/${line.id}/ship`)
      .set('Authorization', ADMIN)
      .send({ shippedOn: '2024-03-25' })
      .expect(200);

    const report = await api().get('/api/v1/ledger/periods/2024-03/close-report').set('Authorization', finance).expect(200);
    expect(report.body.closed).toBe(false);
    const shipped = report.body.findings.find((x: { check: string }) => x.check === 'shipped-not-invoiced');
    expect(shipped).toMatchObject({ count: 1, amounts: [{ currency: 'AUD', amount: '500' }] });
    expect(shipped.items[0]).toMatchObject({ orderLineId: line.id, shippedOn: '2024-03-25' });

    const refused = await api().post('/api/v1/ledger/periods/2024-03/close').set('Authorization', finance).send({}).expect(422);
    expect(refused.body.type).toBe('https://disty.dev/problems/period-not-clean');
    expect(refused.body.findings.map((x: { check: string }) => x.check)).toContain('shipped-not-invoiced');
    // Still open: an entry into it posts.
    const periods = (await api().get('/api/v1/ledger/periods').set('Authorization', finance).expect(200)).body.items;
    expect(periods.map((p: { period: string }) => p.period)).not.toContain('2024-03');

    const noReason = await api()
      .post('/api/v1/ledger/periods/2024-03/close')
      .set('Authorization', finance)
      .send({ force: true })
      .expect(400);
    expect(noReason.body.errors[0].field).toBe('reason');

    const forced = await api()
      .post('/api/v1/ledger/periods/2024-03/close')
      .set('Authorization', finance)
      .send({ force: true, reason: 'Shipped on the 25th; invoiced in the April run' })
      .expect(200);
    expect(forced.body).toMatchObject({
      period: '2024-03',
      closed: true,
      forced: true,
      reason: 'Shipped on the 25th; invoiced in the April run',
    });
    expect(forced.body.findings[0].check).toBe('shipped-not-invoiced');
    // Closing again returns the closed period as it was.
    const again = await api().post('/api/v1/ledger/periods/2024-03/close').set('Authorization', finance).send({}).expect(200);
    expect(again.body.closedAt).toBe(forced.body.closedAt);
  });

  it('reports cloud revenue due but not recognised until the recognition run reaches the month end', async () => {
    const reseller = await f.createReseller(t);
    const plan = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'UPFRONT',
      prices: [{ currency: 'AUD', unitPrice: '36.50' }],
    });
    await api()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({
        resellerId: reseller.id,
        endCustomer: { name: 'End Co' },
        lines: [{ sku: plan.sku, quantity: 1, startDate: '2024-05-10' }],
      })
      .expect(201);
    await billPeriod(t, '2024-05-31', finance);
    const due = async () =>
      (
        (await api().get('/api/v1/ledger/periods/2024-05/close-report').set('Authorization', finance).expect(200)).body.findings as Array<{
          check: string;
          count: number;
          items: Array<Record<string, string>>;
        }>
      ).find((x) => x.check === 'unrecognised-revenue');
    // 438.00 over the 365 days from 10 May: 22 of them (26.40) are due by 31 May.
    const before = await due();
    expect(before).toMatchObject({ count: 1 });
    expect(before!.items[0]).toMatchObject({ sku: plan.sku, due: '26.40', recognisedThrough: null });
    await api().post('/api/v1/ledger/recognition/run').set('Authorization', finance).send({ through: '2024-05-31' }).expect(200);
    expect(await due()).toBeUndefined();
  });

  it('closes a clean month without force', async () => {
    const res = await api().post('/api/v1/ledger/periods/2023-06/close').set('Authorization', finance).send({}).expect(200);
    expect(res.body).toMatchObject({ period: '2023-06', forced: false, findings: [], yearEndEntryId: null });
  });

  it("closing December moves the year's income and expense to retained earnings", async () => {
    const entry = (date: string, lines: Array<[string, 'debit' | 'credit', string]>) =>
      api()
        .post('/api/v1/ledger/entries')
        .set('Authorization', finance)
        .send({
          entryDate: date,
          memo: 'year-end test',
          lines: lines.map(([accountCode, side, amount]) => ({
            accountCode,
            currency: 'AUD',
            [side]: amount,
          })),
        })
        .expect(201);
    const before = await tb('2022-12-31');
    await entry('2022-05-10', [
      ['1000', 'debit', '1000.00'],
      ['4200', 'credit', '1000.00'],
    ]);
    await entry('2022-08-10', [
      ['6100', 'debit', '300.00'],
      ['1000', 'credit', '300.00'],
    ]);
    await entry('2022-11-30', [
      ['7100', 'debit', '25.50'],
      ['1000', 'credit', '25.50'],
    ]);

    const closed = await api().post('/api/v1/ledger/periods/2022-12/close').set('Authorization', finance).send({}).expect(200);
    expect(closed.body.yearEndEntryId).toEqual(expect.any(String));
    const entry31 = (await api().get(`/api/v1/ledger/entries/${closed.body.yearEndEntryId}`).set('Authorization', finance).expect(200))
      .body;
    expect(entry31.entryDate).toBe('2022-12-31');

    const after = await tb('2022-12-31');
    for (const code of ['4200', '6100', '7100']) expect(Number(balance(after, code))).toBe(0);
    expect(after.balanced).toBe(true);
    // 3000 (credit-normal) gains the profit: 1,000.00 − 300.00 − 25.50, on top of what it held.
    const gained = Number(balance(after, '3000')) - Number(balance(before, '3000'));
    expect(gained.toFixed(2)).toBe('674.50');
    // The next year starts from zero income and expense.
    await entry('2023-01-05', [
      ['1000', 'debit', '10.00'],
      ['4200', 'credit', '10.00'],
    ]);
    expect(balance(await tb('2023-01-31'), '4200')).toBe('10.00');
  });

  it('refuses a bad period and keeps buyers out', async () => {
    const bad = await api().post('/api/v1/ledger/periods/2024-13/close').set('Authorization', finance).send({}).expect(400);
    expect(bad.body.errors[0].field).toBe('period');
    await api().get('/api/v1/ledger/periods/2024-13/close-report').set('Authorization', finance).expect(400);
  });
});
