import { Dec } from '#disty/core';
import { holdDue, normaliseThresholds, reachedThresholds } from './thresholds';

describe('credit exposure thresholds', () => {
  const pct = [new Dec(80), new Dec(100)];
  it('reaches a threshold at exactly its share of the limit', () => {
    expect(reachedThresholds(new Dec('1000'), new Dec('799.99'), pct)).toEqual([]);
    expect(reachedThresholds(new Dec('1000'), new Dec('800'), pct).map(String)).toEqual(['80']);
    expect(reachedThresholds(new Dec('1000'), new Dec('1000'), pct).map(String)).toEqual(['80', '100']);
  });
  it('holds at the limit, and a zero limit at any exposure', () => {
    expect(holdDue(new Dec('1000'), new Dec('999.99'))).toBe(false);
    expect(holdDue(new Dec('1000'), new Dec('1000'))).toBe(true);
    expect(holdDue(new Dec(0), new Dec(0))).toBe(false);
    expect(holdDue(new Dec(0), new Dec('0.01'))).toBe(true);
  });
  it('normalises thresholds and refuses bad ones', () => {
    expect(normaliseThresholds(['100', '50', '50'])!.map(String)).toEqual(['50', '100']);
    expect(normaliseThresholds(['0'])).toBeNull();
    expect(normaliseThresholds(['abc'])).toBeNull();
    expect(normaliseThresholds([])).toBeNull();
  });
});
