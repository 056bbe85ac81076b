import fc from 'fast-check';
import { Currency, Dec } from '#disty/core';
import { baseAmounts, baseDifference } from './base-amounts';
import { checkEntry, NormalisedLine } from './entry-rules';

const noCarrying = () => null;

describe('baseAmounts (docs/accounting.md §10)', () => {
  it('balances in base any balanced single-currency entry at any rate, every base amount on its line’s side and within a rounding of amount × rate (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 99_999_999 }).map((n) => new Dec(n).div(1_000_000)), // 0.000001 … 99.999999
        fc.constantFrom<Currency>('USD', 'JPY', 'NZD'),
        (debitCents, creditWeights, rate, currency) => {
          const scale = currency === 'JPY' ? 1 : 100;
          const total = debitCents.reduce((s, c) => s + c, 0);
          // Split the debit total across the credit lines by weight, every part at least one minor unit.
          const weightSum = creditWeights.reduce((s, w) => s + w, 0);
          const credits = creditWeights.map((w) => Math.floor((total * w) / weightSum));
          credits[0] += total - credits.reduce((s, c) => s + c, 0);
          fc.pre(credits.every((c) => c > 0));
          const lines = [
            ...debitCents.map((c) => ({ accountCode: '1100', currency, debit: new Dec(c).div(scale) })),
            ...credits.map((c) => ({ accountCode: '4000', currency, credit: new Dec(c).div(scale) })),
          ];
          const checked = checkEntry(lines);
          expect(checked.problems).toEqual([]);
          const { lines: based, differences } = baseAmounts(checked.lines, {
            rate: () => rate,
            carrying: noCarrying,
            baseMinorUnits: 2,
          });
          expect(differences).toEqual([]);
          expect(baseDifference(based).isZero()).toBe(true);
          for (const l of based) {
            expect(l.baseDebit.isNegative() || l.baseCredit.isNegative()).toBe(false);
            if (l.debit.gt(0)) expect(l.baseCredit.isZero()).toBe(true);
            if (l.credit.gt(0)) expect(l.baseDebit.isZero()).toBe(true);
            expect(l.baseDebit.decimalPlaces()).toBeLessThanOrEqual(2);
            expect(l.baseCredit.decimalPlaces()).toBeLessThanOrEqual(2);
          }
          // Every line but the one taking the remainder is exactly its rounded amount × rate.
          const exact = based.filter((l) => l.debit.plus(l.credit).times(rate).toDecimalPlaces(2).eq(l.baseDebit.plus(l.baseCredit)));
          expect(exact.length).toBeGreaterThanOrEqual(based.length - 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the remainder to the largest line on the short side', () => {
    // 3 × 0.01 USD at 1.5: each debit 0.015 → 0.02 (0.06); the credit 0.03 × 1.5 = 0.045 → 0.05: the credit takes 0.01 more.
    const { lines } = checkEntry([
      { accountCode: '1100', currency: 'USD', debit: '0.01' },
      { accountCode: '1110', currency: 'USD', debit: '0.01' },
      { accountCode: '1000', currency: 'USD', debit: '0.01' },
      { accountCode: '4000', currency: 'USD', credit: '0.03' },
    ]);
    const { lines: based } = baseAmounts(lines, {
      rate: () => new Dec('1.5'),
      carrying: noCarrying,
      baseMinorUnits: 2,
    });
    expect(based.map((l) => [l.accountCode, l.baseDebit.toFixed(2), l.baseCredit.toFixed(2)])).toEqual([
      ['1000', '0.02', '0.00'],
      ['1100', '0.02', '0.00'],
      ['1110', '0.02', '0.00'],
      ['4000', '0.00', '0.06'],
    ]);
  });

  it('values carrying lines at the account’s carrying ratio and puts the difference on a base-only FX line', () => {
    const { lines } = checkEntry([
      { accountCode: '1000', resellerId: 'r', currency: 'USD', debit: '100.00' },
      { accountCode: '1100', resellerId: 'r', currency: 'USD', credit: '100.00', baseAt: 'carrying' },
    ]);
    const carrying = (l: NormalisedLine) => (l.accountCode === '1100' ? new Dec('1.5') : null);
    const { lines: based, differences } = baseAmounts(lines, {
      rate: () => new Dec('1.4'),
      carrying,
      baseMinorUnits: 2,
      fxDifferenceAccount: '7100',
    });
    expect(based.map((l) => [l.accountCode, l.baseDebit.toFixed(2), l.baseCredit.toFixed(2)])).toEqual([
      ['1000', '140.00', '0.00'],
      ['1100', '0.00', '150.00'],
    ]);
    // A loss of 10.00: a base debit on 7100, no amount in USD.
    expect(differences).toEqual([
      expect.objectContaining({
        accountCode: '7100',
        resellerId: 'r',
        currency: 'USD',
        debit: new Dec(0),
        credit: new Dec(0),
        baseDebit: new Dec(10),
        baseCredit: new Dec(0),
      }),
    ]);
    expect(baseDifference([...based, ...differences]).isZero()).toBe(true);
  });

  it('keeps explicit base amounts and accepts a base-only line only with a base amount on one side', () => {
    const ok = checkEntry([
      { accountCode: '1100', currency: 'USD', baseDebit: '5.00' },
      { accountCode: '7150', currency: 'USD', baseCredit: '5.00' },
    ]);
    expect(ok.problems).toEqual([]);
    const { lines: based } = baseAmounts(ok.lines, {
      rate: () => new Dec(2),
      carrying: noCarrying,
      baseMinorUnits: 2,
    });
    expect(baseDifference(based).isZero()).toBe(true);
    const bad = checkEntry([
      { accountCode: '1100', currency: 'USD' },
      { accountCode: '7150', currency: 'USD', baseCredit: '5.00', baseDebit: '1.00' },
    ]);
    expect(bad.problems.map((p) => p.kind)).toEqual(['one-side', 'one-side']);
  });
});
