import { Dec } from '#disty/core';
import { daysElapsed, daysInMonth, runRateForecast } from './forecast';

describe('run-rate forecast', () => {
  it('extrapolates month to date over the days the usage covers', () => {
    expect(runRateForecast(new Dec('200'), 20, 30).toFixed()).toBe('300');
    expect(runRateForecast(new Dec('100'), 3, 31).toFixed(4)).toBe('1033.3333');
    expect(runRateForecast(new Dec('5'), 0, 30).toFixed()).toBe('5');
  });
  it('counts a past month whole, the current one to its latest usage day, a future one not at all', () => {
    expect(daysInMonth('2028-02')).toBe(29);
    expect(daysElapsed('2026-10', '2026-11-21', '2026-10-12')).toBe(31);
    expect(daysElapsed('2026-11', '2026-11-21', '2026-11-20')).toBe(20);
    expect(daysElapsed('2026-11', '2026-11-21', null)).toBe(0);
    expect(daysElapsed('2026-12', '2026-11-21', null)).toBe(0);
  });
});
