import fc from 'fast-check';
import { Dec, roundMoney } from '#disty/core';
import { meterTiers, tieredAmount } from '#disty/catalog';
import type { TestApp } from './support/app';
import { startBillingTestApp } from './support/billing';
import {
  accountBalance,
  consumptionCatalog,
  consumptionSubscription,
  importUsage,
  monthOfUsage,
  UsageLine,
  usageCsv,
  usageJsonl,
} from './support/usage';

/**
 * Property (docs/consumption.md, "Rating"): however a month's usage (with corrections) is split
 * into files, in whatever order the files arrive and however often they are re-imported, the
 * rated total and the ledger balances come out the same, and equal to the reference rating.
 */
describe('usage rating property: split, order and re-import do not change the rated total or the books', () => {
  let t: TestApp;
  let admin: string;
  let finance: string;
  let close: () => Promise<void>;
  let f: typeof import('./factories/commerce.js');
  let cat: Awaited<ReturnType<typeof consumptionCatalog>>;

  beforeAll(async () => {
    const s = await startBillingTestApp('usageprop');
    ({ t, admin, finance, close, f } = s);
    t.clock.set('2026-11-05');
    cat = await consumptionCatalog(t, admin, f.uniq());
  });
  afterAll(() => close());

  /** The month of usage plus corrections (version 2) of some records, with varied quantities. */
  function dataset(tenantId: string, quantities: number[], corrected: number[]): UsageLine[] {
    const month = monthOfUsage(tenantId, cat.vm, cat.gb).map((l, i) => ({
      ...l,
      quantity: String(quantities[i % quantities.length]),
    }));
    const corrections = corrected.map((i) => ({
      ...month[i % month.length],
      version: 2,
      quantity: String(quantities[(i + 1) % quantities.length] + 7),
    }));
    return [...month, ...corrections];
  }

  /** The reference: latest versions, each record rated at its place in the month's volume (date, then record id), rounded per record. */
  function expectedNet(lines: UsageLine[]): Dec {
    const latest = new Map<string, UsageLine>();
    for (const l of lines) if ((latest.get(l.recordId)?.version ?? 0) < (l.version ?? 1)) latest.set(l.recordId, l);
    const tiers = new Map([
      [cat.vm, meterTiers({ unitPrice: '0.10' })],
      [
        cat.gb,
        meterTiers({
          tiers: [
            { upTo: '1000', unitPrice: '0.02' },
            { upTo: null, unitPrice: '0.01' },
          ],
        }),
      ],
    ]);
    const sorted = [...latest.values()].sort((a, b) =>
      a.usageDate === b.usageDate ? (a.recordId < b.recordId ? -1 : 1) : a.usageDate < b.usageDate ? -1 : 1,
    );
    const volume = new Map<string, Dec>();
    let total = new Dec(0);
    for (const l of sorted) {
      const before = volume.get(l.meterId) ?? new Dec(0);
      total = total.plus(roundMoney(tieredAmount(tiers.get(l.meterId)!, before, new Dec(l.quantity)), 'AUD'));
      volume.set(l.meterId, before.plus(l.quantity));
    }
    return total;
  }

  it('gives the same rated total and ledger balances for any split into files and any import order', async () => {
    const quantities = [24, 60, 13, 500, 7];
    const cases = fc.record({
      files: fc.integer({ min: 1, max: 4 }),
      seed: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 70, maxLength: 70 }),
      order: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
      corrected: fc.uniqueArray(fc.integer({ min: 0, max: 61 }), { maxLength: 4 }),
    });
    let reference: { net: string; cost: string } | null = null;
    await fc.assert(
      fc.asyncProperty(cases, async ({ files, seed, order, corrected }) => {
        const reseller = await f.createReseller(t);
        const tenant = `PROP-${f.uniq()}`;
        await consumptionSubscription(t, admin, reseller.id, cat.sku, tenant);
        const all = dataset(tenant, quantities, corrected);
        const parts: UsageLine[][] = Array.from({ length: files }, () => []);
        all.forEach((l, i) => parts[seed[i % seed.length] % files].push(l));
        // Every file at least once, in the drawn order, then the extra re-imports.
        const sequence = [...order.map((o) => o % files), ...parts.map((_, i) => i)].reverse();
        for (const [k, i] of sequence.entries()) {
          const body = k % 2 ? usageJsonl(parts[i]) : usageCsv(parts[i]);
          const res = await importUsage(t, finance, cat.vendor.id, body, k % 2 ? 'application/x-ndjson' : 'text/csv');
          expect(res.status).toBe(201);
          expect(res.body.rowsRejected).toBe(0);
        }
        const [rated]: Array<{ net: string; cost: string }> = await t.db.query(
          `SELECT sum(rated_net)::text AS net, sum(rated_cost)::text AS cost FROM usage_records WHERE reseller_id = $1 AND superseded_at IS NULL`,
          [reseller.id],
        );
        expect(new Dec(rated.net).eq(expectedNet(all))).toBe(true);
        expect(new Dec(await accountBalance(t, '1190', reseller.id)).eq(rated.net)).toBe(true);
        expect(new Dec(await accountBalance(t, '4100', reseller.id)).negated().eq(rated.net)).toBe(true);
        expect(new Dec(await accountBalance(t, '5100', reseller.id)).eq(rated.cost)).toBe(true);
        expect(new Dec(await accountBalance(t, '2050', reseller.id)).negated().eq(rated.cost)).toBe(true);
        if (!corrected.length) {
          reference ??= rated;
          expect(rated).toEqual(reference);
        }
      }),
      { numRuns: 12 },
    );
    const { LedgerService } = await import('#disty/ledger');
    const { ReconciliationService, verifyBooks } = await import('#disty/payments');
    expect(await verifyBooks(t.get(LedgerService), t.get(ReconciliationService))).toEqual([]);
  });
});
