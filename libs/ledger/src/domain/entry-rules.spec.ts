import fc from 'fast-check';
import { Dec } from '#disty/core';
import { checkEntry, mirrorLines } from './entry-rules';

describe('double-entry rules', () => {
  it('accepts a balanced entry and orders its lines by account', () => {
    const { lines, problems } = checkEntry([
      { accountCode: '4000', currency: 'AUD', credit: '100.00' },
      { accountCode: '1100', currency: 'AUD', debit: '110.00' },
      { accountCode: '2100', currency: 'AUD', credit: '10.00' },
    ]);
    expect(problems).toEqual([]);
    expect(lines.map((l) => l.accountCode)).toEqual(['1100', '2100', '4000']);
  });

  it('refuses an unbalanced entry, naming the currency', () => {
    const { problems } = checkEntry([
      { accountCode: '1000', currency: 'AUD', debit: '10' },
      { accountCode: '4000', currency: 'AUD', credit: '9.99' },
    ]);
    expect(problems).toEqual([expect.objectContaining({ kind: 'unbalanced', currency: 'AUD' })]);
  });

  it('balances per currency, not across currencies', () => {
    const { problems } = checkEntry([
      { accountCode: '1000', currency: 'AUD', debit: '10' },
      { accountCode: '4000', currency: 'USD', credit: '10' },
    ]);
    expect(problems.filter((p) => p.kind === 'unbalanced')).toHaveLength(2);
  });

  it('refuses a line with both or neither side, and a single line', () => {
    expect(checkEntry([{ accountCode: '1000', currency: 'AUD', debit: '1', credit: '1' }]).problems.map((p) => p.kind)).toEqual([
      'too-few-lines',
      'one-side',
    ]);
    expect(
      checkEntry([
        { accountCode: '1000', currency: 'AUD', debit: '0' },
        { accountCode: '4000', currency: 'AUD', credit: '0' },
      ]).problems.map((p) => p.kind),
    ).toEqual(['one-side', 'one-side']);
  });

  it('a mirror of any balanced entry is balanced and cancels it (property)', () => {
    const amount = fc.integer({ min: 1, max: 10_000_000 }).map((c) => new Dec(c).div(100));
    fc.assert(
      fc.property(fc.array(amount, { minLength: 1, maxLength: 6 }), (amounts) => {
        const total = amounts.reduce((a, b) => a.plus(b), new Dec(0));
        const entry = [
          ...amounts.map((a, i) => ({ accountCode: `40${i}`, currency: 'AUD' as const, credit: a })),
          { accountCode: '1100', currency: 'AUD' as const, debit: total },
        ];
        const { lines, problems } = checkEntry(entry);
        expect(problems).toEqual([]);
        const mirror = mirrorLines(lines);
        expect(checkEntry(mirror).problems).toEqual([]);
        const net = [...lines, ...mirror].reduce((s, l) => s.plus(l.debit).minus(l.credit), new Dec(0));
        expect(net.isZero()).toBe(true);
      }),
    );
  });
});
