import fc from 'fast-check';
import { Dec } from '#disty/core';
import { margin, PriceRule, ruleFor, sellNet, taxTreatment } from './pricing';
import { divideSettlement } from './settlement-math';

const rule = (r: Partial<PriceRule>): PriceRule => ({
  id: r.id ?? 'r',
  endCustomerId: null,
  productKind: null,
  vendor: null,
  sku: null,
  markupPercent: null,
  fixedPrice: null,
  currency: null,
  effectiveFrom: '2026-01-01',
  effectiveTo: null,
  ...r,
});
const product = { sku: 'HW-1', kind: 'HARDWARE' as const, vendor: 'Dell' };
const cents = fc.integer({ min: 0, max: 10_000_000 }).map((c) => new Dec(c).dividedBy(100));

describe('price rules', () => {
  const rules = [
    rule({ id: 'default', markupPercent: new Dec(10) }),
    rule({ id: 'kind', productKind: 'HARDWARE', markupPercent: new Dec(20) }),
    rule({ id: 'vendor', productKind: 'HARDWARE', vendor: 'dell', markupPercent: new Dec(25) }),
    rule({ id: 'sku', sku: 'HW-1', markupPercent: new Dec(30) }),
    rule({ id: 'customer', endCustomerId: 'c1', markupPercent: new Dec(5) }),
    rule({
      id: 'customer-sku',
      endCustomerId: 'c1',
      sku: 'HW-1',
      fixedPrice: new Dec('130'),
      currency: 'AUD',
    }),
  ];

  it('picks the most specific rule in force: an end customer’s SKU over its own, a SKU over a vendor, a vendor over a kind', () => {
    expect(ruleFor(rules, product, 'c1', '2026-06-01', 'AUD')?.id).toBe('customer-sku');
    expect(ruleFor(rules, product, 'c2', '2026-06-01', 'AUD')?.id).toBe('sku');
    expect(ruleFor(rules, { ...product, sku: 'HW-2' }, 'c2', '2026-06-01', 'AUD')?.id).toBe('vendor');
    expect(ruleFor(rules, { sku: 'HW-3', kind: 'HARDWARE', vendor: 'HP' }, 'c2', '2026-06-01', 'AUD')?.id).toBe('kind');
    expect(ruleFor(rules, { sku: 'CL-1', kind: 'CLOUD', vendor: 'Microsoft' }, 'c2', '2026-06-01', 'AUD')?.id).toBe('default');
  });

  it('ignores a fixed price in another currency and rules not yet or no longer in force', () => {
    expect(ruleFor(rules, product, 'c1', '2026-06-01', 'NZD')?.id).toBe('customer');
    const dated = [
      rule({ id: 'old', markupPercent: new Dec(1), effectiveTo: '2026-03-01' }),
      rule({ id: 'new', markupPercent: new Dec(2), effectiveFrom: '2026-03-01' }),
    ];
    expect(ruleFor(dated, product, 'c', '2026-02-28', 'AUD')?.id).toBe('old');
    expect(ruleFor(dated, product, 'c', '2026-03-01', 'AUD')?.id).toBe('new');
    expect(ruleFor(dated, product, 'c', '2025-12-31', 'AUD')).toBeNull();
  });

  it('prices at cost without a rule, by markup, and a fixed unit price scaled like the list price', () => {
    expect(sellNet(new Dec('200'), null, { quantity: 2, listUnitPrice: new Dec(100) }, 'AUD').toFixed(2)).toBe('200.00');
    expect(sellNet(new Dec('200'), rules[1], { quantity: 2, listUnitPrice: new Dec(100) }, 'AUD').toFixed(2)).toBe('240.00');
    expect(sellNet(new Dec('200'), rules[5], { quantity: 2, listUnitPrice: new Dec(100) }, 'AUD').toFixed(2)).toBe('260.00');
    // A half-month proration of a 100.00 unit sells at half the fixed price.
    expect(sellNet(new Dec('50'), rules[5], { quantity: 1, listUnitPrice: new Dec(100) }, 'AUD').toFixed(2)).toBe('65.00');
    expect(sellNet(new Dec('0'), rules[5], { quantity: 3, listUnitPrice: null }, 'AUD').toFixed(2)).toBe('390.00');
  });

  it('a markup never sells below cost, rounds once to cents, and the margin is exactly sell − cost', () => {
    fc.assert(
      fc.property(
        cents,
        fc.integer({ min: 0, max: 50_000 }).map((b) => new Dec(b).dividedBy(100)),
        (cost, markup) => {
          const sell = sellNet(cost, rule({ markupPercent: markup }), { quantity: 1, listUnitPrice: null }, 'AUD');
          expect(sell.gte(cost)).toBe(true);
          expect(sell.decimalPlaces()).toBeLessThanOrEqual(2);
          expect(
            sell
              .minus(cost.times(markup.plus(100)).dividedBy(100))
              .abs()
              .lte('0.005'),
          ).toBe(true);
          expect(margin(sell, cost).amount.plus(cost).eq(sell)).toBe(true);
        },
      ),
    );
  });

  it('taxes at home, not abroad (reverse charge when the customer is registered)', () => {
    expect(taxTreatment('AU', { country: 'AU', taxId: null })).toBe('DOMESTIC');
    expect(taxTreatment('AU', { country: null, taxId: null })).toBe('DOMESTIC');
    expect(taxTreatment('AU', { country: 'NZ', taxId: null })).toBe('EXPORT');
    expect(taxTreatment('AU', { country: 'NZ', taxId: 'NZ123' })).toBe('REVERSE_CHARGE');
  });
});

describe('settlement division', () => {
  it('fee + netted + paid out = collected, each ≥ 0, netted at most what is due', () => {
    fc.assert(
      fc.property(
        cents,
        fc.integer({ min: 0, max: 10_000 }).map((b) => new Dec(b).dividedBy(100)),
        cents,
        (collected, pct, due) => {
          const { fee, netted, paidOut } = divideSettlement(collected, pct, due, 'AUD');
          expect(fee.plus(netted).plus(paidOut).eq(collected)).toBe(true);
          for (const x of [fee, netted, paidOut]) expect(x.gte(0)).toBe(true);
          expect(netted.lte(due)).toBe(true);
          expect(fee.decimalPlaces()).toBeLessThanOrEqual(2);
        },
      ),
    );
  });
});
