import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock, validationError } from '@disty/core';
import { ledgerError, LedgerErrorCode } from './errors';

/**
 * Closing months and listing the closed ones (owns `ledger_periods`' writes). What a posting date
 * becomes in a closed month (`postingDateFor`, `closedPeriodSince`) is read by other modules
 * through LedgerService.
 */
@Injectable()
export class LedgerPeriodService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Closes a month: nothing can post into it afterwards. Idempotent. */
  async closePeriod(period: string, closedBy: string | null) {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
      throw validationError('period must be YYYY-MM', [{ field: 'period', message: 'must be YYYY-MM' }]);
    }
    // Closing the running (or a later) month would refuse every posting dated today until it ends.
    const current = this.clock.today().slice(0, 7);
    if (period >= current) {
      throw ledgerError(LedgerErrorCode.PeriodNotEnded, `${period} has not ended yet (today is ${this.clock.today()}); close it from ${period === current ? 'next month' : 'the month after it'} on`, { period });
    }
    return this.db.transaction(async (em) => {
      // Waits for postings into that month that are in flight, and blocks new ones until commit.
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('disty:ledger-period:' || $1))`, [period]);
      await em.query(
        `INSERT INTO ledger_periods (period, closed_by) VALUES ($1, $2) ON CONFLICT (period) DO NOTHING`,
        [period, closedBy],
      );
      const [row] = await em.query(`SELECT period, closed_at FROM ledger_periods WHERE period = $1`, [period]);
      return { period: row.period as string, closed: true, closedAt: (row.closed_at as Date).toISOString() };
    });
  }

  async listPeriods(): Promise<Array<{ period: string; closedAt: string }>> {
    const rows: Array<{ period: string; closed_at: Date }> = await this.db.query(
      'SELECT period, closed_at FROM ledger_periods ORDER BY period',
    );
    return rows.map((r) => ({ period: r.period, closedAt: r.closed_at.toISOString() }));
  }
}
