import { Dec } from '@disty/core';
import type { TestApp } from './support/app';
import { billPeriod, invoicesOf, reconcile, sendStripeEvent, startBillingTestApp, unixOf, verifyAllBooks } from './support/billing';
import type { FakeStripe } from './support/fake-stripe';
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
  let f: typeof import('./factories/commerce');
  let stripe: FakeStripe;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, stripe, admin: ADMIN, finance, close } = await startBillingTestApp('billing-on-behalf'));
  });
  afterAll(() => close?.());
  afterEach(() => t?.clock.reset());

  const api = () => t.http();
  const round2 = (d: Dec) => d.toDecimalPlaces(2, Dec.ROUND_HALF_UP);
  const balance = async (code: string, resellerId: string) => {
    const [r]: Array<{ b: string }> = await t.db.query(
      `SELECT coalesce(sum(debit - credit), 0)::text AS b FROM journal_lines WHERE account_code = $1 AND reseller_id = $2`, [code, resellerId],
    );
    return new Dec(r.b).toFixed(2);
  };
  type EcInvoice = {
    id: string; number: string | null; status: string; endCustomerId: string; net: string; tax: string; gross: string; amountDue: string; amountPaid: string;
    seller: { name: string; address: string; taxId: string; paymentInstructions: string }; buyer: { name: string };
    lines: Array<{ sku: string; quantity: number; cost: string; net: string; tax: string; taxRate: string }>;
  };

  it('bills two end customers at the reseller’s prices, collects by card and bank, and settles net of the fee', async () => {
    const reseller = await f.createReseller(t, { name: `On Behalf Reseller ${f.uniq()}` });
    const rAdmin = (await t.user('reseller_admin', reseller.id)).auth;
    const rFinance = (await t.user('reseller_finance', reseller.id)).auth;
    const hw = await f.createProduct(t, { kind: 'HARDWARE', vendor: 'Dell', prices: [{ currency: 'AUD', unitPrice: '100.00' }] });
    const cl = await f.createProduct(t, { kind: 'CLOUD', vendor: 'Microsoft', term: 'P1M', billingFrequency: 'MONTHLY', prices: [{ currency: 'AUD', unitPrice: '20.00' }] });
    const customer = async (name: string) => (await api().post('/api/v1/end-customers').set('Authorization', rAdmin).send({ name, country: 'AU' }).expect(201)).body.id as string;
    const alpha = await customer('Alpha Dental');
    const beta = await customer('Beta Legal');

    // The reseller opts in and brands its invoices; distributor finance sets the billing-services fee.
    const profile = await api().put('/api/v1/reseller-billing/profile').set('Authorization', rAdmin).send({
      endCustomerBilling: true, collectionOnBehalf: true, legalName: 'Acme IT Services Pty Ltd', address: '1 George St, Sydney NSW 2000',
      taxId: '51 824 753 556', logoUrl: 'https://acme.example/logo.png', paymentInstructions: 'Pay by card or to BSB 062-000 1234 5678', numberPrefix: 'ACME',
      paymentTermsDays: 14,
    }).expect(200);
    expect(profile.body).toMatchObject({ endCustomerBilling: true, autoIssue: false, numberPrefix: 'ACME', lastNumber: 0 });
    await api().put('/api/v1/reseller-billing/fee').set('Authorization', rAdmin).send({ resellerId: reseller.id, feePercent: '2.5' }).expect(403);
    await api().put('/api/v1/reseller-billing/fee').set('Authorization', finance).send({ resellerId: reseller.id, feePercent: '2.5' }).expect(200);

    // A markup per kind and vendor for everyone, and a fixed price override for Beta on the hardware SKU.
    await api().post('/api/v1/price-rules').set('Authorization', rAdmin).send({ productKind: 'HARDWARE', markupPercent: '20', effectiveFrom: '2026-01-01' }).expect(201);
    await api().post('/api/v1/price-rules').set('Authorization', rAdmin).send({ productKind: 'CLOUD', vendor: 'Microsoft', markupPercent: '10', effectiveFrom: '2026-01-01' }).expect(201);
    await api().post('/api/v1/price-rules').set('Authorization', rAdmin)
      .send({ endCustomerId: beta, sku: hw.sku, fixedPrice: '130.00', currency: 'AUD', effectiveFrom: '2026-01-01' }).expect(201);
    await api().get('/api/v1/price-rules').set('Authorization', finance).expect(403);

    const prices = async (id: string) => (await api().get(`/api/v1/end-customers/${id}/prices`).query({ asOf: '2026-10-31', pageSize: 200 })
      .set('Authorization', rAdmin).expect(200)).body.items as Array<{ sku: string; cost: string; sellPrice: string; margin: string }>;
    expect((await prices(alpha)).find((p) => p.sku === hw.sku)).toMatchObject({ cost: '100.00', sellPrice: '120.00', margin: '20.00' });
    expect((await prices(alpha)).find((p) => p.sku === cl.sku)).toMatchObject({ cost: '20.00', sellPrice: '22.00', margin: '2.00' });
    expect((await prices(beta)).find((p) => p.sku === hw.sku)).toMatchObject({ cost: '100.00', sellPrice: '130.00', margin: '30.00' });

    // October: Alpha takes 2 hardware units and 3 cloud seats, Beta 1 hardware unit.
    const order = async (endCustomerId: string, lines: object[]) => {
      const res = await api().post('/api/v1/orders').set('Authorization', ADMIN).send({ resellerId: reseller.id, endCustomerId, lines });
      expect(res.status).toBe(201);
      const hwLine = res.body.lines.find((l: { kind: string }) => l.kind === 'HARDWARE');
      await api().post(`/api/v1/orders/${res.body.id}/lines/${hwLine.id}/ship`).set('Authorization', ADMIN).send({ shippedOn: '2026-10-02' }).expect(200);
    };
    await order(alpha, [{ sku: hw.sku, quantity: 2 }, { sku: cl.sku, quantity: 3, startDate: '2026-10-01' }]);
    await order(beta, [{ sku: hw.sku, quantity: 1 }]);
    const revenueBefore = { hw: await balance('4000', reseller.id) };

    const run = await billPeriod(t, '2026-10-31', finance);
    expect(run.status).toBe('COMPLETED');
    const [distributorInvoice] = await invoicesOf<{ id: string; number: string; total: string; amountDue: string; lines: Array<{ sku: string; net: string; taxRate: string }> }>(
      t, reseller.id, finance,
    );
    const revenueAfterRun = { hw: await balance('4000', reseller.id), cloud: await balance('4100', reseller.id) };
    expect(revenueAfterRun.hw).toBe(revenueBefore.hw); // hardware revenue posted at shipment, at the distributor's price

    // Two DRAFT end-customer invoices at the reseller's sell prices.
    const list = await api().get('/api/v1/end-customer-invoices').set('Authorization', rFinance).expect(200);
    expect(list.body.items).toHaveLength(2);
    const full = async (id: string) => (await api().get(`/api/v1/end-customer-invoices/${id}`).set('Authorization', rFinance).expect(200)).body as EcInvoice;
    const of = async (endCustomerId: string) => full(list.body.items.find((i: EcInvoice) => i.endCustomerId === endCustomerId).id);
    const rate = new Dec(distributorInvoice.lines[0].taxRate);
    const expectLine = (inv: EcInvoice, sku: string, cost: string, net: string) => {
      const line = inv.lines.find((l) => l.sku === sku)!;
      expect(line).toMatchObject({ cost, net, tax: round2(new Dec(net).times(rate)).toFixed(2) });
    };
    let a = await of(alpha);
    let b = await of(beta);
    expect([a.status, a.number, b.status, b.number]).toEqual(['DRAFT', null, 'DRAFT', null]);
    expectLine(a, hw.sku, '200.00', '240.00');
    expectLine(a, cl.sku, '60.00', '66.00');
    expectLine(b, hw.sku, '100.00', '130.00');
    expect(a.net).toBe('306.00');
    expect(a.seller).toMatchObject({ name: 'Acme IT Services Pty Ltd', taxId: '51 824 753 556', paymentInstructions: 'Pay by card or to BSB 062-000 1234 5678' });
    expect(a.buyer.name).toBe('Alpha Dental');

    // Reviewed and issued: the reseller's own gapless numbers.
    t.clock.set('2026-11-03');
    a = (await api().post(`/api/v1/end-customer-invoices/${a.id}/issue`).set('Authorization', rFinance).expect(200)).body;
    b = (await api().post(`/api/v1/end-customer-invoices/${b.id}/issue`).set('Authorization', rFinance).expect(200)).body;
    await api().post(`/api/v1/end-customer-invoices/${a.id}/issue`).set('Authorization', rFinance).expect(409);
    expect([a.number, b.number]).toEqual(['ACME-2026-000001', 'ACME-2026-000002']);
    expect(a).toMatchObject({ status: 'ISSUED', issueDate: '2026-11-03', dueDate: '2026-11-17' });
    const pdf = await api().get(`/api/v1/end-customer-invoices/${a.id}/pdf`).set('Authorization', rFinance).buffer(true)
      .parse((res, cb) => { const chunks: Buffer[] = []; res.on('data', (c: Buffer) => chunks.push(c)); res.on('end', () => cb(null, Buffer.concat(chunks))); }).expect(200);
    const text = pdfText(pdf.body as Buffer);
    for (const s of ['Acme IT Services Pty Ltd', 'ACME-2026-000001', 'Alpha Dental', '240.00', 'BSB 062-000']) expect(text).toContain(s);
    const csv = await api().get(`/api/v1/end-customer-invoices/${b.id}/csv`).set('Authorization', rFinance).expect(200);
    expect(csv.text.split('\n')[0]).toBe('invoice_number,end_customer,line_no,sku,description,quantity,period_start,period_end,net,tax_rate,tax,gross,currency');
    expect(csv.text).toContain(`ACME-2026-000002,Beta Legal,1,${hw.sku}`);

    // Alpha pays by card (the distributor's Stripe account), Beta by bank transfer recorded by finance.
    t.clock.set('2026-11-20');
    const intent = await api().post(`/api/v1/end-customer-invoices/${a.id}/payment-intents`).set('Authorization', rFinance).expect(201);
    const pi = stripe.intents.get(intent.body.paymentIntentId)!;
    expect(pi.metadata).toMatchObject({ endCustomerInvoiceId: a.id, resellerId: reseller.id });
    const chargeId = `ch_${pi.id as string}`;
    stripe.charges.set(chargeId, { id: chargeId, paymentIntent: pi.id as string, amount: pi.amount as number, currency: 'aud', fee: 250 });
    const event = await sendStripeEvent(t, 'payment_intent.succeeded', { ...pi, status: 'succeeded', amount_received: pi.amount, latest_charge: chargeId },
      { created: unixOf('2026-11-05') });
    expect(event.body.outcome).toBe('recorded');
    const again = await sendStripeEvent(t, 'payment_intent.succeeded', { ...pi, status: 'succeeded', amount_received: pi.amount, latest_charge: chargeId },
      { created: unixOf('2026-11-05') });
    expect(again.body.outcome).toMatch(/ignored|duplicate/);
    await api().post('/api/v1/collections').set('Authorization', rFinance).send({ endCustomerInvoiceId: b.id, amount: b.gross, currency: 'AUD', reference: 'x', receivedOn: '2026-11-06' }).expect(403);
    await api().post('/api/v1/collections').set('Authorization', finance)
      .send({ endCustomerInvoiceId: b.id, amount: new Dec(b.gross).plus(1).toFixed(2), currency: 'AUD', reference: 'EFT-BETA', receivedOn: '2026-11-06' }).expect(422);
    await api().post('/api/v1/collections').set('Authorization', finance)
      .send({ endCustomerInvoiceId: b.id, amount: b.gross, currency: 'AUD', reference: 'EFT-BETA', receivedOn: '2026-11-06' }).expect(201);
    expect((await full(a.id)).status).toBe('PAID');
    expect((await full(b.id)).status).toBe('PAID');
    const collected = new Dec(a.gross).plus(b.gross);
    expect(await balance('2500', reseller.id)).toBe(collected.negated().toFixed(2));
    expect(await balance('6100', reseller.id)).toBe('2.50');

    // Reconciliation: 2500 beside the collections not yet settled.
    let rec = await reconcile(t, finance);
    expect(rec.collectionsHeld.items).toContainEqual(expect.objectContaining({ resellerId: reseller.id, account: '2500', ledger: collected.toFixed(2), subledger: collected.toFixed(2) }));
    expect(rec.differences).toEqual([]);

    // Settlement: the fee, the distributor invoice netted (as a payment on it), the rest paid out.
    const settlement = (await api().post('/api/v1/settlements').set('Authorization', finance)
      .send({ resellerId: reseller.id, currency: 'AUD', settledOn: '2026-11-20' }).expect(201)).body;
    const fee = round2(collected.times('0.025'));
    const netted = Dec.min(collected.minus(fee), new Dec(distributorInvoice.amountDue));
    expect(settlement).toMatchObject({
      collected: collected.toFixed(2), fee: fee.toFixed(2), netted: netted.toFixed(2), paidOut: collected.minus(fee).minus(netted).toFixed(2), feePercent: '2.5',
    });
    expect(settlement.nettedInvoices).toEqual([{ invoiceId: distributorInvoice.id, invoiceNumber: distributorInvoice.number, amount: netted.toFixed(2) }]);
    const payment = (await api().get(`/api/v1/payments/${settlement.paymentId}`).set('Authorization', finance).expect(200)).body;
    expect(payment).toMatchObject({ method: 'SETTLEMENT', amount: netted.toFixed(2) });
    const [after] = await invoicesOf<{ status: string; amountPaid: string }>(t, reseller.id, finance);
    expect(after).toMatchObject({ status: 'PAID', amountPaid: distributorInvoice.amountDue });
    await api().post('/api/v1/settlements').set('Authorization', finance).send({ resellerId: reseller.id, currency: 'AUD', settledOn: '2026-11-20' }).expect(422);

    // Ledger: 2500 in and out; the fee on 4200; 4000/4100 never moved for the end-customer invoices.
    expect(await balance('2500', reseller.id)).toBe('0.00');
    expect(await balance('4200', reseller.id)).toBe(fee.negated().toFixed(2));
    expect(await balance('4000', reseller.id)).toBe(revenueAfterRun.hw);
    expect(await balance('4100', reseller.id)).toBe(revenueAfterRun.cloud);
    const entry = (await api().get('/api/v1/ledger/entries').query({ resellerId: reseller.id, sourceType: 'settlement' }).set('Authorization', finance).expect(200)).body.items[0];
    expect(entry.lines).toEqual(expect.arrayContaining([expect.objectContaining({ accountCode: '2500', debit: collected.toFixed(2) })]));
    rec = await reconcile(t, finance);
    expect(rec.collectionsHeld.items.filter((i: { resellerId: string }) => i.resellerId === reseller.id)).toEqual([]);
    expect(rec.differences).toEqual([]);
    expect(await verifyAllBooks(t)).toEqual([]);

    // Remittance statement, PDF and CSV, seen by the reseller too.
    const remittance = await api().get(`/api/v1/settlements/${settlement.id}/csv`).set('Authorization', rFinance).expect(200);
    expect(remittance.text).toContain(`,fee,2026-11-20,,2.5 %,-${fee.toFixed(2)},AUD`);
    expect(remittance.text).toContain(`,netted,2026-11-20,${distributorInvoice.number},`);
    const rpdf = await api().get(`/api/v1/settlements/${settlement.id}/pdf`).set('Authorization', rFinance).buffer(true)
      .parse((res, cb) => { const chunks: Buffer[] = []; res.on('data', (c: Buffer) => chunks.push(c)); res.on('end', () => cb(null, Buffer.concat(chunks))); }).expect(200);
    expect(pdfText(rpdf.body as Buffer)).toContain('Remittance statement');

    // The reseller's margin per end customer, and the PSA export.
    const margin = (await api().get('/api/v1/reports/end-customer-margin').query({ from: '2026-11-01', to: '2026-11-30' }).set('Authorization', rFinance).expect(200)).body;
    expect(margin.rows).toEqual([
      expect.objectContaining({ endCustomerName: 'Alpha Dental', sold: '306.00', cost: '260.00', margin: '46.00', paid: a.gross, owed: '0.00' }),
      expect.objectContaining({ endCustomerName: 'Beta Legal', sold: '130.00', cost: '100.00', margin: '30.00', paid: b.gross, owed: '0.00' }),
    ]);
    await api().get('/api/v1/reports/end-customer-margin').query({ from: '2026-11-01', to: '2026-11-30', resellerId: reseller.id }).set('Authorization', finance).expect(403);
    const psa = await api().get('/api/v1/exports/psa').query({ from: '2026-10-01', to: '2026-10-31', endCustomerId: alpha }).set('Authorization', rAdmin).expect(200);
    const rows = psa.text.trim().split('\n');
    expect(rows[0]).toBe('end_customer,end_customer_reference,sku,description,quantity,period,cost,sell_price,currency,invoice_number');
    expect(rows).toHaveLength(3);
    expect(rows.some((r) => r.startsWith('Alpha Dental,,') && r.includes(`${hw.sku},`) && r.endsWith(',200.00,240.00,AUD,ACME-2026-000001'))).toBe(true);
    t.clock.reset();
  });

  it('queues end_customer_invoice.issued for each invoice issued, and issues automatically when told', async () => {
    const reseller = await f.createReseller(t, {});
    const rAdmin = (await t.user('reseller_admin', reseller.id)).auth;
    const hook = await api().post('/api/v1/webhooks').set('Authorization', rAdmin).send({ url: 'https://hooks.example/disty', events: ['end_customer_invoice.issued'] }).expect(201);
    await api().put('/api/v1/reseller-billing/profile').set('Authorization', rAdmin).send({ endCustomerBilling: true, autoIssue: true, numberPrefix: 'AUTO' }).expect(200);
    const hw = await f.createProduct(t, { kind: 'HARDWARE', prices: [{ currency: 'AUD', unitPrice: '50.00' }] });
    const order = await api().post('/api/v1/orders').set('Authorization', ADMIN).send({ resellerId: reseller.id, endCustomer: { name: 'Gamma Co' }, lines: [{ sku: hw.sku, quantity: 1 }] }).expect(201);
    await api().post(`/api/v1/orders/${order.body.id}/lines/${order.body.lines[0].id}/ship`).set('Authorization', ADMIN).send({ shippedOn: '2026-11-02' }).expect(200);
    await billPeriod(t, '2026-11-15', finance);
    const list = (await api().get('/api/v1/end-customer-invoices').set('Authorization', rAdmin).expect(200)).body.items as EcInvoice[];
    expect(list).toEqual([expect.objectContaining({ status: 'ISSUED', number: 'AUTO-2026-000001', net: '50.00' })]);
    const deliveries = (await api().get(`/api/v1/webhooks/${hook.body.id}/deliveries`).set('Authorization', rAdmin).expect(200)).body.items;
    expect(deliveries).toEqual([expect.objectContaining({ event: 'end_customer_invoice.issued' })]);
  });
});
