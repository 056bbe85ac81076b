import { EntityManager } from 'typeorm';
import { Clock } from '#disty/core';
import { LedgerService } from '#disty/ledger';
import { ChangeDatePolicy } from './change-date.policy';

describe('ChangeDatePolicy', () => {
  const clock = { today: () => '2026-06-15' } as Clock;
  const closed = new Set<string>(['2026-03']);
  const ledger = {
    closedPeriodSince: async (date: string) =>
      [...closed]
        .filter((p) => p >= date.slice(0, 7))
        .sort()
        .pop() ?? null,
  } as unknown as LedgerService;
  const policy = new ChangeDatePolicy(clock, ledger);
  const em = {} as EntityManager;

  it('takes a missing or same-day asOf as today and a later one as scheduled, for anyone', async () => {
    await expect(policy.classify(em, undefined, 'RESELLER', undefined)).resolves.toEqual({
      kind: 'TODAY',
      date: '2026-06-15',
    });
    await expect(policy.classify(em, '2026-06-15', 'RESELLER', undefined)).resolves.toEqual({
      kind: 'TODAY',
      date: '2026-06-15',
    });
    await expect(policy.classify(em, '2027-01-01', 'RESELLER', undefined)).resolves.toEqual({
      kind: 'SCHEDULED',
      date: '2027-01-01',
    });
  });

  it('refuses back-dating by reseller users, reason or not', async () => {
    await expect(policy.classify(em, '2026-06-14', 'RESELLER', 'because')).rejects.toMatchObject({
      status: 422,
      slug: 'backdating-not-allowed',
    });
  });

  it('lets distributor staff back-date only with a reason and only into open months', async () => {
    await expect(policy.classify(em, '2026-05-01', 'DISTRIBUTOR', undefined)).rejects.toMatchObject({
      status: 400,
    });
    await expect(policy.classify(em, '2026-05-01', 'DISTRIBUTOR', '  ')).rejects.toMatchObject({
      status: 400,
    });
    await expect(policy.classify(em, '2026-04-01', 'DISTRIBUTOR', 'late notice')).resolves.toEqual({
      kind: 'BACKDATED',
      date: '2026-04-01',
      reason: 'late notice',
    });
    await expect(policy.classify(em, '2026-03-31', 'DISTRIBUTOR', 'late notice')).rejects.toMatchObject({
      status: 422,
      slug: 'period-closed',
    });
    await expect(policy.classify(em, '2026-01-10', 'DISTRIBUTOR', 'late notice')).rejects.toMatchObject({
      status: 422,
      slug: 'period-closed',
    });
  });

  it('lets a reseller start from today to a year ahead, and distributor staff also in open past months', async () => {
    await expect(policy.checkStartDate(em, '2026-06-15', 'RESELLER', 'f')).resolves.toBeUndefined();
    await expect(policy.checkStartDate(em, '2027-06-15', 'RESELLER', 'f')).resolves.toBeUndefined();
    for (const d of ['2026-06-14', '2027-06-16', '1900-01-01', '0001-01-01']) {
      await expect(policy.checkStartDate(em, d, 'RESELLER', 'f')).rejects.toMatchObject({
        status: 422,
        slug: 'start-date-out-of-range',
        errors: [{ field: 'f' }],
      });
    }
    await expect(policy.checkStartDate(em, '2026-04-01', 'DISTRIBUTOR', 'f')).resolves.toBeUndefined();
    await expect(policy.checkStartDate(em, '2026-03-01', 'DISTRIBUTOR', 'f')).rejects.toMatchObject({
      slug: 'period-closed',
    });
  });
});
