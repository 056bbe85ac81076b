// Owns the subscription_charges a seat change or cancellation writes: prorations, cancellation credits, reduced unbilled periods.
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Dec } from '#disty/core';
import { PlannedAdjustment } from './domain/change-plan';
import { prorate } from './domain/proration';
import { chargeCost } from './domain/schedule';
import { subscriptionError, SubscriptionErrorCode } from './errors';
import type { InvoicedCredit } from './subscription-change.service';
import { NewCharge, SubscriptionService } from './subscription.service';
import { returnedRows, SubscriptionRow } from './subscription.sql';

/**
 * The charges side of a subscription change (SubscriptionChangeService): the term's scheduled
 * charges locked and read, the planned adjustments split between charges and credits owed for
 * invoiced service, and the adjustments written.
 */
@Injectable()
export class ChangeChargesService {
  constructor(private readonly subscriptions: SubscriptionService) {}

  /** Locks the term's scheduled charges and returns the period starts already invoiced. */
  async lockScheduledCharges(em: EntityManager, termId: string): Promise<Set<string>> {
    const rows: Array<{ period_start: string; billed: boolean }> = await em.query(
      `SELECT to_char(period_start, 'YYYY-MM-DD') AS period_start, billed_invoice_id IS NOT NULL AS billed
         FROM subscription_charges WHERE term_id = $1 AND kind = 'TERM' ORDER BY period_start FOR UPDATE`,
      [termId],
    );
    return new Set(rows.filter((r) => r.billed).map((r) => r.period_start));
  }

  /**
   * For a back-dated change, a credit on a period already invoiced is taken out of the charges (it
   * becomes a credit note against that invoice), and a credit on a period not yet invoiced reduces
   * that period's scheduled charge; increases stay charges (billed on the next invoice). In an
   * invoiced period, the part of a credit for seats whose increase is not invoiced yet stays a
   * (negative) charge beside that pending increase: only invoiced service is credit-noted.
   */
  async splitInvoicedCredits(
    em: EntityManager,
    s: SubscriptionRow,
    termId: string,
    changeId: string,
    date: string,
    adjustments: PlannedAdjustment[],
    billed: Set<string>,
    opts: { creditInvoiced: boolean },
    describe: (a: PlannedAdjustment) => string,
  ): Promise<{ charged: PlannedAdjustment[]; invoicedCredits: InvoicedCredit[] }> {
    if (!opts.creditInvoiced) return { charged: adjustments, invoicedCredits: [] };
    const charged: PlannedAdjustment[] = [];
    const invoicedCredits: InvoicedCredit[] = [];
    for (const a of adjustments) {
      if (!a.amount.isNegative()) {
        charged.push(a);
        continue;
      }
      if (!billed.has(a.period.start)) {
        // Not invoiced yet: the period's scheduled charge is simply reduced (no separate negative line),
        // and its cost by the same share at the unit cost (docs/accounting.md §4).
        const costDelta = chargeCost(a.amount, new Dec(s.unit_price), s.unit_cost == null ? null : new Dec(s.unit_cost), s.currency);
        const reduced = returnedRows<{ id: string }>(
          await em.query(
            `UPDATE subscription_charges SET amount = amount + $3, description = description || $4,
                    cost = CASE WHEN cost IS NULL OR $5::numeric IS NULL THEN cost ELSE greatest(cost + $5::numeric, 0) END
              WHERE term_id = $1 AND kind = 'TERM' AND period_start = $2 AND billed_invoice_id IS NULL AND voided_at IS NULL
                AND amount + $3 >= 0
              RETURNING id`,
            [
              termId,
              a.period.start,
              a.amount.toFixed(),
              ` (less ${a.amount.negated().toFixed()}: ${describe(a)})`.slice(0, 400),
              costDelta?.toFixed() ?? null,
            ],
          ),
        );
        if (!reduced.length) charged.push(a);
        continue;
      }
      // Seats added to this invoiced period by changes not invoiced yet (their prorations are still
      // pending, all dated on or before this change): their part of the credit reduces those
      // pending charges on the next invoice; only the invoiced seats' part is a credit note.
      const [{ pending }]: Array<{ pending: number }> = await em.query(
        `SELECT coalesce(sum(quantity), 0)::int AS pending FROM subscription_charges
          WHERE term_id = $1 AND period_start = $2 AND kind = 'PRORATION' AND billed_invoice_id IS NULL AND voided_at IS NULL`,
        [termId, a.period.start],
      );
      const unbilledSeats = Math.min(Math.max(pending, 0), Math.max(-a.deltaQuantity, 0));
      let credit = a.amount;
      if (unbilledSeats > 0) {
        // The invoiced seats' part is prorated on its own (so it never exceeds what their charges
        // billed by a rounding cent); the pending charges take the rest.
        const from = date < a.period.start ? a.period.start : date;
        const invoicedSeats = Math.max(-a.deltaQuantity - unbilledSeats, 0);
        credit = Dec.min(Dec.max(prorate(new Dec(s.unit_price), a.period, -invoicedSeats, from, s.currency), a.amount), 0);
        const unbilled = a.amount.minus(credit);
        if (!unbilled.isZero()) charged.push({ period: a.period, amount: unbilled, deltaQuantity: -unbilledSeats });
      }
      if (!credit.isNegative()) continue;
      const rows: Array<{ id: string }> = await em.query(
        `SELECT id FROM subscription_charges
          WHERE term_id = $1 AND period_start = $2 AND billed_invoice_id IS NOT NULL AND voided_at IS NULL AND amount > 0
          ORDER BY (kind = 'TERM') DESC, created_at, id`,
        [termId, a.period.start],
      );
      invoicedCredits.push({
        subscriptionId: s.id,
        period: { start: a.period.start, end: a.period.end },
        net: credit.negated(),
        billedChargeIds: rows.map((r) => r.id),
        currency: s.currency,
        description: describe(a),
        changeId,
      });
    }
    return { charged, invoicedCredits };
  }

  async insertAdjustments(
    em: EntityManager,
    s: SubscriptionRow,
    termId: string,
    adjustments: PlannedAdjustment[],
    meta: (a: PlannedAdjustment) => {
      kind: 'PRORATION' | 'CANCELLATION_CREDIT';
      changeId?: string;
      description: string;
    },
  ): Promise<Array<string | null>> {
    // A zero amount (a same-day change that nets out, or a price of zero) is not worth an invoice line.
    const rows = adjustments.map((a) => ({ a, keep: !a.amount.isZero() }));
    const unitPrice = new Dec(s.unit_price);
    const unitCost = s.unit_cost == null ? null : new Dec(s.unit_cost);
    const charges: NewCharge[] = rows
      .filter((r) => r.keep)
      .map(({ a }) => ({
        resellerId: s.reseller_id,
        subscriptionId: s.id,
        termId,
        sku: s.sku,
        periodStart: a.period.start,
        periodEnd: a.period.end,
        quantity: a.deltaQuantity,
        unitPrice,
        amount: a.amount,
        currency: s.currency,
        ...meta(a),
        unitCost,
        cost: chargeCost(a.amount, unitPrice, unitCost, s.currency),
      }));
    const ids = await this.subscriptions.insertCharges(em, charges);
    if (ids.some((x) => !x)) {
      throw subscriptionError(SubscriptionErrorCode.ChangeOutOfOrder, `Subscription ${s.id} was already credited for that period`);
    }
    let k = 0;
    return rows.map((r) => (r.keep ? ids[k++] : null));
  }
}
