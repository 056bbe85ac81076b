import { Dec } from '#disty/core';
import { applicationDate, splitByApplicationDate } from './application-date';

describe('application dates', () => {
  it('dates an application the later of the invoice date and the receipt date', () => {
    expect(applicationDate('2026-11-23', '2026-11-25')).toBe('2026-11-25');
    expect(applicationDate('2026-11-23', '2026-11-21')).toBe('2026-11-23');
    expect(applicationDate('2026-11-23', '2026-11-23')).toBe('2026-11-23');
  });

  it('pays invoices issued by receivedOn at once and the later ones on their issue dates, in date order', () => {
    const t = (issueDate: string, amount: string) => ({
      invoice: { id: issueDate, issueDate },
      amount: new Dec(amount),
    });
    const { now, later } = splitByApplicationDate(
      [t('2026-11-01', '10'), t('2026-11-24', '5'), t('2026-11-22', '7'), t('2026-11-20', '3'), t('2026-11-24', '1')],
      '2026-11-20',
    );
    expect(now.map((x) => x.invoice.issueDate)).toEqual(['2026-11-01', '2026-11-20']);
    expect(later.map((g) => [g.date, g.targets.map((x) => x.amount.toFixed())])).toEqual([
      ['2026-11-22', ['7']],
      ['2026-11-24', ['5', '1']],
    ]);
  });
});
