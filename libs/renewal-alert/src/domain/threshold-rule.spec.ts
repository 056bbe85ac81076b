import fc from 'fast-check';
import { dueThreshold, parseThresholds, scanRanges, thresholdToRaise, thresholdWindows } from './threshold-rule';

/** Replays scans at the given days-left values against one term, as the scan would. */
function walk(thresholds: number[], daysLeftSeq: number[]): number[] {
  const raised: number[] = [];
  for (const d of daysLeftSeq) {
    const t = thresholdToRaise(d, thresholds, raised);
    if (t !== null) raised.push(t);
  }
  return raised;
}

const thresholdSets = fc
  .uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 6 })
  .map((a) => [...a].sort((x, y) => x - y));

describe('renewal threshold rule', () => {
  it('picks the smallest threshold at or above daysLeft, none for ended or far-away terms', () => {
    const t = [30, 60, 90];
    expect(dueThreshold(100, t)).toBeNull();
    expect(dueThreshold(91, t)).toBeNull();
    expect(dueThreshold(90, t)).toBe(90);
    expect(dueThreshold(61, t)).toBe(90);
    expect(dueThreshold(60, t)).toBe(60);
    expect(dueThreshold(45, t)).toBe(60);
    expect(dueThreshold(30, t)).toBe(30);
    expect(dueThreshold(0, t)).toBe(30);
    expect(dueThreshold(-1, t)).toBeNull();
  });

  it('walks a term from 100 days to 0 raising 90, 60 and 30 once each', () => {
    expect(
      walk(
        [30, 60, 90],
        Array.from({ length: 101 }, (_, i) => 100 - i),
      ),
    ).toEqual([90, 60, 30]);
  });

  it('gives a term first seen at 45 days its 60-day alert, then its 30-day one, never the 90', () => {
    expect(
      walk(
        [30, 60, 90],
        Array.from({ length: 46 }, (_, i) => 45 - i),
      ),
    ).toEqual([60, 30]);
  });

  it('never raises a larger threshold after a smaller one, and each threshold at most once, for any sequence of scan dates', () => {
    fc.assert(
      fc.property(thresholdSets, fc.array(fc.integer({ min: -30, max: 500 }), { maxLength: 200 }), (thresholds, seq) => {
        const raised = walk(thresholds, seq);
        for (let i = 1; i < raised.length; i++) expect(raised[i]).toBeLessThan(raised[i - 1]);
        expect(new Set(raised).size).toBe(raised.length);
        expect(raised.every((r) => thresholds.includes(r))).toBe(true);
      }),
    );
  });

  it('raises the due threshold and every smaller one when a term is scanned every day down to its end', () => {
    fc.assert(
      fc.property(thresholdSets, fc.integer({ min: 0, max: 500 }), (thresholds, start) => {
        const raised = walk(
          thresholds,
          Array.from({ length: start + 1 }, (_, i) => start - i),
        );
        // First seen above every threshold: all of them; otherwise the due one and those below it.
        const top = dueThreshold(start, thresholds) ?? Math.max(...thresholds);
        const expected = thresholds.filter((t) => t <= top).sort((a, b) => b - a);
        expect(raised).toEqual(expected);
      }),
    );
  });

  it('re-running a scan for the same date raises nothing more', () => {
    fc.assert(
      fc.property(thresholdSets, fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 50 }), (thresholds, seq) => {
        const once = walk(thresholds, seq);
        const twice = walk(
          thresholds,
          seq.flatMap((d) => [d, d]),
        );
        expect(twice).toEqual(once);
      }),
    );
  });

  it('windows partition 0..largest threshold so each days-left value falls in the window of its due threshold', () => {
    fc.assert(
      fc.property(thresholdSets, fc.integer({ min: 0, max: 400 }), (thresholds, d) => {
        const windows = thresholdWindows(thresholds);
        // The SQL: thresholds[width_bucket(d, minDays)] for d within the largest threshold.
        let bucket = 0;
        for (const w of windows) if (d >= w.minDays) bucket++;
        const viaBucket = d <= Math.max(...thresholds) ? windows[bucket - 1].threshold : null;
        expect(viaBucket).toBe(dueThreshold(d, thresholds));
      }),
    );
  });

  it('parses RENEWAL_THRESHOLDS and refuses bad values naming the variable', () => {
    expect(parseThresholds('90,60,30')).toEqual([30, 60, 90]);
    expect(parseThresholds(' 7 , 14 ')).toEqual([7, 14]);
    expect(parseThresholds(undefined)).toEqual([30, 60, 90]);
    expect(() => parseThresholds('90,,30')).toThrow(/RENEWAL_THRESHOLDS/);
    expect(() => parseThresholds('0,30')).toThrow(/RENEWAL_THRESHOLDS/);
    expect(() => parseThresholds('30,30')).toThrow(/distinct/);
  });
});

describe('scanRanges', () => {
  it('splits 0..90 into two halves', () => {
    expect(scanRanges(90, 2)).toEqual([
      { from: 0, to: 44 },
      { from: 45, to: 90 },
    ]);
  });

  it('is the whole window for one part, and never more ranges than days', () => {
    expect(scanRanges(90, 1)).toEqual([{ from: 0, to: 90 }]);
    expect(scanRanges(1, 8)).toEqual([
      { from: 0, to: 0 },
      { from: 1, to: 1 },
    ]);
  });

  it('covers every day from 0 to the largest threshold exactly once, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3650 }), fc.integer({ min: 1, max: 16 }), (largest, parts) => {
        const ranges = scanRanges(largest, parts);
        expect(ranges.length).toBe(Math.min(parts, largest + 1));
        expect(ranges[0].from).toBe(0);
        expect(ranges[ranges.length - 1].to).toBe(largest);
        ranges.forEach((r, i) => {
          expect(r.to).toBeGreaterThanOrEqual(r.from);
          if (i > 0) expect(r.from).toBe(ranges[i - 1].to + 1);
        });
      }),
    );
  });
});
