import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock, Currency, Dec, minorUnits, moneyString, retryOnConflict, validationError } from '#disty/core';
import { AccountCode } from '../domain/accounts';
import { EntryLine } from '../domain/entry-rules';
import { JournalEntryView } from '../dto/journal-entry.dto';
import { ledgerError, LedgerErrorCode, mapLedgerDbError } from '../errors';
import { LedgerService } from '../ledger.service';
import { loadEntries } from '../ledger.sql';
import { FxRateService } from './fx-rate.service';

export const REVALUATION_SOURCE = 'revaluation';

/**
 * The monetary accounts a month-end revaluation brings to the closing rate (docs/accounting.md §10):
 * cash at bank and Stripe clearing, receivables, payables and unapplied customer cash. Revenue,
 * expense, tax and deferred revenue stay at their historical rates.
 */
export const REVALUED_ACCOUNTS = [
  AccountCode.Cash,
  AccountCode.StripeClearing,
  AccountCode.ReceivablesHardware,
  AccountCode.ReceivablesCloud,
  AccountCode.AccountsPayable,
  AccountCode.UnappliedCash,
] as const;

export interface RevaluationResult {
  asOf: string;
  reportingCurrency: Currency;
  /** false when this month end was revalued before (the same entry is returned) or nothing needed it. */
  created: boolean;
  entry: JournalEntryView | null;
  lines: Array<{
    accountCode: string;
    resellerId: string | null;
    currency: Currency;
    balance: string;
    rate: string;
    baseBefore: string;
    baseAfter: string;
    difference: string;
  }>;
}

/**
 * Month-end revaluation (owns no table; posts through LedgerService): for each revalued account,
 * reseller and foreign currency, the difference between balance × the closing rate and the base
 * balance goes to the account as a base-only line, against 7150 (unrealised FX). Once per month
 * end (source `revaluation`, id the date); a re-run returns the first entry.
 */
@Injectable()
export class RevaluationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly fx: FxRateService,
    private readonly clock: Clock,
  ) {}

  async run(asOf: string, createdBy: string | null): Promise<RevaluationResult> {
    const [y, m, d] = asOf.split('-').map(Number);
    const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
    if (d !== lastDay) {
      throw validationError('A revaluation is run as of a month’s last day', [
        {
          field: 'asOf',
          message: `must be the last day of ${asOf.slice(0, 7)} (${asOf.slice(0, 8)}${lastDay})`,
        },
      ]);
    }
    const today = this.clock.today();
    if (asOf > today) {
      throw ledgerError(LedgerErrorCode.FutureDated, `A revaluation cannot be dated ${asOf}, after today (${today})`, {
        entryDate: asOf,
        today,
      });
    }
    try {
      return await retryOnConflict(() => this.db.transaction((em) => this.revalue(em, asOf, createdBy)));
    } catch (e) {
      throw mapLedgerDbError(e);
    }
  }

  private async revalue(em: import('typeorm').EntityManager, asOf: string, createdBy: string | null): Promise<RevaluationResult> {
    const reporting = await this.fx.reportingCurrency(em);
    // Serialises runs for the same month end; the unique source makes the entry once anyway.
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('disty:revaluation:' || $1))`, [asOf]);
    const closed = await em.query(`SELECT 1 FROM ledger_periods WHERE period = $1`, [asOf.slice(0, 7)]);
    if (closed.length)
      throw ledgerError(LedgerErrorCode.PeriodClosed, `period ${asOf.slice(0, 7)} is closed`, {
        period: asOf.slice(0, 7),
      });
    const [existing] = await em.query(`SELECT id FROM journal_entries WHERE source_type = $1 AND source_id = $2`, [
      REVALUATION_SOURCE,
      asOf,
    ]);
    if (existing) {
      const [entry] = await loadEntries(em, [existing.id]);
      return { asOf, reportingCurrency: reporting, created: false, entry, lines: [] };
    }
    const rows: Array<{
      account_code: string;
      reseller_id: string | null;
      currency: Currency;
      amount: string;
      base: string;
    }> = await em.query(
      `SELECT account_code, reseller_id, currency, sum(debit) - sum(credit) AS amount,
              coalesce(sum(base_debit), 0) - coalesce(sum(base_credit), 0) AS base
         FROM journal_lines
        WHERE account_code = ANY($1::text[]) AND currency <> $2 AND entry_date <= $3::date
        GROUP BY 1, 2, 3 ORDER BY 3, 2 NULLS FIRST, 1`,
      [[...REVALUED_ACCOUNTS], reporting, asOf],
    );
    const rates = await this.fx.ratesOn(em, [...new Set(rows.map((r) => r.currency))], asOf);
    const lines: EntryLine[] = [];
    const report: RevaluationResult['lines'] = [];
    const toUnrealised = new Map<string, { resellerId: string | null; currency: Currency; delta: Dec }>();
    for (const r of rows) {
      const rate = rates.get(r.currency)!;
      const target = new Dec(r.amount).times(rate).toDecimalPlaces(minorUnits(reporting), Dec.ROUND_HALF_UP);
      const delta = target.minus(r.base);
      if (delta.isZero()) continue;
      lines.push(baseOnly(r.account_code, r.reseller_id, r.currency, delta));
      const key = `${r.currency}:${r.reseller_id ?? ''}`;
      const acc = toUnrealised.get(key) ?? {
        resellerId: r.reseller_id,
        currency: r.currency,
        delta: new Dec(0),
      };
      acc.delta = acc.delta.plus(delta);
      toUnrealised.set(key, acc);
      report.push({
        accountCode: r.account_code,
        resellerId: r.reseller_id,
        currency: r.currency,
        balance: moneyString(r.amount, r.currency),
        rate: rate.toFixed(),
        baseBefore: moneyString(r.base, reporting),
        baseAfter: moneyString(target, reporting),
        difference: moneyString(delta, reporting),
      });
    }
    // A gain (assets up, liabilities down) credits 7150; a loss debits it.
    for (const u of toUnrealised.values())
      if (!u.delta.isZero()) lines.push(baseOnly(AccountCode.FxUnrealised, u.resellerId, u.currency, u.delta.neg()));
    if (!lines.length) return { asOf, reportingCurrency: reporting, created: false, entry: null, lines: [] };
    const { entry, created } = await this.ledger.post(em, {
      entryDate: asOf,
      memo: `Month-end revaluation of foreign-currency balances as of ${asOf}`,
      source: { type: REVALUATION_SOURCE, id: asOf },
      lines,
      createdBy,
    });
    return { asOf, reportingCurrency: reporting, created, entry, lines: report };
  }
}

/** A base-only line: a positive delta is a base debit, a negative one a base credit. */
function baseOnly(accountCode: string, resellerId: string | null, currency: Currency, delta: Dec): EntryLine {
  return delta.isPositive()
    ? { accountCode, resellerId, currency, baseDebit: delta, baseCredit: new Dec(0) }
    : { accountCode, resellerId, currency, baseDebit: new Dec(0), baseCredit: delta.neg() };
}
