import { addDays } from '#disty/core';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, cents, invoicesOf, money, realToday, reconcile as reconcileBooks, startBillingTestApp } from './support/billing';
import { pdfText } from './support/pdf-text';

/**
 * Issue 13, leaks 1 and 3: credit notes are usable credit (also on a paid invoice), and are tagged
 * by kind (ADJUSTMENT from the public endpoint, SERVICE_CHANGE from a back-dated change). One
 * database for the file: billing runs (in date order) and reconciliation are global.
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
  lines: Array<{
    id: string;
    creditLine: string;
    net: string;
    tax: string;
    gross: string;
    creditedNet: string;
    source: { type: string; id: string };
  }>;
  creditNotes: Array<{
    id: string;
    kind: string;
    subscriptionChangeId: string | null;
    reason: string;
    totals: { all: { net: string; tax: string; gross: string } };
  }>;
};

describe('issue 13: credit notes are usable credit, tagged by kind (leaks 1 and 3)', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close } = await startBillingTestApp('credit-notes'));
  });
  afterAll(() => close?.());

  // Billing runs of one database go in date order: each test bills later than the one before.
  const T = realToday();

  const invoices = (resellerId: string) => invoicesOf<Invoice>(t, resellerId, finance, { oldestFirst: true, pageSize: 100 });
  const invoice = async (id: string): Promise<Invoice> =>
    (await t.http().get(`/api/v1/invoices/${id}`).set('Authorization', finance).expect(200)).body;
  const reconcile = () => reconcileBooks(t, finance);
  const order = async (resellerId: string, lines: Array<{ sku: string; quantity: number; startDate?: string }>) => {
    const res = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({ resellerId, endCustomer: { name: 'Credit Note Co' }, lines });
    expect(res.status).toBe(201);
    return res.body as { id: string; lines: Array<{ id: string; kind: string; subscriptionId?: string }> };
  };
  const ship = async (o: { id: string; lines: Array<{ id: string; kind: string }> }, shippedOn: string) => {
    const line = o.lines.find((l) => l.kind === 'HARDWARE')!;
    const res = await t.http().post(`/api/v1/orders/${o.id}/lines/${line.id}/ship`).set('Authorization', ADMIN).send({ shippedOn });
    expect(res.status).toBeLessThan(300);
  };
  const pay = async (resellerId: string, amount: string, receivedOn: string) => {
    const res = await t
      .http()
      .post('/api/v1/payments')
      .set('Authorization', finance)
      .send({
        resellerId,
        amount,
        currency: 'AUD',
        method: 'BANK_TRANSFER',
        reference: `NAB ${f.uniq()}`,
        receivedOn,
      });
    expect(res.status).toBe(201);
    return res.body as { id: string; unapplied: string };
  };
  const creditNote = (invoiceId: string, body: Record<string, unknown>) =>
    t.http().post(`/api/v1/invoices/${invoiceId}/credit-notes`).set('Authorization', finance).send(body);
  const pdfOf = async (id: string): Promise<string> => {
    const res = await t
      .http()
      .get(`/api/v1/invoices/${id}/pdf`)
      .set('Authorization', finance)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    return pdfText(res.body as Buffer);
  };

  it('leak 3: a credit note on a paid invoice becomes usable credit: applied to the reseller’s next open invoice (same line first), the rest refundable', async () => {
    const D0 = addDays(T, -9);
    const D1 = addDays(T, -8);
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: '1000.00' }],
    });
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1M',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '100.00' }],
    });
    const reseller = await f.createReseller(t);

    // Invoice A: 2 × hardware, 2,200.00, paid in full.
    await ship(await order(reseller.id, [{ sku: hw.sku, quantity: 2 }]), D0);
    expect((await billPeriod(t, D0, finance)).status).toBe('COMPLETED');
    const [a] = await invoices(reseller.id);
    expect(a.totals.all.gross).toBe('2200.00');
    await pay(reseller.id, '2200.00', D0);
    expect((await invoice(a.id)).status).toBe('PAID');

    // Invoice B: 1 × hardware (1,100.00) and 1 cloud seat (110.00), unpaid.
    const o2 = await order(reseller.id, [
      { sku: hw.sku, quantity: 1 },
      { sku: cloud.sku, quantity: 1, startDate: D1 },
    ]);
    await ship(o2, D1);
    expect((await billPeriod(t, D1, finance)).status).toBe('COMPLETED');
    const b = (await invoices(reseller.id))[1];
    expect(b).toMatchObject({ amountDue: '1210.00', open: { HARDWARE: '1100.00', CLOUD: '110.00' } });

    // A credit note of 1,000.00 net (1,100.00) on the paid invoice: once 422 ("refund what was paid
    // instead"), now the reseller's credit, applied at once to B's hardware side (the same credit line).
    const first = await creditNote(a.id, {
      lines: [{ invoiceLineId: a.lines[0].id, amount: '1000.00' }],
      reason: 'Returned unit',
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      kind: 'ADJUSTMENT',
      subscriptionChangeId: null,
      totals: { all: { net: '1000.00', tax: '100.00', gross: '1100.00' } },
    });
    // One balanced entry: debit 4900 net + 2100 tax, credit 1100 gross.
    const entries = await t
      .http()
      .get(`/api/v1/ledger/entries?sourceType=credit_note&resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    expect(entries.body.total).toBe(1);
    const posted = Object.fromEntries(
      entries.body.items[0].lines.map((l: { accountCode: string; debit: string; credit: string }) => [
        l.accountCode,
        l.debit !== '0.00' ? `D ${l.debit}` : `C ${l.credit}`,
      ]),
    );
    expect(posted).toEqual({ '4900': 'D 1000.00', '2100': 'D 100.00', '1100': 'C 1100.00' });
    let bNow = await invoice(b.id);
    expect(bNow).toMatchObject({
      status: 'PARTIALLY_PAID',
      creditsApplied: '1100.00',
      amountDue: '110.00',
      open: { HARDWARE: '0.00', CLOUD: '110.00' },
    });
    let aNow = await invoice(a.id);
    expect(aNow).toMatchObject({
      amountPaid: '2200.00',
      amountCredited: '1100.00',
      creditUsed: '1100.00',
      amountDue: '0.00',
      creditBalance: '0.00',
    });
    expect((await reconcile()).differences).toEqual([]);

    // The rest of the line (1,100.00): 110.00 pays B's cloud side (the other line), 990.00 remains, refundable.
    const second = await creditNote(a.id, {
      lines: [{ invoiceLineId: a.lines[0].id, amount: '1000.00' }],
      reason: 'Second unit returned',
    });
    expect(second.status).toBe(201);
    bNow = await invoice(b.id);
    expect(bNow).toMatchObject({
      status: 'PAID',
      creditsApplied: '1210.00',
      amountDue: '0.00',
      open: { HARDWARE: '0.00', CLOUD: '0.00' },
    });
    aNow = await invoice(a.id);
    expect(aNow).toMatchObject({
      status: 'CREDITED',
      amountCredited: '2200.00',
      creditUsed: '1210.00',
      amountDue: '0.00',
      creditBalance: '990.00',
      open: { HARDWARE: '-990.00', CLOUD: '0.00' },
    });
    expect(aNow.creditNotes.map((n) => n.kind)).toEqual(['ADJUSTMENT', 'ADJUSTMENT']);
    const apps = await t
      .http()
      .get(`/api/v1/ledger/entries?sourceType=credit_application&resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    expect(apps.body.total).toBe(2);
    // The view, the PDF, the credit lines and the aging agree: nothing due, 990.00 of credit.
    const text = await pdfOf(a.id);
    expect(text).toContain('Amount due:\n0.00 AUD');
    expect(text).toContain('Credit balance:\n990.00 AUD');
    let lines = await f.creditLines(t, reseller.id);
    expect([lines.HARDWARE.openReceivables, lines.CLOUD.openReceivables]).toEqual(['-990.00', '0.00']);
    const aging = await t.http().get(`/api/v1/reports/ar-aging?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
    expect(aging.body.items.map((i: { creditLine: string; total: string }) => [i.creditLine, i.total])).toEqual([['HARDWARE', '-990.00']]);
    let rec = await reconcile();
    expect(rec.differences).toEqual([]);
    const ar = rec.receivables.items.find(
      (i: { resellerId: string; creditLine: string }) => i.resellerId === reseller.id && i.creditLine === 'HARDWARE',
    );
    expect(ar).toMatchObject({ ledger: '-990.00', openInvoices: '0.00', unappliedCredits: '990.00' });

    // Refundable: the 990.00, no more.
    const balance = await t
      .http()
      .get(`/api/v1/refunds/credit-balance?resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    expect(balance.body).toMatchObject({
      refundable: '990.00',
      from: { HARDWARE: '990.00', CLOUD: '0.00', unappliedCash: '0.00' },
    });
    const refund = (amount: string) =>
      t
        .http()
        .post('/api/v1/refunds')
        .set('Authorization', finance)
        .send({ resellerId: reseller.id, amount, currency: 'AUD', reference: 'NAB refund', paidOn: T });
    const over = await refund('990.01');
    expect(over.status).toBe(422);
    expect(over.body.type).toMatch(/over-refund$/);
    expect((await refund('990.00')).status).toBe(201);
    expect(await invoice(a.id)).toMatchObject({
      status: 'CREDITED',
      amountDue: '0.00',
      creditBalance: '0.00',
      open: { HARDWARE: '0.00', CLOUD: '0.00' },
    });
    lines = await f.creditLines(t, reseller.id);
    expect([lines.HARDWARE.openReceivables, lines.CLOUD.openReceivables]).toEqual(['0.00', '0.00']);
    rec = await reconcile();
    expect(rec.differences).toEqual([]);
    expect(rec.reconciled).toBe(true);
  });

  it('leak 3: a credit note beyond a line’s net is still refused (422 over-credit), also on a paid invoice, and changes nothing', async () => {
    const D = addDays(T, -7);
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: '300.00' }],
    });
    const reseller = await f.createReseller(t);
    await ship(await order(reseller.id, [{ sku: hw.sku, quantity: 1 }]), D);
    expect((await billPeriod(t, D, finance)).status).toBe('COMPLETED');
    const [inv] = await invoices(reseller.id);
    await pay(reseller.id, '330.00', D);

    const over = await creditNote(inv.id, {
      lines: [{ invoiceLineId: inv.lines[0].id, amount: '300.01' }],
      reason: 'too much',
    });
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({
      type: 'https://disty.dev/problems/over-credit',
      creditable: '300.00',
      requested: '300.01',
    });
    const part = await creditNote(inv.id, {
      lines: [{ invoiceLineId: inv.lines[0].id, amount: '100.00' }],
      reason: 'discount',
    });
    expect(part.status).toBe(201);
    const again = await creditNote(inv.id, {
      lines: [{ invoiceLineId: inv.lines[0].id, amount: '200.01' }],
      reason: 'too much',
    });
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({
      type: 'https://disty.dev/problems/over-credit',
      creditable: '200.00',
      requested: '200.01',
    });
    const after = await invoice(inv.id);
    expect(after).toMatchObject({
      amountCredited: '110.00',
      creditBalance: '110.00',
      amountDue: '0.00',
      lines: [expect.objectContaining({ creditedNet: '100.00' })],
    });
    expect(after.creditNotes).toHaveLength(1);
    expect((await reconcile()).differences).toEqual([]);
  });

  it('leak 1: the public credit-note endpoint always makes ADJUSTMENT credit notes (a kind or change id in the body is refused)', async () => {
    const D = addDays(T, -6);
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: '50.00' }],
    });
    const reseller = await f.createReseller(t);
    await ship(await order(reseller.id, [{ sku: hw.sku, quantity: 2 }]), D);
    expect((await billPeriod(t, D, finance)).status).toBe('COMPLETED');
    const [inv] = await invoices(reseller.id);
    const line = { invoiceLineId: inv.lines[0].id, amount: '10.00' };

    for (const extra of [{ kind: 'SERVICE_CHANGE' }, { subscriptionChangeId: '00000000-0000-4000-8000-000000000000' }]) {
      const res = await creditNote(inv.id, { lines: [line], reason: 'service change?', ...extra });
      expect(res.status).toBe(400);
    }
    const ok = await creditNote(inv.id, { lines: [line], reason: 'goodwill' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ kind: 'ADJUSTMENT', subscriptionChangeId: null });
    const after = await invoice(inv.id);
    expect(after.creditNotes.map((n) => [n.kind, n.subscriptionChangeId])).toEqual([['ADJUSTMENT', null]]);
    expect(after).toMatchObject({ amountCredited: '11.00', amountDue: '99.00' });
    const [row] = await t.db.query(`SELECT kind, subscription_change_id FROM credit_notes WHERE invoice_id = $1`, [inv.id]);
    expect(row).toEqual({ kind: 'ADJUSTMENT', subscription_change_id: null });
    // The kind is part of the issued document: frozen like its amounts.
    await expect(t.db.query(`UPDATE credit_notes SET kind = 'SERVICE_CHANGE' WHERE invoice_id = $1`, [inv.id])).rejects.toThrow(
      /immutable/,
    );
  });

  it('leak 1: finance back-dates the cancellation of a paid subscription period: a SERVICE_CHANGE credit note, the credit applied to open invoices, reconciliation green', async () => {
    const start = addDays(T, -5);
    const D = addDays(T, -3);
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'ANNUAL',
      prices: [{ currency: 'AUD', unitPrice: '10.00' }],
    });
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: '500.00' }],
    });
    const reseller = await f.createReseller(t);

    // 10 seats × 10.00 a month, billed a year ahead: 1,200.00 + 120.00 tax, paid in full.
    const o = await order(reseller.id, [{ sku: cloud.sku, quantity: 10, startDate: start }]);
    const subId = o.lines.find((l) => l.kind === 'CLOUD')!.subscriptionId!;
    expect((await billPeriod(t, start, finance)).status).toBe('COMPLETED');
    const [yearly] = await invoices(reseller.id);
    expect(yearly.totals.all.gross).toBe('1320.00');
    await pay(reseller.id, '1320.00', start);
    expect((await invoice(yearly.id)).status).toBe('PAID');
    // An open hardware invoice: 550.00.
    await ship(await order(reseller.id, [{ sku: hw.sku, quantity: 1 }]), D);
    expect((await billPeriod(t, D, finance)).status).toBe('COMPLETED');
    const hwInvoice = (await invoices(reseller.id))[1];
    expect(hwInvoice).toMatchObject({ amountDue: '550.00', open: { HARDWARE: '550.00', CLOUD: '0.00' } });

    // Finance: the end customer left the day after the start. Once 422 (the period was paid), now 200.
    const asOf = addDays(start, 1);
    const res = await t
      .http()
      .post(`/api/v1/subscriptions/${subId}/cancel`)
      .set('Authorization', finance)
      .send({ when: 'IMMEDIATE', asOf, reason: 'End customer left; vendor confirmed' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('CANCELLED');

    const [change] = await t.db.query(`SELECT id FROM subscription_changes WHERE subscription_id = $1 AND kind = 'CANCEL_IMMEDIATE'`, [
      subId,
    ]);
    const credited = await invoice(yearly.id);
    expect(credited.creditNotes).toHaveLength(1);
    const note = credited.creditNotes[0];
    expect(note).toMatchObject({
      kind: 'SERVICE_CHANGE',
      subscriptionChangeId: change.id,
      reason: expect.stringMatching(/End customer left/),
    });
    const gross = cents(note.totals.all.gross);
    // Almost the whole year (all but one day) is credited.
    expect(gross).toBeGreaterThan(130_000);
    expect(gross).toBeLessThan(132_000);
    // The credit pays the open hardware invoice (the other credit line: nothing is open on the cloud line) …
    expect(await invoice(hwInvoice.id)).toMatchObject({
      status: 'PAID',
      creditsApplied: '550.00',
      amountDue: '0.00',
    });
    // … and the rest is the reseller's, refundable; the paid invoice owes nothing.
    expect(await invoice(yearly.id)).toMatchObject({
      amountDue: '0.00',
      creditUsed: '550.00',
      creditBalance: money(gross - 55_000),
    });
    const balance = await t
      .http()
      .get(`/api/v1/refunds/credit-balance?resellerId=${reseller.id}`)
      .set('Authorization', finance)
      .expect(200);
    expect(balance.body).toMatchObject({
      refundable: money(gross - 55_000),
      from: { CLOUD: money(gross - 55_000) },
    });
    const rec = await reconcile();
    expect(rec.differences).toEqual([]);
    expect(rec.reconciled).toBe(true);
    // As of today too (the dated records: AR movements, credit applications).
    expect(
      (await t.http().get(`/api/v1/ledger/reconciliation?asOf=${T}`).set('Authorization', finance).expect(200)).body.differences,
    ).toEqual([]);
  });
  it('leak 1: finance back-dates a cancellation after an increase not yet invoiced: a credit note for the invoiced seats only, the pending increase reduced on the next invoice (was 409 charge-already-billed)', async () => {
    const start = addDays(T, -2);
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'ANNUAL',
      prices: [{ currency: 'AUD', unitPrice: '10.00' }],
    });
    const reseller = await f.createReseller(t);
    const o = await order(reseller.id, [{ sku: cloud.sku, quantity: 2, startDate: start }]);
    const subId = o.lines.find((l) => l.kind === 'CLOUD')!.subscriptionId!;
    expect((await billPeriod(t, start, finance)).status).toBe('COMPLETED');
    const [yearly] = await invoices(reseller.id);
    expect(yearly.totals.all.net).toBe('240.00');
    // +8 seats from the start, not invoiced yet; then the customer turns out to have left the next day.
    await t
      .http()
      .patch(`/api/v1/subscriptions/${subId}`)
      .set('Authorization', finance)
      .send({ quantity: 10, asOf: start, reason: 'Seats agreed at the start' })
      .expect(200);
    const asOf = addDays(start, 1);
    const res = await t
      .http()
      .post(`/api/v1/subscriptions/${subId}/cancel`)
      .set('Authorization', finance)
      .send({ when: 'IMMEDIATE', asOf, reason: 'End customer left' });
    expect(res.status).toBe(200);
    const charges = res.body.charges as Array<{
      kind: string;
      quantity: number;
      amount: string;
      status: string;
    }>;
    const pending = charges.filter((c) => c.status === 'UNBILLED');
    const increase = pending.find((c) => c.kind === 'PRORATION')!;
    const reduced = pending.find((c) => c.kind === 'CANCELLATION_CREDIT')!;
    expect(increase.quantity).toBe(8);
    expect(reduced.quantity).toBe(-8);
    // The pending increase (8 × 120.00 a year: 960.00) nets to the one day the 8 seats were provided: 960.00 / 365 = 2.63.
    expect(increase.amount).toBe('960.00');
    expect(cents(increase.amount) + cents(reduced.amount)).toBe(263);
    // The invoiced 2 seats: a SERVICE_CHANGE credit note for all but their first day, 240.00 × 364/365 = 239.34.
    const note = (await invoice(yearly.id)).creditNotes[0];
    expect(note).toMatchObject({ kind: 'SERVICE_CHANGE', totals: { all: { net: '239.34' } } });
    expect((await reconcile()).differences).toEqual([]);
  });
});
