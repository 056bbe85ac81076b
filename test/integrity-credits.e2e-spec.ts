import { addDays } from '#disty/core';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, cents, invoicesOf, money, realToday, reconcile as reconcileBooks, startBillingTestApp } from './support/billing';
import { pdfText } from './support/pdf-text';

/**
 * Issue 13, leaks 3 and 4, and a reconciliation strong enough to catch leaks. Each describe has its
 * own database: billing runs (unique per period end) and reconciliation are global.
 */

type Invoice = {
  id: string;
  number: string;
  status: string;
  totals: Record<'HARDWARE' | 'CLOUD' | 'all', { net: string; tax: string; gross: string }>;
  amountPaid: string;
  amountCredited: string;
  creditsApplied: string;
  creditUsed: string;
  amountDue: string;
  creditBalance: string;
  open: { HARDWARE: string; CLOUD: string };
  lines: Array<{ creditLine: string; net: string; tax: string; gross: string; source: { type: string } }>;
};

async function pdfOf(t: TestApp, id: string, auth: string): Promise<string> {
  const res = await t
    .http()
    .get(`/api/v1/invoices/${id}/pdf`)
    .set('Authorization', auth)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  return pdfText(res.body as Buffer);
}

describe('issue 13: usable credits (leak 3) and a reconciliation that catches leaks', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close } = await startBillingTestApp('credits'));
  });
  afterAll(() => close?.());

  const T = realToday();
  const D0 = addDays(T, -3);
  const D1 = addDays(T, -2);
  const D2 = addDays(T, -1);
  let reseller: { id: string };

  const invoices = (resellerId: string) => invoicesOf<Invoice>(t, resellerId, finance, { oldestFirst: true, pageSize: 100 });
  const reconcile = () => reconcileBooks(t, finance);
  const order = async (resellerId: string, lines: Array<{ sku: string; quantity: number; startDate?: string }>) => {
    const res = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({ resellerId, endCustomer: { name: 'Credit Co' }, lines });
    expect(res.status).toBe(201);
    return res.body as { id: string; lines: Array<{ id: string; kind: string; subscriptionId?: string }> };
  };
  const ship = async (o: { id: string; lines: Array<{ id: string; kind: string }> }, shippedOn: string) => {
    const line = o.lines.find((l) => l.kind === 'HARDWARE')!;
    const res = await t.http().post(`/api/v1/orders/${o.id}/lines/${line.id}/ship`).set('Authorization', ADMIN).send({ shippedOn });
    expect(res.status).toBeLessThan(300);
  };

  it('leak 3: a seat decrease after invoicing nets the negative cloud side, amountDue = gross − payments − credits (view and PDF), no PAID while a credit is open, no cash to a negative invoice, the credit pays the next invoice and the rest is refundable', async () => {
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: '1000.00' }],
    });
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'ANNUAL',
      prices: [{ currency: 'AUD', unitPrice: '100.00' }],
    });
    reseller = await f.createReseller(t, { hardwareLimit: '100000.00', cloudLimit: '100000.00' });
    const buyer = await t.user('buyer', reseller.id);
    const resellerFinance = await t.user('reseller_finance', reseller.id);

    // Invoice 1: 2 × hardware (2,200.00) and 10 seats for a year (13,200.00), paid in full plus 500.00 unapplied.
    const o1 = await order(reseller.id, [
      { sku: hw.sku, quantity: 2 },
      { sku: cloud.sku, quantity: 10, startDate: D0 },
    ]);
    await ship(o1, D0);
    expect((await billPeriod(t, D0, finance)).status).toBe('COMPLETED');
    const [inv1] = await invoices(reseller.id);
    expect(inv1.totals.all.gross).toBe('15400.00');
    const pay = await t.http().post('/api/v1/payments').set('Authorization', finance).send({
      resellerId: reseller.id,
      amount: '15900.00',
      currency: 'AUD',
      method: 'BANK_TRANSFER',
      reference: 'NAB 1',
      receivedOn: D0,
    });
    expect(pay.status).toBe(201);
    expect(pay.body.unapplied).toBe('500.00');

    // The buyer cuts 10 seats to 2 today: a credit for the rest of the billed year. One more unit of hardware ships.
    const subId = o1.lines.find((l) => l.kind === 'CLOUD')!.subscriptionId!;
    await t.http().patch(`/api/v1/subscriptions/${subId}`).set('Authorization', buyer.auth).send({ quantity: 2 }).expect(200);
    const o2 = await order(reseller.id, [{ sku: hw.sku, quantity: 1 }]);
    await ship(o2, D1);
    expect((await billPeriod(t, D1, finance)).status).toBe('COMPLETED');
    const inv2 = (await invoices(reseller.id))[1];
    const cloudCredit = -cents(inv2.totals.CLOUD.gross);
    expect(inv2.totals.HARDWARE.gross).toBe('1100.00');
    expect(cloudCredit).toBeGreaterThan(110_000);
    // Within the invoice the negative cloud side nets against the hardware side; the rest is a credit.
    expect(inv2.totals.all.gross).toBe(money(110_000 - cloudCredit));
    expect(inv2).toMatchObject({
      amountPaid: '0.00',
      amountDue: '0.00',
      creditBalance: money(cloudCredit - 110_000),
      open: { HARDWARE: '0.00', CLOUD: money(110_000 - cloudCredit) },
    });
    expect(inv2.status).not.toBe('PAID');
    // A negative invoice never receives cash: the 500.00 stays unapplied.
    expect((await t.http().get(`/api/v1/payments/${pay.body.id}`).set('Authorization', finance).expect(200)).body.unapplied).toBe('500.00');
    const noCash = await t
      .http()
      .post(`/api/v1/payments/${pay.body.id}/allocations`)
      .set('Authorization', finance)
      .send({ allocations: [{ invoiceId: inv2.id, amount: '1.00' }] });
    expect(noCash.status).toBe(422);
    // The credit lines see it: hardware is not owed, the cloud line holds the credit.
    let lines = await f.creditLines(t, reseller.id);
    expect([lines.HARDWARE.openReceivables, lines.CLOUD.openReceivables]).toEqual(['0.00', money(110_000 - cloudCredit)]);
    // The PDF says the same as the view.
    let text = await pdfOf(t, inv2.id, resellerFinance.auth);
    expect(text).toContain('Amount due:\n0.00 AUD');
    expect(text).toContain(`Credit balance:\n${money(cloudCredit - 110_000)} AUD`);
    expect((await reconcile()).differences).toEqual([]);

    // Invoice 3: 1 unit of hardware (1,100.00), paid by the cloud credit (the other line: nothing is open on the cloud line).
    const o3 = await order(reseller.id, [{ sku: hw.sku, quantity: 1 }]);
    await ship(o3, D2);
    expect((await billPeriod(t, D2, finance)).status).toBe('COMPLETED');
    const all = await invoices(reseller.id);
    const inv3 = all[2];
    expect(inv3).toMatchObject({
      status: 'PAID',
      amountPaid: '0.00',
      creditsApplied: '1100.00',
      amountDue: '0.00',
      open: { HARDWARE: '0.00', CLOUD: '0.00' },
    });
    text = await pdfOf(t, inv3.id, resellerFinance.auth);
    expect(text).toContain('Credits applied:\n1100.00 AUD');
    expect(text).toContain('Amount due:\n0.00 AUD');
    const inv2After = all[1];
    const rest = cloudCredit - 220_000;
    expect(inv2After).toMatchObject({ amountDue: '0.00', creditUsed: '1100.00', creditBalance: money(rest) });
    expect(inv2After.status).not.toBe('PAID');
    // Each application is one balanced entry moving the amount between the reseller's AR lines.
    const apps = await t
      .http()
      .get(`/api/v1/ledger/entries?sourceType=credit_application&resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    expect(apps.body.total).toBe(2);
    lines = await f.creditLines(t, reseller.id);
    expect([lines.HARDWARE.openReceivables, lines.CLOUD.openReceivables]).toEqual(['0.00', money(-rest)]);
    expect((await reconcile()).differences).toEqual([]);

    // The rest is refundable: the credit balance and the unapplied cash, no more.
    const balance = await t
      .http()
      .get(`/api/v1/refunds/credit-balance?resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    expect(balance.body).toMatchObject({
      refundable: money(rest + 50_000),
      from: { HARDWARE: '0.00', CLOUD: money(rest), unappliedCash: '500.00' },
    });
    const refund = (amount: string) =>
      t
        .http()
        .post('/api/v1/refunds')
        .set('Authorization', finance)
        .set('Idempotency-Key', `refund-${reseller.id}-${amount}`)
        .send({ resellerId: reseller.id, amount, currency: 'AUD', reference: 'NAB refund', paidOn: T });
    const over = await refund(money(rest + 50_001));
    expect(over.status).toBe(422);
    expect(over.body.type).toMatch(/over-refund$/);
    const done = await refund(money(rest + 50_000));
    expect(done.status).toBe(201);
    expect(done.body.from).toEqual({ HARDWARE: '0.00', CLOUD: money(rest), unappliedCash: '500.00' });
    // A retry with the same key replays the refund; nothing is paid out twice.
    const again = await refund(money(rest + 50_000));
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(done.body);
    const settled = (await invoices(reseller.id))[1];
    expect(settled).toMatchObject({
      status: 'PAID',
      creditBalance: '0.00',
      amountDue: '0.00',
      open: { HARDWARE: '0.00', CLOUD: '0.00' },
    });
    lines = await f.creditLines(t, reseller.id);
    expect([lines.HARDWARE.openReceivables, lines.CLOUD.openReceivables]).toEqual(['0.00', '0.00']);
    const rec = await reconcile();
    expect(rec.differences).toEqual([]);
    expect(rec.reconciled).toBe(true);
  });

  it('leak 3: AR aging shows open amounts net of credits, and a credit of the cloud line pays an older hardware debt', async () => {
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: '100.00' }],
    });
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'UPFRONT',
      prices: [{ currency: 'AUD', unitPrice: '10.00' }],
    });
    const r = await f.createReseller(t);
    // Before invoicing: hardware (110.00) and 5 seats for a year (660.00) on one invoice dated D2, the credit on the next one dated T.
    const o = await order(r.id, [
      { sku: hw.sku, quantity: 1 },
      { sku: cloud.sku, quantity: 5, startDate: D0 },
    ]);
    await ship(o, D0);
    const { ConsolidatedInvoiceService } = await import('#disty/invoicing');
    const billed = await t.db.transaction((em) => t.get(ConsolidatedInvoiceService).billReseller(em, null, D2, r.id));
    expect(billed).not.toBeNull();
    // Cancel at once: the unused part of the year is a credit on the next invoice.
    const subId = o.lines.find((l) => l.kind === 'CLOUD')!.subscriptionId!;
    await t
      .http()
      .post(`/api/v1/subscriptions/${subId}/cancel`)
      .set('Authorization', ADMIN)
      .send({ when: 'IMMEDIATE' })
      .expect((x) => expect(x.status).toBeLessThan(300));
    await t.db.transaction((em) => t.get(ConsolidatedInvoiceService).billReseller(em, null, T, r.id));
    const [first, second] = await invoices(r.id);
    const credit = -cents(second.totals.all.gross);
    expect(credit).toBeGreaterThan(0);
    // The credit went to the first invoice's cloud side first (same line), then its hardware side.
    expect(second).toMatchObject({ amountDue: '0.00', creditUsed: money(Math.min(credit, 77_000)) });
    expect(cents(first.amountDue)).toBe(77_000 - Math.min(credit, 77_000));
    expect(first.creditsApplied).toBe(money(Math.min(credit, 77_000)));
    const aging = await t.http().get(`/api/v1/reports/ar-aging?asOf=${T}&resellerId=${r.id}`).set('Authorization', finance).expect(200);
    const total = aging.body.items.reduce((s: number, i: { total: string }) => s + cents(i.total), 0);
    expect(total).toBe(77_000 - credit);
    expect(total).toBe(cents(first.amountDue) - cents(second.creditBalance));
    const rec = await reconcile();
    expect(rec.differences).toEqual([]);
    // Reconciliation shows AR = open invoices − unapplied credits per line.
    for (const row of rec.receivables.items.filter((i: { resellerId: string }) => i.resellerId === r.id)) {
      expect(cents(row.subledger)).toBe(cents(row.openInvoices) - cents(row.unappliedCredits));
      expect(row.ledger).toBe(row.subledger);
    }
  });

  it('reconciliation: red on a credit stranded beside a debt (what leak 3 left behind), green once the credit is applied', async () => {
    // An invoice as the old code issued it: hardware +1,100.00 due, cloud −2,200.00 credit, never netted.
    // Ledger and subledger agree with each other, so only the stranded-credit check can see it.
    const old = await f.createReseller(t, {});
    const year = Number(T.slice(0, 4));
    await t.db.transaction(async (em) => {
      const [{ id }] = await em.query(
        `INSERT INTO invoices (id, year, seq, number, reseller_id, reseller_name, period_end, currency, tax_rate, issue_date, due_date,
                               hardware_net, hardware_tax, hardware_gross, cloud_net, cloud_tax, cloud_gross, creditable_net)
         VALUES (gen_random_uuid(), $2::int, 900001, 'INV-' || $2::text || '-900001', $1, 'Old Co', $3, 'AUD', 0.1, $3, $3,
                 1000, 100, 1100, -2000, -200, -2200, 1000) RETURNING id`,
        [old.id, String(year), D0],
      );
      await em.query(
        `INSERT INTO ar_movements (invoice_id, reseller_id, credit_line, currency, movement_date, kind, amount, source_type, source_id)
         VALUES ($1, $2, 'HARDWARE', 'AUD', $3, 'INVOICE', 1100, 'invoice', $4), ($1, $2, 'CLOUD', 'AUD', $3, 'INVOICE', -2200, 'invoice', $4)`,
        [id, old.id, D0, id],
      );
      await em.query(
        `WITH e AS (INSERT INTO journal_entries (entry_date, memo, source_type, source_id) VALUES ($1, 'Invoice (old code)', 'invoice', $2) RETURNING id)
         INSERT INTO journal_lines (entry_id, line_no, account_code, reseller_id, currency, debit, credit, base_debit, base_credit, entry_date)
         SELECT e.id, x.n, x.code, $3::uuid, 'AUD', x.debit, x.credit, x.debit, x.credit, $1
           FROM e, (VALUES (1, '1100', 1100::numeric, 0::numeric), (2, '1110', 0, 2200), (3, '4000', 0, 1000), (4, '4100', 2000, 0), (5, '2100', 100, 0))
             AS x(n, code, debit, credit)`,
        [D0, id, old.id],
      );
    });
    let rec = await reconcile();
    expect(
      rec.differences.map((d: { check: string; resellerId: string; expected: string; actual: string }) => [
        d.check,
        d.resellerId,
        d.expected,
        d.actual,
      ]),
    ).toEqual([['stranded-credit', old.id, '0.00', '1100.00']]);

    // Any event that applies the reseller's credits repairs it; here, refunding what is left after netting.
    const refund = await t
      .http()
      .post('/api/v1/refunds')
      .set('Authorization', finance)
      .send({ resellerId: old.id, amount: '1100.01', currency: 'AUD', reference: 'too much', paidOn: T });
    expect(refund.status).toBe(422);
    const ok = await t.http().post('/api/v1/refunds').set('Authorization', finance).send({
      resellerId: old.id,
      amount: '1100.00',
      currency: 'AUD',
      reference: 'NAB refund old',
      paidOn: T,
    });
    expect(ok.status).toBe(201);
    rec = await reconcile();
    expect(rec.differences).toEqual([]);
    const asOf = await t.http().get(`/api/v1/ledger/reconciliation?asOf=${T}`).set('Authorization', finance).expect(200);
    expect(asOf.body.differences).toEqual([]);
  });

  it('reconciliation: green on the legit flows; red, naming reseller, line, expected and actual, when AR is moved between resellers behind the documents', async () => {
    const { LedgerService } = await import('#disty/ledger');
    const { ReconciliationService, verifyBooks } = await import('#disty/payments');
    let rec = await reconcile();
    expect(rec).toMatchObject({ reconciled: true, differences: [] });
    expect(await verifyBooks(t.get(LedgerService), t.get(ReconciliationService))).toEqual([]);
    // Nothing left owed or owing for the first reseller: no receivables row at all.
    expect(rec.receivables.items.filter((i: { resellerId: string }) => i.resellerId === reseller.id)).toEqual([]);

    // Someone with database access moves 250.00 of cloud receivables from one reseller to another in a
    // balanced entry (the ledger's own checks pass: it balances and is immutable afterwards).
    const victim = await f.createReseller(t, {});
    await t.db.transaction(async (em) => {
      await em.query(
        `WITH e AS (INSERT INTO journal_entries (entry_date, memo, source_type, source_id) VALUES ($1, 'reclass', 'reclass', gen_random_uuid()::text) RETURNING id)
         INSERT INTO journal_lines (entry_id, line_no, account_code, reseller_id, currency, debit, credit, base_debit, base_credit, entry_date)
         SELECT e.id, t.n, '1110', t.reseller_id, 'AUD', t.debit, t.credit, t.debit, t.credit, $1
           FROM e, (VALUES (1, $2::uuid, 250::numeric, 0::numeric), (2, $3::uuid, 0, 250)) AS t(n, reseller_id, debit, credit)`,
        [T, victim.id, reseller.id],
      );
    });
    rec = await reconcile();
    expect(rec.reconciled).toBe(false);
    const pick = (d: { check: string; resellerId: string }) =>
      `${d.check} ${d.resellerId === reseller.id ? 'from' : d.resellerId === victim.id ? 'to' : d.resellerId}`;
    expect(
      rec.differences
        .map((d: { check: string; resellerId: string; creditLine: string; expected: string; actual: string }) => [
          pick(d),
          d.creditLine,
          d.expected,
          d.actual,
        ])
        .sort(),
    ).toEqual([
      ['ar-credit-balance from', 'CLOUD', '0.00', '-250.00'],
      ['control-account from', 'CLOUD', '0.00', '-250.00'],
      ['control-account to', 'CLOUD', '0.00', '250.00'],
    ]);
    const problems = await verifyBooks(t.get(LedgerService), t.get(ReconciliationService));
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toContain(`signs/ar-credit-balance 1110 CLOUD reseller ${reseller.id} AUD: expected 0.00, actual -250.00`);
  });
});
