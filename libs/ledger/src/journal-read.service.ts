import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { csvText, Currency, Dec, moneyString, ReadDatabase } from '#disty/core';

/** One entry's net movement (Σ debit − credit) on a set of accounts for one reseller, in one currency. */
export interface ResellerMovement {
  entryId: string;
  entryDate: string;
  memo: string;
  sourceType: string;
  sourceId: string;
  currency: Currency;
  amount: Dec;
}

/** The columns of the journal export, in order (docs/accounting.md §8; README, "Exports"). */
export const JOURNAL_EXPORT_COLUMNS = [
  'date',
  'entry_id',
  'entry_memo',
  'account_code',
  'account_name',
  'reseller_id',
  'debit',
  'credit',
  'currency',
  'source_type',
  'source_id',
  'base_currency',
  'base_debit',
  'base_credit',
] as const;
export type JournalExportRow = Record<(typeof JOURNAL_EXPORT_COLUMNS)[number], string>;

/**
 * Reads of the journal for other modules and for exports (owns no table): one reseller's
 * movements on given accounts (statements of account), and every journal line of a period in
 * batches (the ERP export). Knows nothing of the documents behind the entries but their source.
 */
@Injectable()
export class JournalReadService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reads: ReadDatabase,
  ) {}

  /**
   * For one reseller: per currency the balance (Σ debit − credit) of `accounts` before `from`, and
   * each entry dated in [from, to] that moved them, with its net movement, in date order.
   */
  async resellerMovements(
    resellerId: string,
    accounts: readonly string[],
    from: string,
    to: string,
  ): Promise<{ opening: Map<Currency, Dec>; movements: ResellerMovement[] }> {
    const opening: Array<{ currency: Currency; amount: string }> = await this.db.query(
      `SELECT currency, sum(debit - credit)::text AS amount FROM journal_lines
        WHERE reseller_id = $1 AND account_code = ANY($2::text[]) AND entry_date < $3 GROUP BY currency`,
      [resellerId, accounts, from],
    );
    const rows: Array<{
      entry_id: string;
      entry_date: string;
      memo: string;
      source_type: string;
      source_id: string;
      currency: Currency;
      amount: string;
    }> = await this.db.query(
      `SELECT e.id AS entry_id, to_char(e.entry_date, 'YYYY-MM-DD') AS entry_date, e.memo, e.source_type, e.source_id, l.currency,
                sum(l.debit - l.credit)::text AS amount
           FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
          WHERE l.reseller_id = $1 AND l.account_code = ANY($2::text[]) AND l.entry_date BETWEEN $3 AND $4
          GROUP BY e.id, l.currency
          ORDER BY e.entry_date, e.created_at, e.id`,
      [resellerId, accounts, from, to],
    );
    return {
      opening: new Map(opening.map((o) => [o.currency, new Dec(o.amount)])),
      movements: rows.map((r) => ({
        entryId: r.entry_id,
        entryDate: r.entry_date,
        memo: r.memo,
        sourceType: r.source_type,
        sourceId: r.source_id,
        currency: r.currency,
        amount: new Dec(r.amount),
      })),
    };
  }

  /**
   * Every journal line dated in [from, to], in (date, entry, line) order, read `batchSize` lines at a
   * time (keyset) inside one REPEATABLE READ transaction: the export is one consistent snapshot and
   * holds one batch in memory. The transaction ends when the generator finishes or is abandoned.
   * On the read replica when one is configured (docs/operations.md §15).
   */
  async *journalLines(from: string, to: string, batchSize = 1000): AsyncGenerator<JournalExportRow> {
    type Row = {
      entry_date: string;
      entry_id: string;
      line_no: number;
      memo: string;
      account_code: string;
      account_name: string;
      reseller_id: string | null;
      debit: string;
      credit: string;
      currency: Currency;
      source_type: string;
      source_id: string;
      base_currency: Currency;
      base_debit: string | null;
      base_credit: string | null;
    };
    const rows = this.reads.snapshot<Row>(Math.max(1, Math.min(batchSize, 10_000)), (query, last, size) =>
      query<Row>(
        `SELECT to_char(l.entry_date, 'YYYY-MM-DD') AS entry_date, l.entry_id, l.line_no, e.memo, l.account_code, a.name AS account_name,
                l.reseller_id, l.debit::text AS debit, l.credit::text AS credit, l.currency, e.source_type, e.source_id,
                (SELECT reporting_currency FROM ledger_settings) AS base_currency, l.base_debit::text AS base_debit, l.base_credit::text AS base_credit
           FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id JOIN accounts a ON a.code = l.account_code
          WHERE l.entry_date BETWEEN $1 AND $2
            ${last ? 'AND (l.entry_date, l.entry_id, l.line_no) > ($3::date, $4::uuid, $5::int)' : ''}
          ORDER BY l.entry_date, l.entry_id, l.line_no
          LIMIT ${size}`,
        last ? [from, to, last.entry_date, last.entry_id, last.line_no] : [from, to],
      ),
    );
    for await (const r of rows) {
      yield {
        date: r.entry_date,
        entry_id: r.entry_id,
        entry_memo: csvText(r.memo),
        account_code: r.account_code,
        account_name: r.account_name,
        reseller_id: r.reseller_id ?? '',
        debit: moneyString(r.debit, r.currency),
        credit: moneyString(r.credit, r.currency),
        currency: r.currency,
        source_type: r.source_type,
        source_id: r.source_id,
        // In the reporting currency; empty on lines posted before base amounts existed and never back-filled (docs/accounting.md §10).
        base_currency: r.base_currency,
        base_debit: r.base_debit == null ? '' : moneyString(r.base_debit, r.base_currency),
        base_credit: r.base_credit == null ? '' : moneyString(r.base_credit, r.base_currency),
      };
    }
  }
}
