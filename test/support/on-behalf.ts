import { Dec } from '#disty/core';
import type { TestApp } from './app';

/** Short calls for the billing-on-behalf tests: method, path, token, body or query. */
export function client(t: TestApp) {
  return {
    get: (url: string, auth: string, query: object = {}) => t.http().get(url).query(query).set('Authorization', auth),
    post: (url: string, auth: string, body: object = {}) => t.http().post(url).set('Authorization', auth).send(body),
    put: (url: string, auth: string, body: object = {}) => t.http().put(url).set('Authorization', auth).send(body),
    /** A PDF (or any binary) answer as a Buffer. */
    binary: (url: string, auth: string) =>
      t
        .http()
        .get(url)
        .set('Authorization', auth)
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        }),
  };
}

/** Σ debit − Σ credit of an account for a reseller, to cents. */
export async function ledgerBalance(t: TestApp, code: string, resellerId: string): Promise<string> {
  const [r]: Array<{ b: string }> = await t.db.query(
    `SELECT coalesce(sum(debit - credit), 0)::text AS b FROM journal_lines WHERE account_code = $1 AND reseller_id = $2`,
    [code, resellerId],
  );
  return new Dec(r.b).toFixed(2);
}

export type EcInvoice = {
  id: string;
  number: string | null;
  status: string;
  endCustomerId: string;
  issueDate: string | null;
  net: string;
  tax: string;
  gross: string;
  amountDue: string;
  amountPaid: string;
  seller: { name: string; address: string; taxId: string; paymentInstructions: string };
  buyer: { name: string };
  lines: Array<{ sku: string; quantity: number; cost: string; net: string; tax: string; taxRate: string }>;
};

/**
 * A reseller billing two end customers (Alpha Dental, Beta Legal) on its behalf: branded profile with
 * collection, a 2.5 % fee set by finance, 20 % on hardware and 10 % on Microsoft cloud for everyone,
 * Beta's hardware at a fixed 130.00. Hardware lists at 100.00, the cloud seat at 20.00 a month.
 */
export async function onBehalfReseller(t: TestApp, f: typeof import('../factories/commerce.js'), finance: string) {
  const http = client(t);
  const reseller = await f.createReseller(t, { name: `On Behalf Reseller ${f.uniq()}` });
  const rAdmin = (await t.user('reseller_admin', reseller.id)).auth;
  const rFinance = (await t.user('reseller_finance', reseller.id)).auth;
  const hw = await f.createProduct(t, { vendor: 'Dell', prices: [{ currency: 'AUD', unitPrice: '100.00' }] });
  const cl = await f.createProduct(t, {
    kind: 'CLOUD',
    vendor: 'Microsoft',
    term: 'P1M',
    billingFrequency: 'MONTHLY',
    prices: [{ currency: 'AUD', unitPrice: '20.00' }],
  });
  const customer = async (name: string) =>
    (await http.post('/api/v1/end-customers', rAdmin, { name, country: 'AU' }).expect(201)).body.id as string;
  const alpha = await customer('Alpha Dental');
  const beta = await customer('Beta Legal');
  const profile = await http
    .put('/api/v1/reseller-billing/profile', rAdmin, {
      endCustomerBilling: true,
      collectionOnBehalf: true,
      legalName: 'Acme IT Services Pty Ltd',
      address: '1 George St, Sydney NSW 2000',
      taxId: '51 824 753 556',
      logoUrl: 'https://acme.example/logo.png',
      paymentInstructions: 'Pay by card or to BSB 062-000 1234 5678',
      numberPrefix: 'ACME',
      paymentTermsDays: 14,
    })
    .expect(200);
  await http.put('/api/v1/reseller-billing/fee', finance, { resellerId: reseller.id, feePercent: '2.5' }).expect(200);
  const rule = (body: object) => http.post('/api/v1/price-rules', rAdmin, { effectiveFrom: '2026-01-01', ...body }).expect(201);
  await rule({ productKind: 'HARDWARE', markupPercent: '20' });
  await rule({ productKind: 'CLOUD', vendor: 'Microsoft', markupPercent: '10' });
  await rule({ endCustomerId: beta, sku: hw.sku, fixedPrice: '130.00', currency: 'AUD' });
  return { reseller, rAdmin, rFinance, hw, cl, alpha, beta, profile: profile.body };
}

/** An order for an end customer of the reseller, its hardware line shipped on `shippedOn`. */
export async function orderShipped(
  t: TestApp,
  admin: string,
  resellerId: string,
  endCustomerId: string,
  lines: object[],
  shippedOn: string,
) {
  const http = client(t);
  const res = await http.post('/api/v1/orders', admin, { resellerId, endCustomerId, lines }).expect(201);
  const hwLine = res.body.lines.find((l: { kind: string }) => l.kind === 'HARDWARE');
  await http.post(`/api/v1/orders/${res.body.id}/lines/${hwLine.id}/ship`, admin, { shippedOn }).expect(200);
}
