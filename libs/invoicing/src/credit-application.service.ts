import { Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { EntityManager } from 'typeorm';
import { Currency, Dec, queryPrepared } from '#disty/core';
import { AccountCode, AR_ACCOUNT, LedgerService } from '#disty/ledger';
import { planCreditApplications } from './domain/credit-plan';
import { ANY_CREDIT, CreditRow, OFFSET_COLUMN } from './invoicing.sql';

export const CREDIT_APPLICATION_SOURCE = 'credit_application';

/**
 * Owns `credit_applications` and the invoices' offset columns: makes a reseller's credits usable
 * (docs/money-integrity.md, "usable credits"). An unused credit (the negative open amount of an
 * invoice's credit line: proration and cancellation credits) is applied to what the reseller owes
 * on open invoices in the same currency (the same invoice's other line first, then the same
 * credit line, then the other), each application one row, its AR subledger movements and one
 * balanced journal entry (debit the giving line's AR, credit the receiving line's; source
 * credit_application, unique), dated the later of the two invoices' issue dates. Never touches
 * cash: a credit is never paid out here (see the refunds of payments).
 */
@Injectable()
export class CreditApplicationService {
  constructor(private readonly ledger: LedgerService) {}

  /**
   * Applies every usable credit of the reseller; the caller holds the reseller's receivables lock.
   * Each application is dated the later of the two invoices' issue dates and `onOrAfter` (the date
   * of the event that made it possible: an issue, a refund re-opening an invoice). Returns the
   * number of applications.
   */
  async applyCredits(
    em: EntityManager,
    resellerId: string,
    currency: Currency,
    onOrAfter: string | null = null,
    createdBy: string | null = null,
  ): Promise<number> {
    const [{ any }] = await queryPrepared<{ any: boolean }>(em, ANY_CREDIT, [resellerId, currency]);
    if (!any) return 0;
    const rows: CreditRow[] = await em.query(
      `SELECT i.id, i.number, to_char(i.issue_date, 'YYYY-MM-DD') AS issue_date, i.hardware_open::text AS hardware_open,
              i.cloud_open::text AS cloud_open
         FROM invoices i
        WHERE i.reseller_id = $1 AND i.currency = $2 AND (i.hardware_open <> 0 OR i.cloud_open <> 0)
        ORDER BY i.issue_date, i.year, i.seq NULLS LAST, i.id FOR UPDATE`,
      [resellerId, currency],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const plan = planCreditApplications(
      rows.map((r) => ({
        id: r.id,
        open: { HARDWARE: new Dec(r.hardware_open), CLOUD: new Dec(r.cloud_open) },
      })),
    );
    for (const p of plan) {
      const from = byId.get(p.fromInvoiceId)!;
      const to = byId.get(p.toInvoiceId)!;
      const id = randomUUID();
      const date = [from.issue_date, to.issue_date, onOrAfter ?? ''].sort().at(-1)!;
      const amount = p.amount.toFixed();
      await em.query(
        `WITH a AS (
           INSERT INTO credit_applications (id, reseller_id, currency, from_invoice_id, from_line, to_invoice_id, to_line, amount, applied_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id),
         f AS (UPDATE invoices SET ${OFFSET_COLUMN[p.fromLine]} = ${OFFSET_COLUMN[p.fromLine]} - $8 WHERE id = $4 RETURNING id)
         INSERT INTO ar_movements (invoice_id, reseller_id, credit_line, currency, movement_date, kind, amount, source_type, source_id)
         SELECT t.invoice_id, $2, t.line, $3, $9, 'CREDIT_APPLICATION', t.amount, '${CREDIT_APPLICATION_SOURCE}', a.id::text
           FROM a, f, (VALUES ($4::uuid, $5::text, $8::numeric), ($6::uuid, $7::text, -$8::numeric)) AS t(invoice_id, line, amount)`,
        [id, resellerId, currency, p.fromInvoiceId, p.fromLine, p.toInvoiceId, p.toLine, amount, date],
      );
      // A separate statement: the giving and receiving rows may be the same invoice.
      await em.query(`UPDATE invoices SET ${OFFSET_COLUMN[p.toLine]} = ${OFFSET_COLUMN[p.toLine]} + $2 WHERE id = $1`, [
        p.toInvoiceId,
        amount,
      ]);
      const name = (r: CreditRow) => r.number ?? 'the invoice being issued';
      await this.ledger.post(em, {
        entryDate: date,
        memo: `Credit of ${name(from)} (${p.fromLine}) applied to ${name(to)} (${p.toLine})`.slice(0, 500),
        source: { type: CREDIT_APPLICATION_SOURCE, id },
        createdBy,
        // Both sides at their carrying values: a difference between them is realised FX (docs/accounting.md §10).
        lines: [
          { accountCode: AR_ACCOUNT[p.fromLine], resellerId, currency, debit: p.amount, baseAt: 'carrying' },
          { accountCode: AR_ACCOUNT[p.toLine], resellerId, currency, credit: p.amount, baseAt: 'carrying' },
        ],
        fxDifferenceAccount: AccountCode.FxRealised,
      });
    }
    return plan.length;
  }
}
