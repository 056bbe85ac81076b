import { Dec } from '#disty/core';
import type { TestApp } from './support/app';
import { billPeriod, invoicesOf, reconcile, sendStripeEvent, startBillingTestApp, unixOf, verifyAllBooks } from './support/billing';
import type { FakeStripe } from './support/fake-stripe';
import { client, EcInvoice, ledgerBalance, onBehalfReseller, orderShipped } from './support/on-behalf';
import { pdfText } from './support/pdf-text';

/**
 * Issue 19, "What must show" (docs/billing-on-behalf.md): a reseller with two end customers, a
 * markup and an override; the billing run drafts two end-customer invoices at the right sell prices
 * in the reseller's numbering and branding; one end customer pays by card (the fake Stripe), the
 * other by bank; the settlement nets against the distributor invoice with the fee; 2500 goes in and
 * out, 4000/4100 do not move for end-customer invoices; reconciliation shows 2500.
 */
describe('Billing end customers on a reseller’s behalf', () => {
  let t: TestApp;
  let f: typeof import('./factories/commerce.js');
  let stripe: FakeStripe;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, stripe, admin: ADMIN, finance, close } = await startBillingTestApp('billing-on-behalf'));
  });
  afterAll(() => close?.());
  afterEach(() => t?.clock.reset());

  const round2 = (d: Dec) => d.toDecimalPlaces(2, Dec.ROUND_HALF_UP);

  it('bills two end customers at the reseller’s prices, collects by card and bank, and settles net of the fee', async () => {
    const http = client(t);
    const { reseller, rAdmin, rFinance, hw, cl, alpha, beta, profile } = await onBehalfReseller(t, f, finance);
    const balance = (code: string) => ledgerBalance(t, code, reseller.id);
    expect(profile).toMatchObject({
      endCustomerBilling: true,
      autoIssue: false,
      numberPrefix: 'ACME',
      feePercent: '0',
    });
    await http.put('/api/v1/reseller-billing/fee', rAdmin, { resellerId: reseller.id, feePercent: '0' }).expect(403);
    await http.get('/api/v1/price-rules', finance).expect(403);
    await http.get(`/api/v1/end-customers/${alpha}/prices`, finance).expect(403);

    // The price list: sell price and margin of every product for each end customer.
    const prices = async (id: string, sku: string) =>
      (
        (await http.get(`/api/v1/end-customers/${id}/prices`, rAdmin, { asOf: '2026-10-31', pageSize: 200 }).expect(200)).body
          .items as Array<{ sku: string }>
      ).find((p) => p.sku === sku);
    expect(await prices(alpha, hw.sku)).toMatchObject({
      cost: '100.00',
      sellPrice: '120.00',
      margin: '20.00',
    });
    expect(await prices(alpha, cl.sku)).toMatchObject({ cost: '20.00', sellPrice: '22.00', margin: '2.00' });
    expect(await prices(beta, hw.sku)).toMatchObject({
      cost: '100.00',
      sellPrice: '130.00',
      margin: '30.00',
    });

    // October: Alpha takes 2 hardware units and 3 cloud seats, Beta 1 hardware unit.
    const alphaLines = [
      { sku: hw.sku, quantity: 2 },
      { sku: cl.sku, quantity: 3, startDate: '2026-10-01' },
    ];
    await orderShipped(t, ADMIN, reseller.id, alpha, alphaLines, '2026-10-02');
    await orderShipped(t, ADMIN, reseller.id, beta, [{ sku: hw.sku, quantity: 1 }], '2026-10-02');
    const hardwareRevenueShipped = await balance('4000');

    expect((await billPeriod(t, '2026-10-31', finance)).status).toBe('COMPLETED');
    type Invoice = { id: string; number: string; amountDue: string; lines: Array<{ taxRate: string }> };
    const [distributorInvoice] = await invoicesOf<Invoice>(t, reseller.id, finance);
    const revenue = { hw: await balance('4000'), cloud: await balance('4100') };
    expect(revenue.hw).toBe(hardwareRevenueShipped); // at the distributor's price, posted at shipment

    // Two DRAFT end-customer invoices at the reseller's sell prices, in its branding.
    const list = (await http.get('/api/v1/end-customer-invoices', rFinance).expect(200)).body.items as EcInvoice[];
    expect(list).toHaveLength(2);
    const full = async (id: string) => (await http.get(`/api/v1/end-customer-invoices/${id}`, rFinance).expect(200)).body as EcInvoice;
    const rate = new Dec(distributorInvoice.lines[0].taxRate);
    const expectLine = (inv: EcInvoice, sku: string, cost: string, net: string) =>
      expect(inv.lines.find((l) => l.sku === sku)).toMatchObject({
        cost,
        net,
        tax: round2(new Dec(net).times(rate)).toFixed(2),
      });
    let a = await full(list.find((i) => i.endCustomerId === alpha)!.id);
    let b = await full(list.find((i) => i.endCustomerId === beta)!.id);
    expect([a.status, a.number, b.status, b.number]).toEqual(['DRAFT', null, 'DRAFT', null]);
    expectLine(a, hw.sku, '200.00', '240.00');
    expectLine(a, cl.sku, '60.00', '66.00');
    expectLine(b, hw.sku, '100.00', '130.00');
    expect(a.net).toBe('306.00');
    expect(a.seller).toMatchObject({
      name: 'Acme IT Services Pty Ltd',
      taxId: '51 824 753 556',
      paymentInstructions: 'Pay by card or to BSB 062-000 1234 5678',
    });
    expect(a.buyer.name).toBe('Alpha Dental');

    // Reviewed and issued: the reseller's own gapless numbers; PDF and CSV.
    t.clock.set('2026-11-03');
    a = (await http.post(`/api/v1/end-customer-invoices/${a.id}/issue`, rFinance).expect(200)).body;
    b = (await http.post(`/api/v1/end-customer-invoices/${b.id}/issue`, rFinance).expect(200)).body;
    await http.post(`/api/v1/end-customer-invoices/${a.id}/issue`, rFinance).expect(409);
    expect([a.number, b.number]).toEqual(['ACME-2026-000001', 'ACME-2026-000002']);
    expect(a).toMatchObject({ status: 'ISSUED', issueDate: '2026-11-03', dueDate: '2026-11-17' });
    const pdf = await http.binary(`/api/v1/end-customer-invoices/${a.id}/pdf`, rFinance).expect(200);
    const text = pdfText(pdf.body as Buffer);
    for (const s of ['Acme IT Services Pty Ltd', 'ACME-2026-000001', 'Alpha Dental', '240.00', 'BSB 062-000']) {
      expect(text).toContain(s);
    }
    const csv = await http.get(`/api/v1/end-customer-invoices/${b.id}/csv`, rFinance).expect(200);
    expect(csv.text.split('\n')[0]).toBe(
      'invoice_number,end_customer,line_no,sku,description,quantity,period_start,period_end,net,tax_rate,tax,gross,currency',
    );
    expect(csv.text).toContain(`ACME-2026-000002,Beta Legal,1,${hw.sku}`);

    // Alpha pays by card (the distributor's Stripe account), Beta by bank transfer recorded by finance.
    t.clock.set('2026-11-20');
    const intent = await http.post(`/api/v1/end-customer-invoices/${a.id}/payment-intents`, rFinance).expect(201);
    const pi = stripe.intents.get(intent.body.paymentIntentId)!;
    expect(pi.metadata).toMatchObject({ endCustomerInvoiceId: a.id, resellerId: reseller.id });
    const chargeId = `ch_${pi.id as string}`;
    stripe.charges.set(chargeId, {
      id: chargeId,
      paymentIntent: pi.id as string,
      amount: pi.amount as number,
      currency: 'aud',
      fee: 250,
    });
    const succeeded = { ...pi, status: 'succeeded', amount_received: pi.amount, latest_charge: chargeId };
    const event = await sendStripeEvent(t, 'payment_intent.succeeded', succeeded, {
      created: unixOf('2026-11-05'),
    });
    expect(event.body.outcome).toBe('recorded');
    const again = await sendStripeEvent(t, 'payment_intent.succeeded', succeeded, {
      created: unixOf('2026-11-05'),
    });
    expect(again.body.outcome).toMatch(/^ignored: PaymentIntent .* already recorded$/);
    const bank = {
      endCustomerInvoiceId: b.id,
      amount: b.gross,
      currency: 'AUD',
      reference: 'EFT-BETA',
      receivedOn: '2026-11-06',
    };
    await http.post('/api/v1/collections', rFinance, bank).expect(403);
    await http.post('/api/v1/collections', finance, { ...bank, amount: new Dec(b.gross).plus(1).toFixed(2) }).expect(422);
    await http.post('/api/v1/collections', finance, bank).expect(201);
    expect((await full(a.id)).status).toBe('PAID');
    expect((await full(b.id)).status).toBe('PAID');
    const collected = new Dec(a.gross).plus(b.gross);
    expect(await balance('2500')).toBe(collected.negated().toFixed(2));
    expect(await balance('6100')).toBe('2.50');
    const seen = (await http.get('/api/v1/collections', rFinance, { unsettled: 'true' }).expect(200)).body;
    expect(seen.items.map((c: { method: string }) => c.method).sort()).toEqual(['BANK_TRANSFER', 'CARD']);

    // Reconciliation: 2500 beside the collections not yet settled.
    let rec = await reconcile(t, finance);
    const held = {
      resellerId: reseller.id,
      account: '2500',
      ledger: collected.toFixed(2),
      subledger: collected.toFixed(2),
    };
    expect(rec.collectionsHeld.items).toContainEqual(expect.objectContaining(held));
    expect(rec.differences).toEqual([]);

    // Settlement: the fee, the distributor invoice netted (as a payment on it), the rest paid out.
    const settle = { resellerId: reseller.id, currency: 'AUD', settledOn: '2026-11-20' };
    const settlement = (await http.post('/api/v1/settlements', finance, settle).expect(201)).body;
    const fee = round2(collected.times('0.025'));
    const netted = Dec.min(collected.minus(fee), new Dec(distributorInvoice.amountDue));
    expect(settlement).toMatchObject({
      collected: collected.toFixed(2),
      fee: fee.toFixed(2),
      netted: netted.toFixed(2),
      paidOut: collected.minus(fee).minus(netted).toFixed(2),
      feePercent: '2.5',
    });
    expect(settlement.nettedInvoices).toEqual([
      {
        invoiceId: distributorInvoice.id,
        invoiceNumber: distributorInvoice.number,
        amount: netted.toFixed(2),
      },
    ]);
    const payment = (await http.get(`/api/v1/payments/${settlement.paymentId}`, finance).expect(200)).body;
    expect(payment).toMatchObject({ method: 'SETTLEMENT', amount: netted.toFixed(2) });
    const [after] = await invoicesOf<{ status: string; amountPaid: string }>(t, reseller.id, finance);
    expect(after).toMatchObject({ status: 'PAID', amountPaid: distributorInvoice.amountDue });
    await http.post('/api/v1/settlements', finance, settle).expect(422);

    // Ledger: 2500 in and out; the fee on 4200; 4000/4100 never moved for the end-customer invoices.
    expect(await balance('2500')).toBe('0.00');
    expect(await balance('4200')).toBe(fee.negated().toFixed(2));
    expect(await balance('4000')).toBe(revenue.hw);
    expect(await balance('4100')).toBe(revenue.cloud);
    const entries = (await http.get('/api/v1/ledger/entries', finance, { resellerId: reseller.id, sourceType: 'settlement' }).expect(200))
      .body.items;
    expect(entries[0].lines).toContainEqual(expect.objectContaining({ accountCode: '2500', debit: collected.toFixed(2) }));
    rec = await reconcile(t, finance);
    expect(rec.collectionsHeld.items.filter((i: { resellerId: string }) => i.resellerId === reseller.id)).toEqual([]);
    expect(rec.differences).toEqual([]);
    expect(await verifyAllBooks(t)).toEqual([]);

    // Remittance statement, PDF and CSV, seen by the reseller too.
    const remittance = await http.get(`/api/v1/settlements/${settlement.id}/csv`, rFinance).expect(200);
    expect(remittance.text).toContain(`,fee,2026-11-20,,2.5 %,-${fee.toFixed(2)},AUD`);
    expect(remittance.text).toContain(`,netted,2026-11-20,${distributorInvoice.number},`);
    const rpdf = await http.binary(`/api/v1/settlements/${settlement.id}/pdf`, rFinance).expect(200);
    expect(pdfText(rpdf.body as Buffer)).toContain('Remittance statement');

    // The reseller's margin per end customer, and the PSA export.
    const period = { from: '2026-11-01', to: '2026-11-30' };
    const margin = (await http.get('/api/v1/reports/end-customer-margin', rFinance, period).expect(200)).body;
    expect(margin.rows).toEqual([
      expect.objectContaining({
        endCustomerName: 'Alpha Dental',
        sold: '306.00',
        cost: '260.00',
        margin: '46.00',
        paid: a.gross,
      }),
      expect.objectContaining({
        endCustomerName: 'Beta Legal',
        sold: '130.00',
        cost: '100.00',
        margin: '30.00',
        owed: '0.00',
      }),
    ]);
    await http.get('/api/v1/reports/end-customer-margin', finance, { ...period, resellerId: reseller.id }).expect(403);
    const october = { from: '2026-10-01', to: '2026-10-31', endCustomerId: alpha };
    const rows = (await http.get('/api/v1/exports/psa', rAdmin, october).expect(200)).text.trim().split('\n');
    expect(rows[0]).toBe('end_customer,end_customer_reference,sku,description,quantity,period,cost,sell_price,currency,invoice_number');
    expect(rows).toHaveLength(3);
    expect(rows.some((r) => r.startsWith('Alpha Dental,,') && r.endsWith(',200.00,240.00,AUD,ACME-2026-000001'))).toBe(true);
  });

  it('queues end_customer_invoice.issued for each invoice issued, and issues automatically when told', async () => {
    const http = client(t);
    const reseller = await f.createReseller(t, {});
    const rAdmin = (await t.user('reseller_admin', reseller.id)).auth;
    const hook = await http
      .post('/api/v1/webhooks', rAdmin, {
        url: 'https://hooks.example/disty',
        events: ['end_customer_invoice.issued'],
      })
      .expect(201);
    const profile = { endCustomerBilling: true, autoIssue: true, numberPrefix: 'AUTO' };
    await http.put('/api/v1/reseller-billing/profile', rAdmin, profile).expect(200);
    const hw = await f.createProduct(t, {
      kind: 'HARDWARE',
      prices: [{ currency: 'AUD', unitPrice: '50.00' }],
    });
    const customer = (await http.post('/api/v1/end-customers', rAdmin, { name: 'Gamma Co' }).expect(201)).body.id;
    await orderShipped(t, ADMIN, reseller.id, customer, [{ sku: hw.sku, quantity: 1 }], '2026-11-02');
    await billPeriod(t, '2026-11-15', finance);
    const list = (await http.get('/api/v1/end-customer-invoices', rAdmin).expect(200)).body.items as EcInvoice[];
    expect(list).toEqual([expect.objectContaining({ status: 'ISSUED', number: 'AUTO-2026-000001', net: '50.00' })]);
    const deliveries = (await http.get(`/api/v1/webhooks/${hook.body.id}/deliveries`, rAdmin).expect(200)).body.items;
    expect(deliveries).toEqual([expect.objectContaining({ event: 'end_customer_invoice.issued' })]);
  });
});
