import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LedgerService, PeriodCloseCheck, PeriodCloseFinding, totalsByCurrency } from '#disty/ledger';

/**
 * Month-end check (docs/accounting.md §9): invoiced cloud charges whose service days up to the
 * month's last day are not all recognised yet — the recognition run through that day has not run,
 * or stopped — with the revenue still to release for them (what 2400 holds beyond the month).
 */
@Injectable()
export class UnrecognisedRevenueCheck implements PeriodCloseCheck, OnModuleInit {
  readonly name = 'unrecognised-revenue';

  constructor(private readonly ledger: LedgerService) {}

  onModuleInit(): void {
    this.ledger.registerCloseCheck(this);
  }

  async find(em: EntityManager, month: { to: string }): Promise<PeriodCloseFinding | null> {
    const rows: Array<{
      charge_id: string;
      sku: string;
      currency: string;
      through: string | null;
      due: string;
    }> = await em.query(
      `WITH c AS (
         SELECT l.source_id AS charge_id, l.sku, i.currency, l.net, l.period_start,
                l.period_end - l.period_start + 1 AS days, least(l.period_end, $1::date) - l.period_start + 1 AS elapsed,
                CASE WHEN i.currency = 'JPY' THEN 0 ELSE 2 END AS scale
           FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
          WHERE l.source_type = 'subscription_charge' AND l.net <> 0 AND i.seq IS NOT NULL
            AND i.issue_date <= $1 AND l.period_start <= $1),
       r AS (
         SELECT c.*, (SELECT max(r.to_date) FROM revenue_recognitions r WHERE r.charge_id = c.charge_id) AS through,
                (SELECT coalesce(sum(r.revenue), 0) FROM revenue_recognitions r WHERE r.charge_id = c.charge_id) AS released
           FROM c)
       SELECT charge_id, sku, currency, to_char(through, 'YYYY-MM-DD') AS through,
              (round(net * elapsed / days, scale) - released)::text AS due
         FROM r
        WHERE coalesce(through, period_start - 1) < period_start + elapsed - 1
        ORDER BY period_start, charge_id`,
      [month.to],
    );
    if (!rows.length) return null;
    return {
      check: this.name,
      message: `${rows.length} cloud charge(s) have service days up to ${month.to} not yet recognised; run POST /ledger/recognition/run through ${month.to}`,
      count: rows.length,
      amounts: totalsByCurrency(rows.map((r) => ({ currency: r.currency, amount: r.due }))),
      items: rows.slice(0, 50).map((r) => ({
        chargeId: r.charge_id,
        sku: r.sku,
        recognisedThrough: r.through,
        due: r.due,
        currency: r.currency,
      })),
    };
  }
}
