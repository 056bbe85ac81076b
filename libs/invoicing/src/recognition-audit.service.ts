// Reads 2400's subledger (revenue_schedules, revenue_recognitions, revenue_deferral_credits: RevenueRecognitionService's tables) for reconciliation and ledger:verify.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, Dec } from '#disty/core';

/** One charge's deferred part as recognition sees it (for reconciliation and ledger:verify). */
export interface DeferredRevenueCell {
  resellerId: string;
  currency: Currency;
  amount: Dec;
}

export interface RecognitionFinding {
  check: string;
  chargeId: string;
  resellerId: string;
  currency: Currency;
  expected: Dec;
  actual: Dec;
  message: string;
}

/** What 2400 should hold per reseller and currency, and the checks that each charge's releases explain themselves. */
@Injectable()
export class RecognitionAuditService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * What 2400 should hold per reseller and currency, from the subledger: every invoiced cloud line's
   * net (from the day it entered 2400: its issue date, or the migration's date for charges invoiced
   * before deferral), less what credit notes took from it and what recognition released. Legacy
   * earned days (released before the line ever reached 2400) are left out on both sides.
   */
  async deferredBalances(
    asOf: string | null,
    resellerId: string | null,
    em: EntityManager = this.db.manager,
  ): Promise<DeferredRevenueCell[]> {
    if (em.queryRunner?.isTransactionActive) await em.query(`SET LOCAL jit = off`); // see RevenueRecognitionService.runIn
    const rows: Array<{ reseller_id: string; currency: Currency; amount: string }> = await em.query(
      `SELECT reseller_id, currency, sum(amount)::text AS amount FROM (
         SELECT l.reseller_id, i.currency, l.net - coalesce(s.legacy_recognised, 0) AS amount
           FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
           LEFT JOIN revenue_schedules s ON s.charge_id = l.source_id
          WHERE l.credit_line = 'CLOUD' AND l.source_type = 'subscription_charge'
            AND ($1::date IS NULL OR coalesce(s.deferred_on, i.issue_date) <= $1::date)
         UNION ALL
         SELECT reseller_id, currency, -amount FROM revenue_deferral_credits WHERE $1::date IS NULL OR issued_on <= $1::date
         UNION ALL
         SELECT r.reseller_id, r.currency, -r.revenue FROM revenue_recognitions r JOIN revenue_schedules s ON s.charge_id = r.charge_id
          WHERE r.to_date - s.period_start + 1 > s.legacy_days AND ($1::date IS NULL OR r.recognised_on <= $1::date)) x
        WHERE ($2::uuid IS NULL OR reseller_id = $2::uuid)
        GROUP BY 1, 2`,
      [asOf, resellerId],
    );
    return rows.map((r) => ({ resellerId: r.reseller_id, currency: r.currency, amount: new Dec(r.amount) }));
  }

  /**
   * Per charge: its releases add up to its recorded progress, cover each day once and in order,
   * never exceed what it may release, and a fully served charge has released exactly its invoiced
   * net less what credit notes took from 2400 (recognised + deferred = invoiced net).
   */
  async findings(em: EntityManager = this.db.manager): Promise<RecognitionFinding[]> {
    const rows: Array<{
      charge_id: string;
      reseller_id: string;
      currency: Currency;
      kind: string;
      expected: string;
      actual: string;
    }> = await em.query(
      `WITH r AS (
         SELECT charge_id, sum(revenue) AS revenue, sum(days)::int AS days, count(*)::int AS n, min(from_date) AS first_day, max(to_date) AS last_day
           FROM revenue_recognitions GROUP BY charge_id),
       s AS (
         SELECT s.*, coalesce(r.revenue, 0) AS rec_revenue, coalesce(r.days, 0) AS rec_days, r.first_day, r.last_day
           FROM revenue_schedules s LEFT JOIN r ON r.charge_id = s.charge_id)
       SELECT charge_id, reseller_id, currency, 'recognised-revenue' AS kind, recognised_revenue::text AS expected, rec_revenue::text AS actual
         FROM s WHERE rec_revenue <> recognised_revenue
       UNION ALL
       SELECT charge_id, reseller_id, currency, 'recognised-days', recognised_days::text, rec_days::text
         FROM s WHERE rec_days <> recognised_days
            OR (rec_days > 0 AND (first_day <> period_start OR last_day <> period_start + recognised_days - 1))
       UNION ALL
       SELECT charge_id, reseller_id, currency, 'fully-recognised', (net - credited_deferred)::text, recognised_revenue::text
         FROM s WHERE recognised_days = days AND recognised_revenue <> net - credited_deferred
       UNION ALL
       SELECT charge_id, reseller_id, currency, 'over-recognised', (net - credited_deferred)::text, recognised_revenue::text
         FROM s WHERE abs(recognised_revenue) > abs(net - credited_deferred) OR sign(recognised_revenue) * sign(net) < 0`,
    );
    return rows.map((r) => ({
      check: r.kind,
      chargeId: r.charge_id,
      resellerId: r.reseller_id,
      currency: r.currency,
      expected: new Dec(r.expected),
      actual: new Dec(r.actual),
      message: `charge ${r.charge_id}: ${r.kind} expected ${r.expected}, actual ${r.actual}`,
    }));
  }
}
