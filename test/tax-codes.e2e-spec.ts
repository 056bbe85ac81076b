import { addDays } from '#disty/core';
import type { TestApp } from './support/app';
import type * as Commerce from './factories/commerce';
import { billPeriod, cents, invoicesOf, realToday, reconcile, startBillingTestApp } from './support/billing';
import { pdfText } from './support/pdf-text';

/**
 * Tax codes per line (docs/accounting.md §11): chosen from the product's tax category and the
 * buyer's country and registration, stored on order and invoice lines, reported per code for a
 * month and checked against the ledger's 2100. Its own database: it bills and reads the whole ledger.
 */
describe('tax codes', () => {
  let t: TestApp;
  let f: typeof Commerce;
  let ADMIN: string;
  let finance: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ t, f, admin: ADMIN, finance, close } = await startBillingTestApp('tax-codes'));
  });
  afterAll(() => close?.());

  const prices = (amount: string) => ['AUD', 'NZD', 'EUR', 'USD'].map((currency) => ({ currency, unitPrice: amount }));
  const order = (resellerId: string, lines: Array<{ sku: string; quantity: number; startDate?: string }>) =>
    t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', ADMIN)
      .send({ resellerId, endCustomer: { name: 'End Co' }, lines });
  const pdfOf = async (id: string) => {
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
    return res.body as Buffer;
  };

  it('lists the seeded codes and rules to any signed-in user, and lets only an admin change them', async () => {
    const reseller = await f.createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const codes = await t.http().get('/api/v1/tax-codes').set('Authorization', buyer.auth).expect(200);
    const byCode = Object.fromEntries(codes.body.items.map((c: { code: string }) => [c.code, c]));
    expect(byCode.GST).toMatchObject({ jurisdiction: 'AU', rate: '0.10', kind: 'STANDARD' });
    expect(byCode['NZ-GST']).toMatchObject({ jurisdiction: 'NZ', rate: '0.15', kind: 'STANDARD' });
    expect(byCode['EU-RC']).toMatchObject({ jurisdiction: 'EU', rate: '0.00', kind: 'REVERSE_CHARGE' });
    expect(byCode.EU_RC).toBeUndefined();
    expect(byCode['EU-RC'].invoiceNote).toMatch(/^Reverse charge/);
    expect(byCode.EXPORT).toMatchObject({ jurisdiction: 'AU', rate: '0.00', kind: 'ZERO' });
    expect(byCode.EXEMPT).toMatchObject({ kind: 'EXEMPT' });
    const rules = await t.http().get('/api/v1/tax-codes/rules').set('Authorization', buyer.auth).expect(200);
    expect(rules.body.items).toContainEqual(
      expect.objectContaining({
        taxCategory: 'STANDARD',
        buyerCountry: 'EU',
        buyerRegistered: true,
        taxCode: 'EU-RC',
      }),
    );

    const sg = {
      code: 'SG-GST',
      jurisdiction: 'SG',
      rate: '0.09',
      kind: 'STANDARD',
      description: 'Singapore GST 9 %',
    };
    await t.http().post('/api/v1/tax-codes').set('Authorization', buyer.auth).send(sg).expect(403);
    await t.http().post('/api/v1/tax-codes').set('Authorization', finance).send(sg).expect(403);
    expect((await t.http().post('/api/v1/tax-codes').set('Authorization', ADMIN).send(sg).expect(201)).body).toMatchObject({
      ...sg,
      validTo: null,
    });
    await t.http().post('/api/v1/tax-codes').set('Authorization', ADMIN).send(sg).expect(409);
    const zeroWithRate = await t
      .http()
      .post('/api/v1/tax-codes')
      .set('Authorization', ADMIN)
      .send({ ...sg, code: 'SG-ZERO', kind: 'ZERO' })
      .expect(400);
    expect(zeroWithRate.body.errors).toEqual([expect.objectContaining({ field: 'rate' })]);
    await t
      .http()
      .post('/api/v1/tax-codes')
      .set('Authorization', ADMIN)
      .send({ ...sg, code: 'sg gst' })
      .expect(400);

    // A rule for Singapore buyers, then a Singapore reseller's order is taxed at 9 %.
    const rule = await t
      .http()
      .post('/api/v1/tax-codes/rules')
      .set('Authorization', ADMIN)
      .send({ taxCategory: 'STANDARD', buyerCountry: 'SG', taxCode: 'SG-GST' })
      .expect(201);
    expect(rule.body).toMatchObject({
      sellerJurisdiction: 'AU',
      buyerCountry: 'SG',
      buyerRegistered: null,
      taxCode: 'SG-GST',
    });
    await t
      .http()
      .post('/api/v1/tax-codes/rules')
      .set('Authorization', ADMIN)
      .send({ taxCategory: 'STANDARD', buyerCountry: 'SG', taxCode: 'SG-GST' })
      .expect(409);
    const hw = await f.createProduct(t, { prices: [{ currency: 'USD', unitPrice: '200.00' }] });
    const singapore = await f.createReseller(t, { currency: 'USD', country: 'SG' });
    const placed = await order(singapore.id, [{ sku: hw.sku, quantity: 1 }]).expect(201);
    expect(placed.body.lines[0]).toMatchObject({
      taxCode: 'SG-GST',
      taxRate: '0.09',
      net: '200.00',
      tax: '18.00',
      gross: '218.00',
    });
    // The rule pointed elsewhere: later orders are export (zero-rated); the first keeps its code.
    await t.http().patch(`/api/v1/tax-codes/rules/${rule.body.id}`).set('Authorization', ADMIN).send({ taxCode: 'EXPORT' }).expect(200);
    expect((await order(singapore.id, [{ sku: hw.sku, quantity: 1 }]).expect(201)).body.lines[0]).toMatchObject({
      taxCode: 'EXPORT',
      tax: '0.00',
    });
    expect((await t.http().get(`/api/v1/orders/${placed.body.id}`).set('Authorization', ADMIN).expect(200)).body.lines[0]).toMatchObject({
      taxCode: 'SG-GST',
      tax: '18.00',
    });
  });

  it('refuses a tax code unknown for a country with 422 naming it, and an order no rule covers with 422 naming the country', async () => {
    const wrong = await t
      .http()
      .post('/api/v1/tax-codes/rules')
      .set('Authorization', ADMIN)
      .send({ taxCategory: 'STANDARD', buyerCountry: 'JP', taxCode: 'GST' })
      .expect(422);
    expect(wrong.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(wrong.body).toMatchObject({
      type: 'https://disty.dev/problems/tax-code-unknown',
      taxCode: 'GST',
      country: 'JP',
    });
    expect(wrong.body.detail).toContain('GST');
    expect(wrong.body.detail).toContain('JP');
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'taxCode' })]);
    const unknown = await t
      .http()
      .post('/api/v1/tax-codes/rules')
      .set('Authorization', ADMIN)
      .send({ taxCategory: 'STANDARD', buyerCountry: 'JP', taxCode: 'JP-CT' })
      .expect(422);
    expect(unknown.body).toMatchObject({
      type: 'https://disty.dev/problems/tax-code-unknown',
      taxCode: 'JP-CT',
    });
    await t
      .http()
      .post('/api/v1/tax-codes/rules')
      .set('Authorization', ADMIN)
      .send({ taxCategory: 'LUXURY', buyerCountry: 'JP', taxCode: 'EXPORT' })
      .expect(400);
    const rules = (await t.http().get('/api/v1/tax-codes/rules').set('Authorization', ADMIN).expect(200)).body.items;
    expect(rules.filter((r: { buyerCountry: string }) => r.buyerCountry === 'JP')).toEqual([]);

    // The exempt code out of force: an exempt product has no code for an Australian buyer, and the
    // whole order is refused (nothing reserved); back in force, it orders.
    const exempt = await f.createProduct(t, { taxCategory: 'EXEMPT' });
    const hw = await f.createProduct(t);
    const reseller = await f.createReseller(t);
    await t.http().patch('/api/v1/tax-codes/EXEMPT').set('Authorization', ADMIN).send({ validTo: '2001-01-01' }).expect(200);
    try {
      const refused = await order(reseller.id, [
        { sku: hw.sku, quantity: 1 },
        { sku: exempt.sku, quantity: 1 },
      ]).expect(422);
      expect(refused.body).toMatchObject({
        type: 'https://disty.dev/problems/tax-code-unknown',
        country: 'AU',
        taxCategory: 'EXEMPT',
      });
      expect(refused.body.detail).toContain('AU');
      expect((await f.creditLines(t, reseller.id)).HARDWARE.reserved).toBe('0.00');
    } finally {
      await t.http().patch('/api/v1/tax-codes/EXEMPT').set('Authorization', ADMIN).send({ validTo: null }).expect(200);
    }
    const ok = await order(reseller.id, [
      { sku: hw.sku, quantity: 1 },
      { sku: exempt.sku, quantity: 1 },
    ]).expect(201);
    expect(ok.body.lines.map((l: { taxCode: string; tax: string }) => [l.taxCode, l.tax])).toEqual([
      ['GST', '10.00'],
      ['EXEMPT', '0.00'],
    ]);
  });

  it('invoices AU (GST 10 %), NZ (GST 15 %) and EU reverse-charge resellers with the codes and rates of their lines, and the tax report adds up to 2100', async () => {
    const T = realToday();
    const D0 = addDays(T, -1) < `${T.slice(0, 7)}-01` ? T : addDays(T, -1);
    const hw = await f.createProduct(t, { name: 'ThinkPad X1 Carbon', prices: prices('1000.00') });
    const free = await f.createProduct(t, {
      name: 'Medical tablet',
      taxCategory: 'ZERO_RATED',
      prices: prices('300.00'),
    });
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      name: 'Cloud backup',
      term: 'P1M',
      billingFrequency: 'MONTHLY',
      prices: prices('20.00'),
    });
    const au = await f.createReseller(t, {
      name: `Harbour IT ${f.uniq()}`,
      currency: 'AUD',
      country: 'AU',
      taxRegistered: true,
      taxId: '51 824 753 556',
    });
    const nz = await f.createReseller(t, {
      name: `Ōtautahi Tech 株式会社 ${f.uniq()}`,
      currency: 'NZD',
      country: 'NZ',
      taxRegistered: true,
      taxId: '123-456-789',
      address: '1 Cathedral Square, Ōtautahi Christchurch 8011',
    });
    const de = await f.createReseller(t, {
      name: `Berlin Systemhaus GmbH ${f.uniq()}`,
      currency: 'EUR',
      country: 'DE',
      taxRegistered: true,
      taxId: 'DE123456789',
      address: 'Unter den Linden 1, Berlin',
    });
    const deUnregistered = await f.createReseller(t, { currency: 'EUR', country: 'DE' });

    const expected: Record<string, { code: string; rate: string }> = {
      [au.id]: { code: 'GST', rate: '0.10' },
      [nz.id]: { code: 'NZ-GST', rate: '0.15' },
      [de.id]: { code: 'EU-RC', rate: '0.00' },
      [deUnregistered.id]: { code: 'EXPORT', rate: '0.00' },
    };
    for (const r of [au, nz, de, deUnregistered]) {
      const placed = await order(r.id, [
        { sku: hw.sku, quantity: 2 },
        { sku: cloud.sku, quantity: 5, startDate: D0 },
      ]).expect(201);
      for (const l of placed.body.lines) expect(l).toMatchObject({ taxCode: expected[r.id].code, taxRate: expected[r.id].rate });
      const hwLine = placed.body.lines.find((l: { kind: string }) => l.kind === 'HARDWARE');
      await t
        .http()
        .post(`/api/v1/orders/${placed.body.id}/lines/${hwLine.id}/ship`)
        .set('Authorization', ADMIN)
        .send({ shippedOn: D0 })
        .expect((res) => expect(res.status).toBeLessThan(300));
    }
    const zero = await order(au.id, [{ sku: free.sku, quantity: 1 }]).expect(201);
    expect(zero.body.lines[0]).toMatchObject({ taxCode: 'GST-FREE', taxRate: '0.00', tax: '0.00' });
    await t
      .http()
      .post(`/api/v1/orders/${zero.body.id}/lines/${zero.body.lines[0].id}/ship`)
      .set('Authorization', ADMIN)
      .send({ shippedOn: D0 })
      .expect((res) => expect(res.status).toBeLessThan(300));

    expect((await billPeriod(t, T, finance)).status).toBe('COMPLETED');
    type Line = { sku: string; net: string; tax: string; taxCode: string; taxRate: string; id: string };
    type Invoice = { id: string; taxRate: string | null; lines: Line[]; totals: { all: { tax: string } } };
    const invoiceOf = async (resellerId: string): Promise<Invoice> => {
      const invoices = await invoicesOf<Invoice>(t, resellerId, finance);
      expect(invoices).toHaveLength(1);
      return invoices[0];
    };
    const invAu = await invoiceOf(au.id);
    expect(invAu.lines.map((l) => [l.sku, l.taxCode, l.taxRate, l.net, l.tax]).sort()).toEqual(
      [
        [cloud.sku, 'GST', '0.10', '100.00', '10.00'],
        [hw.sku, 'GST', '0.10', '2000.00', '200.00'],
        [free.sku, 'GST-FREE', '0.00', '300.00', '0.00'],
      ].sort(),
    );
    expect(invAu.taxRate).toBeNull();
    const invNz = await invoiceOf(nz.id);
    expect(invNz.lines.map((l) => [l.taxCode, l.taxRate, l.tax]).sort()).toEqual([
      ['NZ-GST', '0.15', '15.00'],
      ['NZ-GST', '0.15', '300.00'],
    ]);
    expect(invNz.taxRate).toBe('0.15');
    const invDe = await invoiceOf(de.id);
    expect(invDe.lines.map((l) => [l.taxCode, l.taxRate, l.tax])).toEqual([
      ['EU-RC', '0.00', '0.00'],
      ['EU-RC', '0.00', '0.00'],
    ]);
    expect((await invoiceOf(deUnregistered.id)).lines.map((l) => l.taxCode)).toEqual(['EXPORT', 'EXPORT']);

    // A credit note on the AU hardware line, and 5.00 of input tax on a fee posted to 1300.
    const hwAu = invAu.lines.find((l) => l.sku === hw.sku)!;
    await t
      .http()
      .post(`/api/v1/invoices/${invAu.id}/credit-notes`)
      .set('Authorization', finance)
      .send({ lines: [{ invoiceLineId: hwAu.id, amount: '500.00' }], reason: 'Price match' })
      .expect(201);
    await t
      .http()
      .post('/api/v1/ledger/entries')
      .set('Authorization', finance)
      .send({
        entryDate: T,
        memo: 'GST on bank fees',
        lines: [
          { accountCode: '1300', debit: '5.00', currency: 'AUD' },
          { accountCode: '1000', credit: '5.00', currency: 'AUD' },
        ],
      })
      .expect(201);

    const period = T.slice(0, 7);
    await t
      .http()
      .get(`/api/v1/reports/tax?period=${period}`)
      .set('Authorization', (await t.user('buyer', au.id)).auth)
      .expect(403);
    await t.http().get('/api/v1/reports/tax?period=2026-13').set('Authorization', finance).expect(400);
    await t.http().get('/api/v1/reports/tax').set('Authorization', finance).expect(400);
    const report = (await t.http().get(`/api/v1/reports/tax?period=${period}`).set('Authorization', finance).expect(200)).body;
    const row = (code: string, currency: string) =>
      report.rows.find((r: { taxCode: string; currency: string }) => r.taxCode === code && r.currency === currency);
    expect(row('GST', 'AUD')).toEqual({
      taxCode: 'GST',
      currency: 'AUD',
      taxableAmount: '1600.00',
      outputTax: '160.00',
      inputTax: '0.00',
      netPayable: '160.00',
    });
    expect(row('GST-FREE', 'AUD')).toMatchObject({ taxableAmount: '300.00', outputTax: '0.00' });
    expect(row('UNCODED', 'AUD')).toMatchObject({
      taxableAmount: '0.00',
      outputTax: '0.00',
      inputTax: '5.00',
      netPayable: '-5.00',
    });
    expect(row('NZ-GST', 'NZD')).toMatchObject({ taxableAmount: '2100.00', outputTax: '315.00' });
    expect(row('EU-RC', 'EUR')).toMatchObject({ taxableAmount: '2100.00', outputTax: '0.00' });
    expect(row('EXPORT', 'EUR')).toMatchObject({ taxableAmount: '2100.00', outputTax: '0.00' });

    // The totals per currency equal the ledger's 2100 movement for the month, read here from the journal.
    const ledger: Array<{ currency: string; movement: string }> = await t.db.query(
      `SELECT currency, (sum(credit) - sum(debit))::text AS movement FROM journal_lines
        WHERE account_code = '2100' AND entry_date BETWEEN $1 AND $2 GROUP BY currency`,
      [`${period}-01`, T], // nothing is dated after today
    );
    expect(ledger.length).toBeGreaterThan(0);
    for (const l of ledger) {
      const total = report.totals.find((x: { currency: string }) => x.currency === l.currency);
      expect(cents(total.outputTax)).toBe(cents(l.movement));
      expect(total).toMatchObject({ ledgerOutputTax: total.outputTax, difference: '0.00', reconciled: true });
      const sum = report.rows
        .filter((r: { currency: string }) => r.currency === l.currency)
        .reduce((s: number, r: { outputTax: string }) => s + cents(r.outputTax), 0);
      expect(sum).toBe(cents(l.movement));
    }
    expect(report.totals.find((x: { currency: string }) => x.currency === 'AUD')).toMatchObject({
      outputTax: '160.00',
      inputTax: '5.00',
      netPayable: '155.00',
    });
    expect(report.reconciled).toBe(true);
    // Reconciliation's tax section: each reseller's 2100 equals its documents' output tax (ledger:verify runs the same).
    const rec = await reconcile(t, finance);
    expect(rec.reconciled).toBe(true);
    expect(rec.tax.items).toContainEqual(
      expect.objectContaining({
        resellerId: au.id,
        currency: 'AUD',
        account: '2100',
        ledger: '160.00',
        subledger: '160.00',
      }),
    );
    expect(rec.tax.items).toContainEqual(expect.objectContaining({ currency: 'NZD', ledger: '315.00', subledger: '315.00' }));

    // Tax invoices: supplier and its ABN, the buyer's legal name (in a Unicode font), address and tax id, the codes, the notes.
    const nzPdf = await pdfOf(invNz.id);
    expect(nzPdf.toString('latin1')).toContain('NotoSansJP');
    const nzText = pdfText(nzPdf);
    expect(nzText).toContain(nz.name);
    expect(nzText).toContain('Ōtautahi Tech 株式会社');
    expect(nzText).toContain('1 Cathedral Square, Ōtautahi Christchurch 8011');
    expect(nzText).toContain('Tax id 123-456-789 (registered)');
    expect(nzText).toContain('ABN 51 824 753 556');
    expect(nzText).toContain(`ThinkPad X1 Carbon\n${hw.sku}`);
    expect(nzText).toContain('NZ-GST');
    expect(nzText).toContain('Amount due:');
    expect(nzText).toContain('How to pay');
    expect(nzText).not.toContain(nz.id);
    expect(nzText).not.toMatch(/Reverse charge/);
    const deText = pdfText(await pdfOf(invDe.id));
    expect(deText).toContain('EU-RC');
    expect(deText).toMatch(/Reverse charge/);
    expect(deText).toContain('Tax id DE123456789 (registered)');
  });
});
