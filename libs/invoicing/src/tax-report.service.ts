// Reads invoices, invoice lines, credit notes and their lines (this module's) and the ledger's tax accounts (through LedgerService).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { addDays, addMonthsClamped, Currency, Dec, moneyString, validationError } from '#disty/core';
import { AccountCode, LedgerService } from '#disty/ledger';
import { TaxReportView } from './dto/tax-report.dto';

/** Tax receivable (input tax on vendor bills and fees), docs/accounting.md §2. */
const INPUT_TAX_ACCOUNT = '1300';

/** The code a line without one (written before tax codes, or an input-tax posting without one) is reported under. */
export const UNCODED = 'UNCODED';

interface Bucket {
  taxCode: string;
  currency: Currency;
  taxable: Dec;
  output: Dec;
  input: Dec;
}

/**
 * GET /reports/tax (docs/accounting.md §11): per tax code and currency, for one calendar month,
 * the taxable amount and output tax of the invoices issued in it less the credit notes issued in
 * it (each credit note line under its invoice line's code), the input tax posted to 1300 in it,
 * and the net payable. Per currency, the output tax is compared with the movement of 2100 in the
 * ledger for the month: a difference means tax was posted to 2100 by something else than an
 * invoice or a credit note, and is listed.
 */
@Injectable()
export class TaxReportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
  ) {}

  async report(period: string): Promise<TaxReportView> {
    const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
    if (!m) throw validationError('period must be a month YYYY-MM', [{ field: 'period', message: 'must be YYYY-MM, e.g. 2026-03' }]);
    const from = `${period}-01`;
    const to = addDays(addMonthsClamped(from, 1), -1);
    return this.db.transaction('REPEATABLE READ', async (em) => {
      const documents: Array<{ tax_code: string; currency: Currency; net: string; tax: string }> = await em.query(
        `SELECT coalesce(l.tax_code, $3) AS tax_code, i.currency, sum(l.net)::text AS net, sum(l.tax)::text AS tax
           FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
          WHERE i.number IS NOT NULL AND i.issue_date BETWEEN $1 AND $2
          GROUP BY 1, 2
         UNION ALL
         SELECT coalesce(il.tax_code, $3), c.currency, (-sum(cl.net))::text, (-sum(cl.tax))::text
           FROM credit_note_lines cl JOIN credit_notes c ON c.id = cl.credit_note_id JOIN invoice_lines il ON il.id = cl.invoice_line_id
          WHERE c.issue_date BETWEEN $1 AND $2
          GROUP BY 1, 2`,
        [from, to, UNCODED],
      );
      const movements = await this.ledger.movementsByTaxCode([AccountCode.TaxPayable, INPUT_TAX_ACCOUNT], from, to, em);

      const buckets = new Map<string, Bucket>();
      const bucket = (taxCode: string, currency: Currency) => {
        const key = `${taxCode}\u0000${currency}`;
        if (!buckets.has(key)) buckets.set(key, { taxCode, currency, taxable: new Dec(0), output: new Dec(0), input: new Dec(0) });
        return buckets.get(key)!;
      };
      for (const d of documents) {
        const b = bucket(d.tax_code, d.currency);
        b.taxable = b.taxable.plus(d.net);
        b.output = b.output.plus(d.tax);
      }
      const ledger2100 = new Map<Currency, Dec>();
      for (const mv of movements) {
        if (mv.accountCode === INPUT_TAX_ACCOUNT) {
          const b = bucket(mv.taxCode ?? UNCODED, mv.currency);
          b.input = b.input.plus(mv.debit.minus(mv.credit));
        } else {
          ledger2100.set(mv.currency, (ledger2100.get(mv.currency) ?? new Dec(0)).plus(mv.credit.minus(mv.debit)));
        }
      }
      const rows = [...buckets.values()].sort((a, b) =>
        a.currency === b.currency ? a.taxCode.localeCompare(b.taxCode) : a.currency.localeCompare(b.currency),
      );
      const currencies = [...new Set([...rows.map((r) => r.currency), ...ledger2100.keys()])].sort();
      const totals = currencies.map((c) => {
        const of = rows.filter((r) => r.currency === c);
        const sum = (f: (r: Bucket) => Dec) => of.reduce((s, r) => s.plus(f(r)), new Dec(0));
        const output = sum((r) => r.output);
        const input = sum((r) => r.input);
        const ledgerOutput = ledger2100.get(c) ?? new Dec(0);
        return {
          currency: c,
          taxableAmount: moneyString(
            sum((r) => r.taxable),
            c,
          ),
          outputTax: moneyString(output, c),
          inputTax: moneyString(input, c),
          netPayable: moneyString(output.minus(input), c),
          ledgerOutputTax: moneyString(ledgerOutput, c),
          difference: moneyString(ledgerOutput.minus(output), c),
          reconciled: ledgerOutput.eq(output),
        };
      });
      return {
        period,
        from,
        to,
        rows: rows.map((r) => ({
          taxCode: r.taxCode,
          currency: r.currency,
          taxableAmount: moneyString(r.taxable, r.currency),
          outputTax: moneyString(r.output, r.currency),
          inputTax: moneyString(r.input, r.currency),
          netPayable: moneyString(r.output.minus(r.input), r.currency),
        })),
        totals,
        reconciled: totals.every((t) => t.reconciled),
      };
    });
  }
}
