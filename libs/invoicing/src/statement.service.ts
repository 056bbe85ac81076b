import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'stream';
import { DataSource } from 'typeorm';
import { Clock, csvStream, csvText, Currency, Dec, moneyString, validationError } from '#disty/core';
import { AccountCode, JournalReadService } from '#disty/ledger';
import { ResellerService } from '#disty/reseller';
import { AGING_BUCKETS, AgingBucket } from './domain/invoice-math';
import { StatementLineType, StatementQueryDto, StatementView } from './dto/statement.dto';
import { InvoiceService } from './invoice.service';

/** The accounts whose balance is what a reseller owes: its receivables less its unapplied cash. */
const STATEMENT_ACCOUNTS = [AccountCode.ReceivablesHardware, AccountCode.ReceivablesCloud, AccountCode.UnappliedCash] as const;

const LINE_TYPE: Record<string, StatementLineType> = {
  invoice: 'INVOICE',
  credit_note: 'CREDIT_NOTE',
  payment: 'PAYMENT',
  payment_application: 'PAYMENT_APPLICATION',
  credit_application: 'CREDIT_APPLICATION',
  credit_refund: 'REFUND',
  stripe_refund: 'REFUND',
  write_off: 'WRITE_OFF',
};

/** The CSV form of a statement (docs/accounting.md §7, "Statements of account"). */
export const STATEMENT_CSV_COLUMNS = ['currency', 'date', 'type', 'reference', 'description', 'debit', 'credit', 'balance'] as const;

/**
 * Statements of account (owns no table): per currency, what the reseller owed at the start of the
 * period, every movement of its receivables (1100/1110) and unapplied cash (2200) in the period
 * from the ledger, one line per document, with a running balance, the closing balance, and the
 * aging of its open invoices as of the period's end (docs/accounting.md §7).
 */
@Injectable()
export class StatementService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly journal: JournalReadService,
    private readonly invoices: InvoiceService,
    private readonly resellers: ResellerService,
    private readonly clock: Clock,
  ) {}

  async statement(resellerId: string, q: StatementQueryDto): Promise<StatementView> {
    const to = q.to ?? this.clock.today();
    const from = q.from ?? `${to.slice(0, 8)}01`;
    if (from > to) throw validationError('from must not be after to', [{ field: 'from', message: `must be on or before ${to}` }]);
    const reseller = await this.resellers.getReseller(resellerId);
    const { opening, movements } = await this.journal.resellerMovements(resellerId, STATEMENT_ACCOUNTS, from, to);
    const refs = await this.references(movements);
    const aging = await this.invoices.arAging(to, resellerId, this.db.manager); // with its movements, on the primary
    const currencies = [
      ...new Set<Currency>([...opening.keys(), ...movements.map((m) => m.currency), ...aging.totals.map((a) => a.currency)]),
    ].sort();
    return {
      resellerId,
      resellerName: reseller.name,
      from,
      to,
      currencies: currencies.map((c) => {
        let running = opening.get(c) ?? new Dec(0);
        const openingBalance = moneyString(running, c);
        const lines = movements
          .filter((m) => m.currency === c)
          .map((m) => {
            running = running.plus(m.amount);
            return {
              date: m.entryDate,
              type: LINE_TYPE[m.sourceType] ?? 'OTHER',
              reference: refs.get(`${m.sourceType}:${m.sourceId}`) ?? null,
              description: m.memo,
              sourceType: m.sourceType,
              sourceId: m.sourceId,
              debit: moneyString(Dec.max(m.amount, 0), c),
              credit: moneyString(Dec.max(m.amount.negated(), 0), c),
              balance: moneyString(running, c),
            };
          });
        const buckets = aging.totals.find((a) => a.currency === c)?.buckets;
        const zero = moneyString(new Dec(0), c);
        const b = Object.fromEntries(AGING_BUCKETS.map((k) => [k, buckets?.[k] ?? zero])) as Record<AgingBucket, string>;
        return {
          currency: c,
          openingBalance,
          lines,
          closingBalance: moneyString(running, c),
          aging: {
            buckets: b,
            total: moneyString(
              AGING_BUCKETS.reduce((s, k) => s.plus(b[k]), new Dec(0)),
              c,
            ),
          },
        };
      }),
    };
  }

  /** The statement as CSV: per currency an OPENING row, the lines, a CLOSING row and one AGING row per bucket. */
  csv(s: StatementView): Readable {
    const rows = async function* () {
      for (const c of s.currencies) {
        const row = (r: Partial<Record<(typeof STATEMENT_CSV_COLUMNS)[number], string>>) => ({
          currency: c.currency,
          date: '',
          type: '',
          reference: '',
          description: '',
          debit: '',
          credit: '',
          balance: '',
          ...r,
        });
        yield row({
          date: s.from,
          type: 'OPENING',
          description: 'Opening balance',
          balance: c.openingBalance,
        });
        for (const l of c.lines) {
          yield row({
            date: l.date,
            type: l.type,
            reference: l.reference ?? '',
            description: csvText(l.description),
            debit: l.debit,
            credit: l.credit,
            balance: l.balance,
          });
        }
        yield row({ date: s.to, type: 'CLOSING', description: 'Closing balance', balance: c.closingBalance });
        for (const k of AGING_BUCKETS)
          yield row({
            date: s.to,
            type: 'AGING',
            reference: k,
            description: `Open, ${k} days past due`,
            balance: c.aging.buckets[k],
          });
      }
    };
    return csvStream(STATEMENT_CSV_COLUMNS, rows());
  }

  /** Document numbers of the statement's invoices, credit notes and write-offs (by `sourceType:sourceId`). */
  private async references(movements: Array<{ sourceType: string; sourceId: string }>): Promise<Map<string, string>> {
    const ids = (t: string) => movements.filter((m) => m.sourceType === t).map((m) => m.sourceId);
    const rows: Array<{ key: string; number: string }> = await this.db.query(
      `SELECT 'invoice:' || id AS key, number FROM invoices WHERE id::text = ANY($1::text[]) AND number IS NOT NULL
       UNION ALL
       SELECT 'credit_note:' || id, number FROM credit_notes WHERE id::text = ANY($2::text[])
       UNION ALL
       SELECT 'write_off:' || w.id, i.number FROM write_offs w JOIN invoices i ON i.id = w.invoice_id WHERE w.id::text = ANY($3::text[])`,
      [ids('invoice'), ids('credit_note'), ids('write_off')],
    );
    return new Map(rows.map((r) => [r.key, r.number]));
  }
}
