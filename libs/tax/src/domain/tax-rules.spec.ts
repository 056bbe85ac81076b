import { codeFitsBuyer, inForce, pickRule } from './tax-rules';

const rules = [
  { id: 'au', taxCategory: 'STANDARD', buyerCountry: 'AU', buyerRegistered: null },
  { id: 'nz', taxCategory: 'STANDARD', buyerCountry: 'NZ', buyerRegistered: null },
  { id: 'eu-rc', taxCategory: 'STANDARD', buyerCountry: 'EU', buyerRegistered: true },
  { id: 'export', taxCategory: 'STANDARD', buyerCountry: '*', buyerRegistered: null },
  { id: 'exempt', taxCategory: 'EXEMPT', buyerCountry: '*', buyerRegistered: null },
];

describe('pickRule', () => {
  it.each([
    ['STANDARD', 'AU', false, 'au'],
    ['STANDARD', 'AU', true, 'au'],
    ['STANDARD', 'NZ', true, 'nz'],
    ['STANDARD', 'DE', true, 'eu-rc'],
    ['STANDARD', 'DE', false, 'export'],
    ['STANDARD', 'US', true, 'export'],
    ['EXEMPT', 'AU', false, 'exempt'],
  ])('chooses for %s sold to %s (registered %s) the rule %s', (category, country, registered, id) => {
    expect(pickRule(rules, category, { country, registered })?.id).toBe(id);
  });

  it('finds nothing for a category without rules', () => {
    expect(pickRule(rules, 'ZERO_RATED', { country: 'AU', registered: false })).toBeNull();
  });

  it('prefers a stated registration over either at the same country', () => {
    const both = [...rules, { id: 'au-reg', taxCategory: 'STANDARD', buyerCountry: 'AU', buyerRegistered: true }];
    expect(pickRule(both, 'STANDARD', { country: 'AU', registered: true })?.id).toBe('au-reg');
    expect(pickRule(both, 'STANDARD', { country: 'AU', registered: false })?.id).toBe('au');
  });
});

describe('codeFitsBuyer', () => {
  it('keeps a standard code inside its jurisdiction', () => {
    expect(codeFitsBuyer({ jurisdiction: 'AU', kind: 'STANDARD' }, 'AU', 'AU')).toBe(true);
    expect(codeFitsBuyer({ jurisdiction: 'AU', kind: 'STANDARD' }, 'NZ', 'AU')).toBe(false);
    expect(codeFitsBuyer({ jurisdiction: 'AU', kind: 'STANDARD' }, '*', 'AU')).toBe(false);
  });
  it('lets an EU code serve the EU and its members only', () => {
    expect(codeFitsBuyer({ jurisdiction: 'EU', kind: 'REVERSE_CHARGE' }, 'EU', 'AU')).toBe(true);
    expect(codeFitsBuyer({ jurisdiction: 'EU', kind: 'REVERSE_CHARGE' }, 'FR', 'AU')).toBe(true);
    expect(codeFitsBuyer({ jurisdiction: 'EU', kind: 'REVERSE_CHARGE' }, 'US', 'AU')).toBe(false);
  });
  it("lets the seller's zero-rated and exempt codes serve any buyer", () => {
    expect(codeFitsBuyer({ jurisdiction: 'AU', kind: 'ZERO' }, '*', 'AU')).toBe(true);
    expect(codeFitsBuyer({ jurisdiction: 'AU', kind: 'EXEMPT' }, 'US', 'AU')).toBe(true);
    expect(codeFitsBuyer({ jurisdiction: 'NZ', kind: 'ZERO' }, 'US', 'AU')).toBe(false);
  });
});

describe('inForce', () => {
  it('counts both ends of the validity', () => {
    const c = { validFrom: '2026-01-01', validTo: '2026-06-30' };
    expect([inForce(c, '2025-12-31'), inForce(c, '2026-01-01'), inForce(c, '2026-06-30'), inForce(c, '2026-07-01')]).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect(inForce({ validFrom: '2026-01-01', validTo: null }, '2099-01-01')).toBe(true);
  });
});
