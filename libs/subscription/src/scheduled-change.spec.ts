import { priceLocked } from './scheduled-change.service';

describe('priceLocked (docs/money-integrity.md, "Scheduled changes")', () => {
  it('locks annual and three-year terms whatever the billing frequency; a monthly term follows the catalog', () => {
    expect(priceLocked('P1Y', 'MONTHLY')).toBe(true);
    expect(priceLocked('P1Y', 'ANNUAL')).toBe(true);
    expect(priceLocked('P3Y', 'UPFRONT')).toBe(true);
    expect(priceLocked('P1M', 'MONTHLY')).toBe(false);
  });
});
