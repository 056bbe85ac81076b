import type { TestApp } from './app';

/** A usage record as a vendor's daily file lists it (docs/consumption.md, "File format"). */
export interface UsageLine {
  recordId: string;
  version?: number;
  tenantId: string;
  meterId: string;
  usageDate: string;
  quantity: string;
  unit?: string;
  unitCost?: string;
  currency?: string;
}

const HEADER = 'RecordId,RecordVersion,TenantId,MeterId,UsageDate,Quantity,Unit,VendorUnitCost,Currency';

/** The lines as a CSV file with the documented header. */
export function usageCsv(lines: UsageLine[]): string {
  return (
    [
      HEADER,
      ...lines.map((l) =>
        [
          l.recordId,
          l.version ?? 1,
          l.tenantId,
          l.meterId,
          l.usageDate,
          l.quantity,
          l.unit ?? '',
          l.unitCost ?? '',
          l.currency ?? 'AUD',
        ].join(','),
      ),
    ].join('\n') + '\n'
  );
}

/** The lines as JSON lines. */
export function usageJsonl(lines: UsageLine[]): string {
  return lines.map((l) => JSON.stringify({ ...l, version: l.version ?? 1 })).join('\n') + '\n';
}

/** POST /usage/imports with a CSV (or JSON-lines) body; the response. */
export function importUsage(t: TestApp, auth: string, vendorId: string, body: string, type = 'text/csv') {
  return t.http().post('/api/v1/usage/imports').query({ vendorId }).set('Authorization', auth).set('Content-Type', type).send(body);
}

/** A vendor, a consumption product with a flat meter (VM hours) and a tiered one (storage GB), in AUD. */
export async function consumptionCatalog(t: TestApp, admin: string, tag: string) {
  const vendor = (
    await t
      .http()
      .post('/api/v1/vendors')
      .set('Authorization', admin)
      .send({ name: `Cloud vendor ${tag}` })
      .expect(201)
  ).body as { id: string; name: string };
  const product = await t
    .http()
    .post('/api/v1/catalog/consumption-products')
    .set('Authorization', admin)
    .send({
      sku: `PLAN-${tag}`,
      name: `Cloud plan ${tag}`,
      vendorId: vendor.id,
      meters: [
        {
          meterId: `VM-${tag}`,
          name: 'VM hours',
          unit: 'hour',
          prices: [{ currency: 'AUD', unitPrice: '0.10', costPrice: '0.07' }],
        },
        {
          meterId: `GB-${tag}`,
          name: 'Storage GB',
          unit: 'GB',
          prices: [
            {
              currency: 'AUD',
              tiers: [
                { upTo: '1000', unitPrice: '0.02' },
                { upTo: null, unitPrice: '0.01' },
              ],
              costPrice: '0.005',
            },
          ],
        },
      ],
    });
  if (product.status !== 201) throw new Error(`consumption product: ${product.status} ${JSON.stringify(product.body)}`);
  return { vendor, sku: product.body.sku as string, vm: `VM-${tag}`, gb: `GB-${tag}` };
}

/** An end customer of the reseller and its consumption subscription for `tenantId`. */
export async function consumptionSubscription(t: TestApp, admin: string, resellerId: string, sku: string, tenantId: string) {
  const customer = (
    await t
      .http()
      .post('/api/v1/end-customers')
      .set('Authorization', admin)
      .send({ name: `Customer ${tenantId}`, resellerId })
      .expect(201)
  ).body;
  const res = await t
    .http()
    .post('/api/v1/consumption-subscriptions')
    .set('Authorization', admin)
    .send({ resellerId, endCustomerId: customer.id, sku, tenantId });
  if (res.status !== 201) throw new Error(`consumption subscription: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; tenantId: string; currency: string };
}

/** October 2026 day by day (YYYY-MM-DD). */
export const octoberDays = () => Array.from({ length: 31 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')}`);

/** A month of daily usage for a tenant: 24 VM hours and 60 GB of storage a day (storage crosses its 1000 GB tier on the 17th). */
export function monthOfUsage(tenantId: string, vm: string, gb: string): UsageLine[] {
  return octoberDays().flatMap((d) => [
    {
      recordId: `${tenantId}-${d}-vm`,
      tenantId,
      meterId: vm,
      usageDate: d,
      quantity: '24',
      unit: 'hour',
      unitCost: '0.07',
    },
    {
      recordId: `${tenantId}-${d}-gb`,
      tenantId,
      meterId: gb,
      usageDate: d,
      quantity: '60',
      unit: 'GB',
      unitCost: '0.005',
    },
  ]);
}

/** Σ debit − Σ credit of an account for a reseller, from the ledger's entries of source type `usage` and invoices. */
export async function accountBalance(t: TestApp, code: string, resellerId: string): Promise<string> {
  const [r]: Array<{ b: string }> = await t.db.query(
    `SELECT coalesce(sum(debit - credit), 0)::text AS b FROM journal_lines WHERE account_code = $1 AND reseller_id = $2`,
    [code, resellerId],
  );
  return r.b;
}
