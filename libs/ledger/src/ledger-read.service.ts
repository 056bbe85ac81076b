import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Currency, Dec, moneyString, notFound, page, Page, validationError } from '#disty/core';
import { AccountType, isDebitNormal } from './domain/accounts';
import { JournalEntryView } from './dto/journal-entry.dto';
import { LedgerService } from './ledger.service';
import { LineRow, loadEntries } from './ledger.sql';

/**
 * The ledger's reads for finance (GET /ledger/entries, /ledger/accounts, account statements):
 * nothing here writes. Balances other modules use and the trial balance stay on LedgerService.
 */
@Injectable()
export class LedgerReadService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
  ) {}

  async getEntry(id: string): Promise<JournalEntryView> {
    const [entry] = await loadEntries(this.db.manager, [id]);
    if (!entry) throw notFound(`Journal entry ${id}`);
    return entry;
  }

  async searchEntries(q: {
    accountCode?: string;
    resellerId?: string;
    from?: string;
    to?: string;
    sourceType?: string;
    page: number;
    pageSize: number;
  }): Promise<Page<JournalEntryView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.from) add('e.entry_date >= ?', q.from);
    if (q.to) add('e.entry_date <= ?', q.to);
    if (q.sourceType) add('e.source_type = ?', q.sourceType);
    if (q.accountCode) add('EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = e.id AND l.account_code = ?)', q.accountCode);
    if (q.resellerId) add('EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = e.id AND l.reseller_id = ?)', q.resellerId);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM journal_entries e ${cond}`, params);
    const ids: Array<{ id: string }> = await this.db.query(
      `SELECT e.id FROM journal_entries e ${cond} ORDER BY e.entry_date DESC, e.created_at DESC, e.id
       LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(
      await loadEntries(
        this.db.manager,
        ids.map((r) => r.id),
      ),
      total,
      q,
    );
  }

  async listAccounts(): Promise<Array<{ code: string; name: string; type: AccountType; control: boolean }>> {
    const chart = await this.ledger.chart(this.db.manager);
    return [...chart.entries()].map(([code, a]) => ({ code, ...a }));
  }

  /** Opening balance, lines with a running balance, closing balance (in the account's normal direction). */
  async statement(code: string, q: { from?: string; to?: string; resellerId?: string; currency?: Currency }) {
    const chart = await this.ledger.chart(this.db.manager);
    const account = chart.get(code);
    if (!account) throw notFound(`Account ${code}`);
    let currency = q.currency;
    if (!currency) {
      const found: Array<{ currency: Currency }> = await this.db.query(
        `SELECT DISTINCT currency FROM account_balances WHERE account_code = $1
           AND ($2::uuid IS NULL OR reseller_key = $2::uuid)`,
        [code, q.resellerId ?? null],
      );
      if (found.length > 1) {
        throw validationError('This account holds several currencies; pass currency', [
          { field: 'currency', message: `one of ${found.map((f) => f.currency).join(', ')}` },
        ]);
      }
      currency = found[0]?.currency ?? 'AUD';
    }
    const from = q.from ?? '0001-01-01';
    const to = q.to ?? '9999-12-31';
    if (from > to) throw validationError('from must not be after to', [{ field: 'from', message: 'after to' }]);
    const sign = (d: Dec, c: Dec) => (isDebitNormal(account.type) ? d.minus(c) : c.minus(d));
    const [opening] = await this.db.query(
      `SELECT coalesce(sum(debit), 0) AS debit, coalesce(sum(credit), 0) AS credit FROM journal_lines
        WHERE account_code = $1 AND currency = $2 AND entry_date < $3 AND ($4::uuid IS NULL OR reseller_id = $4::uuid)`,
      [code, currency, from, q.resellerId ?? null],
    );
    const lines: Array<LineRow & { entry_date: string; memo: string; source_type: string; source_id: string }> = await this.db.query(
      `SELECT l.entry_id, l.account_code, l.reseller_id, l.currency, l.debit, l.credit,
                to_char(l.entry_date, 'YYYY-MM-DD') AS entry_date, e.memo, e.source_type, e.source_id
           FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
          WHERE l.account_code = $1 AND l.currency = $2 AND l.entry_date BETWEEN $3 AND $4
            AND ($5::uuid IS NULL OR l.reseller_id = $5::uuid)
          ORDER BY l.entry_date, l.id LIMIT 10000`,
      [code, currency, from, to, q.resellerId ?? null],
    );
    let running = sign(new Dec(opening.debit), new Dec(opening.credit));
    const openingBalance = running;
    const out = lines.map((l) => {
      running = running.plus(sign(new Dec(l.debit), new Dec(l.credit)));
      return {
        entryId: l.entry_id,
        entryDate: l.entry_date,
        memo: l.memo,
        source: { type: l.source_type, id: l.source_id },
        resellerId: l.reseller_id,
        debit: moneyString(l.debit, currency!),
        credit: moneyString(l.credit, currency!),
        balance: moneyString(running, currency!),
      };
    });
    return {
      accountCode: code,
      name: account.name,
      type: account.type,
      currency,
      from: q.from ?? null,
      to: q.to ?? null,
      resellerId: q.resellerId ?? null,
      openingBalance: moneyString(openingBalance, currency),
      lines: out,
      closingBalance: moneyString(running, currency),
    };
  }
}
