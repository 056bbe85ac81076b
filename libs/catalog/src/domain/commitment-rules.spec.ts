import { Dec } from '#disty/core';
import { commitmentProblems, termListPrice } from './commitment-rules';

describe('commitment rules', () => {
  it('prices a month-to-month term of a product listed on a longer term with the pack uplift, rounded once', () => {
    const listed = new Dec('10.01');
    expect(termListPrice(listed, 'AUD', 'P1Y', 'P1M', '20').toFixed()).toBe('12.01'); // 12.012 → 12.01
    expect(termListPrice(listed, 'JPY', 'P1Y', 'P1M', '20').toFixed()).toBe('12');
    expect(termListPrice(listed, 'AUD', 'P1Y', 'P1Y', '20')).toBe(listed);
    expect(termListPrice(listed, 'AUD', 'P1M', 'P1M', '20')).toBe(listed);
    expect(termListPrice(listed, 'AUD', 'P3Y', 'P1M', '0')).toBe(listed);
  });

  it('names the term and the billing frequency a pack does not allow; hardware (no term) passes', () => {
    const pack = {
      code: 'X',
      allowedTerms: ['P1Y' as const],
      allowedBillingFrequencies: ['ANNUAL' as const],
    };
    expect(commitmentProblems(pack, { term: 'P1M', billingFrequency: 'MONTHLY' }).map((e) => e.field)).toEqual([
      'term',
      'billingFrequency',
    ]);
    expect(commitmentProblems(pack, { term: 'P1Y', billingFrequency: 'ANNUAL' })).toEqual([]);
    expect(commitmentProblems(pack, { term: null, billingFrequency: null })).toEqual([]);
  });
});
