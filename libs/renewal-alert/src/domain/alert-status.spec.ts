import { ALERT_STATUSES, canTransition, isFinal } from './alert-status';

describe('renewal alert status workflow', () => {
  it('allows OPEN → CONTACTED/WON/LOST/DISMISSED and CONTACTED → WON/LOST/DISMISSED', () => {
    expect(canTransition('OPEN', 'CONTACTED')).toBe(true);
    for (const end of ['WON', 'LOST', 'DISMISSED'] as const) expect(canTransition('OPEN', end)).toBe(true);
    for (const end of ['WON', 'LOST', 'DISMISSED'] as const) expect(canTransition('CONTACTED', end)).toBe(true);
  });

  it('refuses going back and leaving a final status', () => {
    expect(canTransition('CONTACTED', 'OPEN')).toBe(false);
    for (const end of ['WON', 'LOST', 'DISMISSED'] as const) {
      expect(isFinal(end)).toBe(true);
      for (const to of ALERT_STATUSES) expect(canTransition(end, to)).toBe(to === end);
    }
  });

  it('always allows staying in the same status (a note or an assignment)', () => {
    for (const s of ALERT_STATUSES) expect(canTransition(s, s)).toBe(true);
  });
});
