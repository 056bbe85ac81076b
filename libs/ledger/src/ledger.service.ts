import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  Clock,
  Currency,
  Dec,
  idempotentTransaction,
  ledgerPostings,
  moneyString,
  notFound,
  queryPrepared,
  ReadDatabase,
  retryOnConflict,
} from '#disty/core';
import { PeriodCloseCheck, PeriodCloseChecks } from './period-close-checks';
import { AccountType, MANUAL_SOURCE, REVERSAL_SOURCE } from './domain/accounts';
import { EntryLine, mirrorLines } from './domain/entry-rules';
import { prepareEntry } from './entry-preparation';
import { FxRateService } from './fx/fx-rate.service';
import { postingDate } from './domain/periods';
import { JournalEntryView } from './dto/journal-entry.dto';
import { ledgerError, LedgerErrorCode, mapLedgerDbError } from './errors';
import { BALANCES_OF, loadEntries, NO_RESELLER, POST_ENTRY } from './ledger.sql';
import { verifyLedger } from './ledger-verify';
import { trialBalanceRows } from './domain/trial-balance';

export interface PostEntryInput {
  entryDate: string;
  memo: string;
  source: { type: string; id: string };
  lines: EntryLine[];
  reversalOf?: string | null;
  createdBy?: string | null;
  /**
   * Optional: the account (7100) that takes, as a base-only line, what `baseAt: 'carrying'` lines
   * leave unbalanced in the reporting currency (docs/accounting.md §10). Without it the remainder
   * is treated as rounding.
   */
  fxDifferenceAccount?: string | null;
}

export interface PostResult {
  entry: JournalEntryView;
  /** false when an entry with the same source already existed and was returned instead. */
  created: boolean;
}

export interface AccountBalanceRow {
  accountCode: string;
  resellerId: string | null;
  currency: Currency;
  debit: Dec;
  credit: Dec;
}

/**
 * The general ledger's public face. It knows accounts, entries and lines, nothing of orders or
 * invoices: other modules post through `post()` inside their own transaction, and read balances,
 * posting dates and the trial balance here. Finance's reads are LedgerReadService's, closing
 * months LedgerPeriodService's; shared SQL and row types are in ledger.sql.ts.
 */
@Injectable()
export class LedgerService {
  private accounts?: Map<string, { name: string; type: AccountType; control: boolean }>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly closeChecks: PeriodCloseChecks,
    readonly fx: FxRateService,
    private readonly reads: ReadDatabase,
  ) {}

  /** Adds a module's month-end check to every period close (docs/accounting.md §9). Call at start-up. */
  registerCloseCheck(check: PeriodCloseCheck): void {
    this.closeChecks.register(check);
  }

  /**
   * Posts one entry in the caller's transaction. Checks the double-entry rules, the accounts and
   * the period first (so the caller gets a domain error, not a trigger's); the database checks
   * again at commit. The same source posts at most once: a repeat returns the existing entry.
   */
  async post(em: EntityManager, input: PostEntryInput): Promise<PostResult> {
    const based = await prepareEntry(em, input, {
      chart: await this.chart(em),
      fx: this.fx,
      today: this.clock.today(),
    });
    // Entry and lines in one statement (one round trip). The triggers check the period, tie the
    // lines to this transaction and maintain balances; the deferred trigger checks balance at commit.
    let inserted: Array<{ id: string; created_at: Date }>;
    try {
      inserted = await queryPrepared<{ id: string; created_at: Date }>(em, POST_ENTRY, [
        input.entryDate,
        input.memo,
        input.source.type,
        input.source.id,
        input.reversalOf ?? null,
        input.createdBy ?? null,
        based.map((_, i) => i + 1),
        based.map((l) => l.accountCode),
        based.map((l) => l.resellerId),
        based.map((l) => l.currency),
        based.map((l) => l.debit.toFixed()),
        based.map((l) => l.credit.toFixed()),
        based.map((l) => l.baseDebit.toFixed()),
        based.map((l) => l.baseCredit.toFixed()),
      ]);
    } catch (e) {
      throw mapLedgerDbError(e);
    }
    if (!inserted.length) {
      const existing: Array<{ id: string }> = await em.query('SELECT id FROM journal_entries WHERE source_type = $1 AND source_id = $2', [
        input.source.type,
        input.source.id,
      ]);
      return { entry: (await loadEntries(em, [existing[0].id]))[0], created: false };
    }
    const { id, created_at } = inserted[0];
    ledgerPostings.inc({ source_type: input.source.type });
    const reporting = await this.fx.reportingCurrency(em);
    const entry: JournalEntryView = {
      id,
      entryDate: input.entryDate,
      memo: input.memo,
      source: input.source,
      reversalOf: input.reversalOf ?? null,
      lines: based.map((l) => ({
        accountCode: l.accountCode,
        resellerId: l.resellerId,
        currency: l.currency,
        debit: moneyString(l.debit, l.currency),
        credit: moneyString(l.credit, l.currency),
        baseDebit: moneyString(l.baseDebit, reporting),
        baseCredit: moneyString(l.baseCredit, reporting),
      })),
      createdAt: created_at.toISOString(),
    };
    return { entry, created: true };
  }

  /**
   * Posts the mirror of an entry (its reversal), in the caller's transaction. Only a manual entry
   * (or the reversal of one) is reversed: a system entry's document has its own correction (credit
   * note, refund, void), so reversing it is a 422 system-entry unless `allowSystem` (internal use).
   */
  async reverse(
    em: EntityManager,
    entryId: string,
    opts: { entryDate?: string; memo?: string; createdBy?: string | null; allowSystem?: boolean } = {},
  ): Promise<PostResult> {
    const [original] = await loadEntries(em, [entryId]).catch(() => []);
    if (!original) throw notFound(`Journal entry ${entryId}`);
    if (!opts.allowSystem) {
      const chart = await this.chart(em);
      const manual =
        original.source.type === MANUAL_SOURCE ||
        (original.source.type === REVERSAL_SOURCE && !original.lines.some((l) => chart.get(l.accountCode)?.control));
      if (!manual) {
        throw ledgerError(
          LedgerErrorCode.SystemEntry,
          `Journal entry ${entryId} was posted by the system (${original.source.type}); correct it through its document (credit note, refund, void), not by a reversal`,
          { source: original.source },
        );
      }
    }
    const existing: Array<{ id: string }> = await em.query('SELECT id FROM journal_entries WHERE reversal_of = $1', [entryId]);
    if (existing.length) {
      throw ledgerError(LedgerErrorCode.AlreadyReversed, `Journal entry ${entryId} was already reversed by ${existing[0].id}`, {
        reversalId: existing[0].id,
      });
    }
    const lines = mirrorLines(
      // At the original's base amounts, so that the pair nets to zero in the reporting currency too.
      original.lines.map((l) => ({
        accountCode: l.accountCode,
        resellerId: l.resellerId,
        currency: l.currency,
        debit: new Dec(l.debit),
        credit: new Dec(l.credit),
        base: l.baseDebit != null && l.baseCredit != null ? { debit: new Dec(l.baseDebit), credit: new Dec(l.baseCredit) } : null,
      })),
    );
    return this.post(em, {
      entryDate: opts.entryDate ?? this.clock.today(),
      memo: opts.memo ?? `Reversal of ${original.memo || entryId}`,
      source: { type: REVERSAL_SOURCE, id: entryId },
      reversalOf: entryId,
      createdBy: opts.createdBy,
      lines,
    });
  }

  /** A manual entry from finance: its own transaction, retried on deadlock. */
  async postManual(input: Omit<PostEntryInput, 'source'> & { sourceId: string }): Promise<JournalEntryView> {
    return this.inTransaction(
      (em) => this.post(em, { ...input, source: { type: MANUAL_SOURCE, id: input.sourceId } }),
      (r) => r.entry,
    ).then((r) => r.entry);
  }

  async reverseInOwnTransaction(entryId: string, opts: { entryDate?: string; memo?: string; createdBy?: string; allowSystem?: boolean }) {
    return this.inTransaction(
      (em) => this.reverse(em, entryId, opts),
      (r) => r.entry,
    ).then((r) => r.entry);
  }

  /**
   * Runs a ledger use case in its own transaction, mapping trigger errors and retrying deadlocks;
   * with an Idempotency-Key, `response(result)` (what the client sees) is stored in that transaction.
   */
  async inTransaction<T>(fn: (em: EntityManager) => Promise<T>, response?: (result: T) => unknown): Promise<T> {
    try {
      return await retryOnConflict(() => idempotentTransaction(this.db, fn, response));
    } catch (e) {
      throw mapLedgerDbError(e);
    }
  }

  /**
   * Trial balance as of a date in one currency, from the maintained daily totals: its cost grows
   * with accounts × days with postings, not with lines. `BASE` gives the whole business in the
   * reporting currency: the base amounts of every currency's lines (docs/accounting.md §10). A
   * read-only report: on the read replica when one is configured (docs/operations.md §15).
   */
  async trialBalance(asOf: string, currency: Currency | 'BASE') {
    return this.reads.read((em) => this.trialBalanceIn(em, asOf, currency));
  }

  private async trialBalanceIn(em: EntityManager, asOf: string, currency: Currency | 'BASE') {
    const chart = await this.chart(em);
    const base = currency === 'BASE';
    const shown: Currency = base ? await this.fx.reportingCurrency(em) : currency;
    const rows: Array<{ account_code: string; debit: string; credit: string }> = await em.query(
      base
        ? `SELECT account_code, sum(base_debit_total) AS debit, sum(base_credit_total) AS credit
             FROM ledger_daily_totals WHERE day <= $1 GROUP BY account_code`
        : `SELECT account_code, sum(debit_total) AS debit, sum(credit_total) AS credit
             FROM ledger_daily_totals WHERE currency = $2 AND day <= $1 GROUP BY account_code`,
      base ? [asOf] : [asOf, currency],
    );
    return {
      asOf,
      currency,
      ...(base ? { reportingCurrency: shown } : {}),
      ...trialBalanceRows(chart, rows, shown),
    };
  }

  /**
   * The date an event of `date` posts on: the date itself when its month is open, else the first
   * day of the first open month after it (its real date is kept on its document and in the memo).
   */
  async postingDateFor(date: string, em: EntityManager = this.db.manager): Promise<string> {
    const rows: Array<{ period: string }> = await em.query(`SELECT period FROM ledger_periods WHERE period >= $1 ORDER BY period`, [
      date.slice(0, 7),
    ]);
    return postingDate(date, new Set(rows.map((r) => r.period)));
  }

  /**
   * The latest closed month (YYYY-MM) on or after `date`'s month, or null when every month from
   * `date` on is open: a back-dated business change may reach back only into open months.
   */
  async closedPeriodSince(date: string, em: EntityManager = this.db.manager): Promise<string | null> {
    const rows: Array<{ period: string }> = await em.query(
      `SELECT period FROM ledger_periods WHERE period >= $1 ORDER BY period DESC LIMIT 1`,
      [date.slice(0, 7)],
    );
    return rows[0]?.period ?? null;
  }

  /**
   * The receivable balance (debit − credit) of one reseller on one account, per currency, as of
   * today: entries dated later never count (balances used for credit).
   */
  async balanceOf(accountCode: string, resellerId: string, currency: Currency, em: EntityManager = this.db.manager): Promise<Dec> {
    return (await this.balancesOf([accountCode], resellerId, currency, em)).get(accountCode)!;
  }

  /** balanceOf for several accounts of one reseller in one currency, in one read: code → debit − credit (0 when none), as of today. */
  async balancesOf(
    accountCodes: string[],
    resellerId: string,
    currency: Currency,
    em: EntityManager = this.db.manager,
  ): Promise<Map<string, Dec>> {
    const out = new Map<string, Dec>(accountCodes.map((c) => [c, new Dec(0)]));
    if (!accountCodes.length) return out;
    const rows = await queryPrepared<{ account_code: string; debit_total: string; credit_total: string }>(em, BALANCES_OF, [
      accountCodes,
      resellerId,
      currency,
      this.clock.today(),
    ]);
    for (const r of rows) out.set(r.account_code, new Dec(r.debit_total).minus(r.credit_total));
    return out;
  }

  /** Maintained balances of the given accounts for every reseller and currency (a consistent read in `em`). */
  async balances(accountCodes: string[], em: EntityManager = this.db.manager): Promise<AccountBalanceRow[]> {
    const rows: Array<{
      account_code: string;
      reseller_key: string;
      currency: Currency;
      debit_total: string;
      credit_total: string;
    }> = await em.query(
      `SELECT account_code, reseller_key, currency, debit_total, credit_total FROM account_balances
          WHERE account_code = ANY($1) ORDER BY account_code, reseller_key, currency`,
      [accountCodes],
    );
    return rows.map((r) => ({
      accountCode: r.account_code,
      resellerId: r.reseller_key === NO_RESELLER ? null : r.reseller_key,
      currency: r.currency,
      debit: new Dec(r.debit_total),
      credit: new Dec(r.credit_total),
    }));
  }

  /** Sum of lines of one account up to a date (inclusive), per reseller and currency, from the lines. */
  async balancesAsOf(accountCodes: string[], asOf: string, em: EntityManager = this.db.manager): Promise<AccountBalanceRow[]> {
    const rows: Array<{
      account_code: string;
      reseller_id: string | null;
      currency: Currency;
      debit: string;
      credit: string;
    }> = await em.query(
      `SELECT account_code, reseller_id, currency, sum(debit) AS debit, sum(credit) AS credit FROM journal_lines
          WHERE account_code = ANY($1) AND entry_date <= $2 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [accountCodes, asOf],
    );
    return rows.map((r) => ({
      accountCode: r.account_code,
      resellerId: r.reseller_id,
      currency: r.currency,
      debit: new Dec(r.debit),
      credit: new Dec(r.credit),
    }));
  }

  /**
   * Debits and credits posted to `accountCodes` in [from, to] (entry dates, inclusive), per account,
   * currency and the line's tax code (null when it carries none): the tax report's ledger side
   * (docs/accounting.md §11).
   */
  async movementsByTaxCode(
    accountCodes: string[],
    from: string,
    to: string,
    em: EntityManager = this.db.manager,
  ): Promise<Array<{ accountCode: string; currency: Currency; taxCode: string | null; debit: Dec; credit: Dec }>> {
    const rows: Array<{
      account_code: string;
      currency: Currency;
      tax_code: string | null;
      debit: string;
      credit: string;
    }> = await em.query(
      `SELECT account_code, currency, tax_code, sum(debit)::text AS debit, sum(credit)::text AS credit FROM journal_lines
        WHERE account_code = ANY($1) AND entry_date BETWEEN $2 AND $3 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [accountCodes, from, to],
    );
    return rows.map((r) => ({
      accountCode: r.account_code,
      currency: r.currency,
      taxCode: r.tax_code,
      debit: new Dec(r.debit),
      credit: new Dec(r.credit),
    }));
  }

  /**
   * Recomputes the ledger from its lines and compares, in one REPEATABLE READ snapshot
   * (`verifyLedger`, libs/ledger/src/ledger-verify.ts). Returns every difference.
   */
  async verify(): Promise<string[]> {
    return this.db.transaction('REPEATABLE READ', (em) => verifyLedger(em, this.clock.today()));
  }

  /** The chart of accounts (read once, then cached): code → name, type, control flag. */
  async chart(em: EntityManager = this.db.manager): Promise<Map<string, { name: string; type: AccountType; control: boolean }>> {
    if (!this.accounts) {
      const rows: Array<{ code: string; name: string; type: AccountType; control: boolean }> = await em.query(
        'SELECT code, name, type, control FROM accounts ORDER BY code',
      );
      this.accounts = new Map(rows.map((r) => [r.code, { name: r.name, type: r.type, control: r.control }]));
    }
    return this.accounts;
  }
}
