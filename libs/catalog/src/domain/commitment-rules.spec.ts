import { commitmentProblems, windowClosesAt } from './commitment-rules';

describe('commitment rules', () => {
  it('closes the window windowHours after the latest anchor; no window without hours or anchors', () => {
    const a = new Date('2026-06-01T00:00:00Z');
    const b = new Date('2026-06-12T09:30:00Z');
    expect(windowClosesAt(168, [b, a])?.toISOString()).toBe('2026-06-19T09:30:00.000Z');
    expect(windowClosesAt(0, [a])?.toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(windowClosesAt(null, [a])).toBeNull();
    expect(windowClosesAt(168, [])).toBeNull();
  });

  it('names the term and the billing frequency a pack does not allow; hardware (no term) passes', () => {
    const pack = { code: 'X', allowedTerms: ['P1Y' as const], allowedBillingFrequencies: ['ANNUAL' as const] };
    expect(commitmentProblems(pack, { term: 'P1M', billingFrequency: 'MONTHLY' }).map((e) => e.field)).toEqual(['term', 'billingFrequency']);
    expect(commitmentProblems(pack, { term: 'P1Y', billingFrequency: 'ANNUAL' })).toEqual([]);
    expect(commitmentProblems(pack, { term: null, billingFrequency: null })).toEqual([]);
  });
});
