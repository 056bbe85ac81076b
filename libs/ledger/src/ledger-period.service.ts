import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, Currency, Dec, validationError } from '#disty/core';
import { AccountCode } from './domain/accounts';
import { EntryLine } from './domain/entry-rules';
import { ledgerError, LedgerErrorCode } from './errors';
import { LedgerService } from './ledger.service';
import { PeriodCloseChecks, PeriodCloseFinding } from './period-close-checks';

export const YEAR_END_SOURCE = 'year_end_close';

export interface ClosedPeriodView {
  period: string;
  closed: true;
  closedAt: string;
  forced: boolean;
  reason: string | null;
  findings: PeriodCloseFinding[];
  /** The entry that moved the year's income and expense to 3000 (December closes only). */
  yearEndEntryId: string | null;
}

/**
 * Closing months and listing the closed ones (owns `ledger_periods`' writes). A close first runs
 * the registered month-end checks (docs/accounting.md §9): with findings it is refused unless
 * forced with a reason, and the findings stay on the closed period. Closing a December posts the
 * year-end entry to retained earnings. What a posting date becomes in a closed month
 * (`postingDateFor`, `closedPeriodSince`) is read by other modules through LedgerService.
 */
@Injectable()
export class LedgerPeriodService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly checks: PeriodCloseChecks,
  ) {}

  /** What closing `period` would report now, without closing it. */
  async closeReport(period: string): Promise<{ period: string; closed: boolean; findings: PeriodCloseFinding[] }> {
    checkPeriod(period);
    return this.db.transaction('REPEATABLE READ', async (em) => {
      const [closed] = await em.query(`SELECT findings FROM ledger_periods WHERE period = $1`, [period]);
      if (closed) return { period, closed: true, findings: closed.findings as PeriodCloseFinding[] };
      return { period, closed: false, findings: await this.checks.run(em, period) };
    });
  }

  /** Closes a month: nothing can post into it afterwards. Idempotent: closing a closed month returns it. */
  async closePeriod(period: string, closedBy: string | null, opts: { force?: boolean; reason?: string } = {}): Promise<ClosedPeriodView> {
    checkPeriod(period);
    const reason = opts.reason?.trim() || null;
    if (opts.force && !reason) {
      throw validationError('A forced close needs the reason the findings are accepted', [
        { field: 'reason', message: 'required when force is true' },
      ]);
    }
    // Closing the running (or a later) month would refuse every posting dated today until it ends.
    const current = this.clock.today().slice(0, 7);
    if (period >= current) {
      throw ledgerError(
        LedgerErrorCode.PeriodNotEnded,
        `${period} has not ended yet (today is ${this.clock.today()}); close it from ${period === current ? 'next month' : 'the month after it'} on`,
        { period },
      );
    }
    return this.db.transaction(async (em) => {
      // Waits for postings into that month that are in flight, and blocks new ones until commit.
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('disty:ledger-period:' || $1))`, [period]);
      const existing = await this.closed(em, period);
      if (existing) return existing;

      const findings = await this.checks.run(em, period);
      if (findings.length && !opts.force) {
        throw ledgerError(
          LedgerErrorCode.PeriodNotClean,
          `${period} still holds ${findings.map((f) => `${f.count} ${f.check}`).join(', ')}; explain them, or close with force and a reason`,
          { period, findings },
        );
      }
      const yearEndEntryId = period.endsWith('-12') ? await this.postYearEnd(em, period.slice(0, 4), closedBy) : null;
      await em.query(
        `INSERT INTO ledger_periods (period, closed_by, forced, reason, findings, year_end_entry_id) VALUES ($1, $2, $3, $4, $5, $6)`,
        [period, closedBy, findings.length > 0, reason, JSON.stringify(findings), yearEndEntryId],
      );
      return (await this.closed(em, period))!;
    });
  }

  async listPeriods(): Promise<ClosedPeriodView[]> {
    const rows: PeriodRow[] = await this.db.query(`SELECT * FROM ledger_periods ORDER BY period`);
    return rows.map(toView);
  }

  /**
   * The year-end close (docs/accounting.md §9): one entry dated 31 December bringing every income,
   * expense and foreign-exchange account to zero per reseller and currency, the net to 3000.
   */
  private async postYearEnd(em: EntityManager, year: string, createdBy: string | null): Promise<string | null> {
    const yearEnd = `${year}-12-31`;
    // Base amounts too (docs/accounting.md §10): each line takes its account's base balance as given,
    // so income, expense and FX accounts reach zero in the reporting currency as well.
    const rows: Array<{
      account_code: string;
      reseller_id: string | null;
      currency: Currency;
      net: string;
      base_net: string;
    }> = await em.query(
      `SELECT l.account_code, l.reseller_id, l.currency, sum(l.debit) - sum(l.credit) AS net,
              coalesce(sum(l.base_debit), 0) - coalesce(sum(l.base_credit), 0) AS base_net
         FROM journal_lines l JOIN accounts a ON a.code = l.account_code
        WHERE a.type IN ('revenue', 'contra_revenue', 'expense', 'other') AND l.entry_date <= $1
        GROUP BY l.account_code, l.reseller_id, l.currency
       HAVING sum(l.debit) <> sum(l.credit) OR coalesce(sum(l.base_debit), 0) <> coalesce(sum(l.base_credit), 0)
        ORDER BY l.currency, l.reseller_id NULLS FIRST, l.account_code`,
      [yearEnd],
    );
    if (!rows.length) return null;
    const lines: EntryLine[] = [];
    const toEquity = new Map<string, { resellerId: string | null; currency: Currency; net: Dec; base: Dec }>();
    for (const r of rows) {
      const net = new Dec(r.net);
      const base = new Dec(r.base_net);
      lines.push(side(r.account_code, r.reseller_id, r.currency, net.neg(), base.neg()));
      const key = `${r.currency}:${r.reseller_id ?? ''}`;
      const acc = toEquity.get(key) ?? {
        resellerId: r.reseller_id,
        currency: r.currency,
        net: new Dec(0),
        base: new Dec(0),
      };
      acc.net = acc.net.plus(net);
      acc.base = acc.base.plus(base);
      toEquity.set(key, acc);
    }
    for (const e of toEquity.values()) {
      if (!e.net.isZero() || !e.base.isZero()) lines.push(side(AccountCode.RetainedEarnings, e.resellerId, e.currency, e.net, e.base));
    }
    const { entry } = await this.ledger.post(em, {
      entryDate: yearEnd,
      memo: `Year-end close ${year}: income and expense to retained earnings`,
      source: { type: YEAR_END_SOURCE, id: year },
      lines,
      createdBy,
    });
    return entry.id;
  }

  private async closed(em: EntityManager, period: string): Promise<ClosedPeriodView | null> {
    const [row]: PeriodRow[] = await em.query(`SELECT * FROM ledger_periods WHERE period = $1`, [period]);
    return row ? toView(row) : null;
  }
}

interface PeriodRow {
  period: string;
  closed_at: Date;
  forced: boolean;
  reason: string | null;
  findings: PeriodCloseFinding[];
  year_end_entry_id: string | null;
}

function toView(r: PeriodRow): ClosedPeriodView {
  return {
    period: r.period,
    closed: true,
    closedAt: r.closed_at.toISOString(),
    forced: r.forced,
    reason: r.reason,
    findings: r.findings,
    yearEndEntryId: r.year_end_entry_id,
  };
}

/** A line taking `amount` (and `base`, in the reporting currency) to its side: positive debits, negative credits. */
function side(accountCode: string, resellerId: string | null, currency: Currency, amount: Dec, base: Dec): EntryLine {
  const baseSides = {
    baseDebit: base.isPositive() ? base : new Dec(0),
    baseCredit: base.isNegative() ? base.abs() : new Dec(0),
  };
  return amount.isPositive()
    ? { accountCode, resellerId, currency, debit: amount, ...baseSides }
    : { accountCode, resellerId, currency, credit: amount.abs(), ...baseSides };
}

function checkPeriod(period: string): void {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
    throw validationError('period must be YYYY-MM', [{ field: 'period', message: 'must be YYYY-MM' }]);
  }
}
