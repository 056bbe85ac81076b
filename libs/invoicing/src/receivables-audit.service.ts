import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CreditLine, Currency, Dec } from '#disty/core';

/** Per reseller, currency and credit line: what invoices have open (> 0) and the unused credits (> 0). */
export interface ReceivablesDetail {
  resellerId: string;
  currency: Currency;
  creditLine: CreditLine;
  open: Dec;
  credits: Dec;
}

/** A receivables-subledger fact that is wrong in itself (no ledger needed to see it). */
export interface ReceivablesFinding {
  check: 'subledger-movements' | 'credit-documents' | 'write-off-documents' | 'cash-on-credit' | 'stranded-credit';
  resellerId: string;
  currency: Currency;
  creditLine: CreditLine | null;
  invoiceId: string | null;
  expected: Dec;
  actual: Dec;
  message: string;
}

/**
 * Read-only checks over the invoicing subledger (invoices, ar_movements, credit_applications,
 * credit_refund_parts, write_offs, payment allocations) for reconciliation and `ledger:verify`
 * (docs/money-integrity.md, "reconciliation"). Owns no table.
 */
@Injectable()
export class ReceivablesAuditService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Open amounts and unused credits per reseller, currency and credit line: from the invoices
   * (now), or per invoice from the AR movements dated on or before `asOf`.
   */
  async detail(asOf: string | null, resellerId: string | null, em: EntityManager = this.db.manager): Promise<ReceivablesDetail[]> {
    const perInvoice = asOf
      ? `SELECT reseller_id, currency, credit_line, sum(amount) AS open FROM ar_movements
          WHERE movement_date <= $1::date AND ($2::uuid IS NULL OR reseller_id = $2::uuid) GROUP BY invoice_id, 1, 2, 3`
      : `SELECT reseller_id, currency, 'HARDWARE' AS credit_line, hardware_open AS open FROM invoices
          WHERE $1::date IS NULL AND ($2::uuid IS NULL OR reseller_id = $2::uuid)
         UNION ALL
         SELECT reseller_id, currency, 'CLOUD', cloud_open FROM invoices WHERE $1::date IS NULL AND ($2::uuid IS NULL OR reseller_id = $2::uuid)`;
    const rows: Array<{
      reseller_id: string;
      currency: Currency;
      credit_line: CreditLine;
      open: string;
      credits: string;
    }> = await em.query(
      `SELECT reseller_id, currency, credit_line, sum(greatest(open, 0))::text AS open, (-sum(least(open, 0)))::text AS credits
         FROM (${perInvoice}) x GROUP BY 1, 2, 3`,
      [asOf, resellerId],
    );
    return rows.map((r) => ({
      resellerId: r.reseller_id,
      currency: r.currency,
      creditLine: r.credit_line,
      open: new Dec(r.open),
      credits: new Dec(r.credits),
    }));
  }

  /** Everything the subledger's own records contradict, now. */
  async findings(resellerId: string | null, em: EntityManager = this.db.manager): Promise<ReceivablesFinding[]> {
    const out: ReceivablesFinding[] = [];
    type Row = {
      reseller_id: string;
      currency: Currency;
      credit_line: CreditLine | null;
      invoice_id: string | null;
      expected: string;
      actual: string;
    };
    const push = (check: ReceivablesFinding['check'], rows: Row[], message: (r: Row) => string) => {
      for (const r of rows) {
        out.push({
          check,
          resellerId: r.reseller_id,
          currency: r.currency,
          creditLine: r.credit_line,
          invoiceId: r.invoice_id,
          expected: new Dec(r.expected),
          actual: new Dec(r.actual),
          message: message(r),
        });
      }
    };
    const lines = `(VALUES ('HARDWARE'), ('CLOUD')) AS l(line)`;
    const col = (c: string) => `CASE l.line WHEN 'HARDWARE' THEN i.hardware_${c} ELSE i.cloud_${c} END`;
    // The AR movements of each invoice line add up to its open amount.
    push(
      'subledger-movements',
      await em.query(
        `SELECT i.reseller_id, i.currency, l.line AS credit_line, i.id AS invoice_id, ${col('open')}::text AS expected,
                coalesce(m.total, 0)::text AS actual
           FROM invoices i CROSS JOIN ${lines}
           LEFT JOIN (SELECT invoice_id, credit_line, sum(amount) AS total FROM ar_movements GROUP BY 1, 2) m
             ON m.invoice_id = i.id AND m.credit_line = l.line
          WHERE ($1::uuid IS NULL OR i.reseller_id = $1::uuid) AND ${col('open')} <> coalesce(m.total, 0)`,
        [resellerId],
      ),
      (r) => `AR movements of invoice ${r.invoice_id} (${r.credit_line}) add up to ${r.actual}, its open amount is ${r.expected}`,
    );
    // Each invoice line's credit offset is explained by credit applications and refunds.
    push(
      'credit-documents',
      await em.query(
        `SELECT i.reseller_id, i.currency, l.line AS credit_line, i.id AS invoice_id,
                (coalesce(tin.total, 0) - coalesce(tout.total, 0) - coalesce(rf.total, 0))::text AS expected, ${col('offset')}::text AS actual
           FROM invoices i CROSS JOIN ${lines}
           LEFT JOIN (SELECT to_invoice_id AS id, to_line AS line, sum(amount) AS total FROM credit_applications GROUP BY 1, 2) tin
             ON tin.id = i.id AND tin.line = l.line
           LEFT JOIN (SELECT from_invoice_id AS id, from_line AS line, sum(amount) AS total FROM credit_applications GROUP BY 1, 2) tout
             ON tout.id = i.id AND tout.line = l.line
           LEFT JOIN (SELECT invoice_id AS id, credit_line AS line, sum(amount) AS total FROM credit_refund_parts WHERE invoice_id IS NOT NULL GROUP BY 1, 2) rf
             ON rf.id = i.id AND rf.line = l.line
          WHERE ($1::uuid IS NULL OR i.reseller_id = $1::uuid)
            AND ${col('offset')} <> coalesce(tin.total, 0) - coalesce(tout.total, 0) - coalesce(rf.total, 0)`,
        [resellerId],
      ),
      (r) =>
        `Credit offset of invoice ${r.invoice_id} (${r.credit_line}) is ${r.actual}; its credit applications and refunds explain ${r.expected}`,
    );
    // Each invoice line's written-off amount is explained by its write-off documents (and their AR
    // movements, checked above with the rest); docs/accounting.md §3, "write-off".
    push(
      'write-off-documents',
      await em.query(
        `SELECT i.reseller_id, i.currency, l.line AS credit_line, i.id AS invoice_id, coalesce(w.total, 0)::text AS expected,
                ${col('written_off')}::text AS actual
           FROM invoices i CROSS JOIN ${lines}
           LEFT JOIN (SELECT invoice_id, 'HARDWARE' AS line, sum(hardware_amount) AS total FROM write_offs GROUP BY 1
                      UNION ALL
                      SELECT invoice_id, 'CLOUD', sum(cloud_amount) FROM write_offs GROUP BY 1) w
             ON w.invoice_id = i.id AND w.line = l.line
          WHERE ($1::uuid IS NULL OR i.reseller_id = $1::uuid) AND ${col('written_off')} <> coalesce(w.total, 0)`,
        [resellerId],
      ),
      (r) => `Written off on invoice ${r.invoice_id} (${r.credit_line}) is ${r.actual}; its write-offs explain ${r.expected}`,
    );
    // A credit (negative side or negative total) never receives cash.
    push(
      'cash-on-credit',
      await em.query(
        `SELECT i.reseller_id, i.currency, a.credit_line, i.id AS invoice_id, '0' AS expected, sum(a.amount)::text AS actual
           FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
          WHERE ($1::uuid IS NULL OR i.reseller_id = $1::uuid)
            AND ((a.credit_line = 'HARDWARE' AND i.hardware_gross < 0) OR (a.credit_line = 'CLOUD' AND i.cloud_gross < 0)
                 OR i.hardware_gross + i.cloud_gross < 0)
          GROUP BY 1, 2, 3, 4 HAVING sum(a.amount) <> 0`,
        [resellerId],
      ),
      (r) => `Invoice ${r.invoice_id} is a credit on ${r.credit_line} but received ${r.actual} of cash`,
    );
    // No credit lies unused while the same reseller owes something in the same currency.
    push(
      'stranded-credit',
      await em.query(
        `SELECT reseller_id, currency, NULL AS credit_line, NULL AS invoice_id, '0' AS expected,
                least(sum(greatest(hardware_open, 0) + greatest(cloud_open, 0)), -sum(least(hardware_open, 0) + least(cloud_open, 0)))::text AS actual
           FROM invoices WHERE ($1::uuid IS NULL OR reseller_id = $1::uuid)
          GROUP BY 1, 2
         HAVING sum(greatest(hardware_open, 0) + greatest(cloud_open, 0)) > 0 AND sum(least(hardware_open, 0) + least(cloud_open, 0)) < 0`,
        [resellerId],
      ),
      (r) => `Reseller ${r.reseller_id} has ${r.actual} ${r.currency} of unused credits beside open invoices: the credits were not applied`,
    );
    return out;
  }
}
