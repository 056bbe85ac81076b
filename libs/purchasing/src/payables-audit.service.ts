// Reads cost_accruals, vendor_bills and vendor_bill_payments (owned by this module) for reconciliation (docs/accounting.md §6).
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Currency, Dec } from '#disty/core';

export interface SubledgerAmount {
  resellerId: string | null;
  currency: Currency;
  amount: Dec;
}

/**
 * The purchasing subledgers as reconciliation compares them with the ledger, in the caller's
 * snapshot (`em`):
 * - 2050 (accrued vendor costs) = the accruals no vendor bill has matched, per reseller (the
 *   accrual's) and currency; as of a date: accruals dated up to it, less those matched by bills
 *   dated up to it;
 * - 2000 (accounts payable) = the open amounts of vendor bills (gross − paid), per currency, with no
 *   reseller; as of a date: bills dated up to it less payments dated up to it.
 */
@Injectable()
export class PayablesAuditService {
  async accruedCosts(asOf: string | null, resellerId: string | null, em: EntityManager): Promise<SubledgerAmount[]> {
    const rows: Array<{ reseller_id: string | null; currency: Currency; amount: string }> = asOf
      ? await em.query(
          `SELECT reseller_id, currency, sum(amount)::text AS amount FROM (
             SELECT reseller_id, currency, amount FROM cost_accruals WHERE accrued_on <= $1::date
             UNION ALL
             SELECT a.reseller_id, a.currency, -a.amount
               FROM cost_accruals a JOIN vendor_bill_lines l ON l.id = a.vendor_bill_line_id JOIN vendor_bills b ON b.id = l.bill_id
              WHERE b.bill_date <= $1::date) x
            WHERE ($2::uuid IS NULL OR reseller_id = $2::uuid) GROUP BY 1, 2`,
          [asOf, resellerId],
        )
      : await em.query(
          `SELECT reseller_id, currency, sum(amount)::text AS amount FROM cost_accruals
            WHERE vendor_bill_line_id IS NULL AND ($1::uuid IS NULL OR reseller_id = $1::uuid) GROUP BY 1, 2`,
          [resellerId],
        );
    return rows.map((r) => ({ resellerId: r.reseller_id, currency: r.currency, amount: new Dec(r.amount) }));
  }

  /** Vendor payables belong to no reseller: a reseller-scoped reconciliation has none. */
  async openPayables(asOf: string | null, resellerId: string | null, em: EntityManager): Promise<SubledgerAmount[]> {
    if (resellerId) return [];
    const rows: Array<{ currency: Currency; amount: string }> = asOf
      ? await em.query(
          `SELECT currency, sum(amount)::text AS amount FROM (
             SELECT currency, gross AS amount FROM vendor_bills WHERE bill_date <= $1::date
             UNION ALL
             SELECT b.currency, -p.amount FROM vendor_bill_payments p JOIN vendor_bills b ON b.id = p.bill_id WHERE p.paid_on <= $1::date) x
            GROUP BY 1`,
          [asOf],
        )
      : await em.query(`SELECT currency, sum(gross - paid)::text AS amount FROM vendor_bills GROUP BY 1`);
    return rows.map((r) => ({ resellerId: null, currency: r.currency, amount: new Dec(r.amount) }));
  }
}
