import { lineProblem } from './line-checks';

const line = (over: Partial<Parameters<typeof lineProblem>[0]> = {}) => ({
  recordId: 'r1', recordVersion: '1', usageDate: '2026-10-14', quantity: '24.5', unitCost: '0.07', currency: 'aud', error: null, ...over,
});
const reason = (over: Parameters<typeof line>[0], closed = false) => lineProblem(line(over), '2026-11-05', () => closed)?.reason ?? null;

describe('a usage line’s own checks', () => {
  it('accepts a well-formed line', () => expect(reason({})).toBeNull());
  it('names the first failing check', () => {
    expect(reason({ error: 'malformed JSON line', recordId: null })).toBe('malformed');
    expect(reason({ recordId: null })).toBe('missing-record-id');
    expect(reason({ recordVersion: '0' })).toBe('bad-version');
    expect(reason({ usageDate: '2026-02-30' })).toBe('bad-date');
    expect(reason({ usageDate: '2026-11-06' })).toBe('future-date');
    expect(reason({}, true)).toBe('closed-month');
    expect(reason({ quantity: '1,5' })).toBe('bad-quantity');
    expect(reason({ quantity: '-1' })).toBe('bad-quantity');
    expect(reason({ unitCost: 'abc' })).toBe('bad-unit-cost');
    expect(reason({ currency: 'XXX' })).toBe('bad-currency');
  });
});
