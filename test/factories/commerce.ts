import { Dec, isCurrency, minorUnits } from '#disty/core';
import { ADMIN_TOKEN, bearer, TestApp } from '../support/app';

/** A suffix that keeps test data of parallel files and runs apart. */
export const uniq = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`.toUpperCase();

export interface ProductSpec {
  sku?: string;
  name?: string;
  vendor?: string;
  kind?: 'HARDWARE' | 'CLOUD';
  /** A price without costPrice gets one: 70 % of its unit price (cost prices are required for new prices). */
  prices?: Array<{ currency: string; unitPrice: string; costPrice?: string }>;
  warrantyMonths?: number;
  term?: 'P1M' | 'P1Y' | 'P3Y';
  billingFrequency?: 'MONTHLY' | 'ANNUAL' | 'UPFRONT';
  extendedWarrantySku?: string;
  taxCategory?: 'STANDARD' | 'ZERO_RATED' | 'EXEMPT';
}

/** Creates a product through the API (admin) and returns the response body. */
export async function createProduct(t: TestApp, spec: ProductSpec = {}) {
  const kind = spec.kind ?? 'HARDWARE';
  const body = {
    sku: spec.sku ?? `${kind === 'HARDWARE' ? 'HW' : 'CL'}-${uniq()}`,
    name: spec.name ?? `Test ${kind.toLowerCase()} product`,
    vendor: spec.vendor ?? 'Dell',
    kind,
    prices: (spec.prices ?? [{ currency: 'AUD', unitPrice: '100.00' }]).map((p) => ({
      ...p,
      costPrice: p.costPrice ?? defaultCost(p.unitPrice, p.currency),
    })),
    ...(spec.taxCategory ? { taxCategory: spec.taxCategory } : {}),
    ...(kind === 'HARDWARE'
      ? {
          warrantyMonths: spec.warrantyMonths ?? 12,
          ...(spec.extendedWarrantySku ? { extendedWarrantySku: spec.extendedWarrantySku } : {}),
        }
      : { term: spec.term ?? 'P1Y', billingFrequency: spec.billingFrequency ?? 'MONTHLY' }),
  };
  const res = await t.http().post('/api/v1/catalog/products').set(bearer(ADMIN_TOKEN)).send(body);
  if (res.status !== 201) throw new Error(`createProduct: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as {
    sku: string;
    kind: string;
    prices: Array<{ currency: string; unitPrice: string; costPrice?: string | null }>;
  };
}

/** 70 % of a unit price, to the currency's minor units (JPY none): the factory's default cost price. */
export function defaultCost(unitPrice: string, currency: string): string {
  const decimals = isCurrency(currency) ? minorUnits(currency) : 2;
  return new Dec(unitPrice).times('0.7').toDecimalPlaces(decimals).toFixed(decimals);
}

export interface ResellerSpec {
  name?: string;
  currency?: string;
  country?: string;
  taxId?: string;
  taxRegistered?: boolean;
  address?: string;
  paymentTermsDays?: number;
  hardwareLimit?: string;
  cloudLimit?: string;
}

/** Creates a reseller through the API (admin) with both credit lines. */
export async function createReseller(t: TestApp, spec: ResellerSpec = {}) {
  const res = await t
    .http()
    .post('/api/v1/resellers')
    .set(bearer(ADMIN_TOKEN))
    .send({
      name: spec.name ?? `Reseller ${uniq()}`,
      currency: spec.currency ?? 'AUD',
      country: spec.country ?? 'AU',
      ...(spec.taxId ? { taxId: spec.taxId } : {}),
      ...(spec.taxRegistered !== undefined ? { taxRegistered: spec.taxRegistered } : {}),
      ...(spec.address ? { address: spec.address } : {}),
      paymentTermsDays: spec.paymentTermsDays ?? 30,
      creditLimits: { HARDWARE: spec.hardwareLimit ?? '100000.00', CLOUD: spec.cloudLimit ?? '50000.00' },
    });
  if (res.status !== 201) throw new Error(`createReseller: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; currency: string; name: string };
}

/** The reseller's credit lines keyed by line. */
export async function creditLines(t: TestApp, resellerId: string) {
  const res = await t.http().get(`/api/v1/resellers/${resellerId}/credit-lines`).set(bearer(ADMIN_TOKEN)).expect(200);
  const items = res.body.items as Array<{
    line: string;
    limit: string;
    reserved: string;
    available: string;
    openReceivables: string;
    onHold: boolean;
  }>;
  return Object.fromEntries(items.map((i) => [i.line, i])) as Record<'HARDWARE' | 'CLOUD', (typeof items)[number]>;
}
