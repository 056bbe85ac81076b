// Owns revenue_schedules, revenue_recognitions (2400's subledger), revenue_deferral_credits and revenue_recognition_runs: the recognition run and credit notes' deferred part (audit: RecognitionAuditService).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  Clock,
  CURRENCY_MINOR_UNITS,
  Currency,
  Dec,
  isValidCalendarDate,
  retryOnConflict,
  tryWithAdvisoryLock,
  validationError,
  withAdvisoryLock,
} from '#disty/core';
import { AccountCode, credit, debit, LedgerBatchService, LedgerService, PostEntryInput, PostingLine } from '#disty/ledger';
import { CostAccrualService } from '#disty/purchasing';
import { invoicingError, InvoicingErrorCode } from './errors';

/** The advisory lock a recognition run holds for its whole transaction; a cloud credit note takes it too. */
export const RECOGNITION_LOCK = 'disty:revenue-recognition';
export const RECOGNITION_SOURCE = 'recognition';

export interface RecognitionEntrySummary {
  entryId: string;
  entryDate: string;
  sourceId: string;
  revenue: Record<string, string>;
  cost: Record<string, string>;
}

export interface RecognitionRunResult {
  runId: string;
  through: string;
  /** Charge-month slices released by this run (0 when everything through `through` was released already). */
  slices: number;
  entries: RecognitionEntrySummary[];
}

/** Each currency's minor units as a SQL expression over `i.currency` (constants from core, no input). */
const SCALE_SQL = `CASE i.currency ${Object.entries(CURRENCY_MINOR_UNITS)
  .map(([c, n]) => `WHEN '${c}' THEN ${n}`)
  .join(' ')} ELSE 2 END`;

/**
 * Cloud revenue follows service (docs/accounting.md §3, "revenue recognition"): an invoiced cloud
 * charge's net sits in 2400 and is released to 4100 over its service days (period start to end,
 * inclusive), 1/N a day, summed per month, with cumulative rounding (released through day d =
 * round(net × d / N)), so the releases of a charge add up to its net to the cent. Its cost is
 * accrued the same way (5100 / 2050, and a cost_accruals row per slice). A day is released once
 * it is on or before `through` and its charge's invoice is issued on or before `through`.
 *
 * The run is set-based: one statement adds the schedules of newly invoiced charges, one slices
 * every open schedule per month with generate_series into a temporary table, then the ledger gets
 * one entry per posting date (lines per reseller and currency), the subledger one row per slice,
 * the schedules their progress, all in one transaction under an advisory lock.
 */
@Injectable()
export class RevenueRecognitionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly accruals: CostAccrualService,
    private readonly clock: Clock,
    private readonly batches: LedgerBatchService,
  ) {}

  /** The default `through`: yesterday (today's service has not elapsed yet). */
  defaultThrough(): string {
    const d = new Date(`${this.clock.today()}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - 1);
    return d.toISOString().slice(0, 10);
  }

  /**
   * POST /ledger/recognition/run: waits for a run in progress, then runs. Retried on a deadlock
   * (its entries share balance rows with invoices and payments posting meanwhile).
   */
  async run(through: string, createdBy: string | null): Promise<RecognitionRunResult> {
    await this.checkThrough(through);
    return retryOnConflict(() => withAdvisoryLock(this.db, RECOGNITION_LOCK, (em) => this.runIn(em, through, createdBy)));
  }

  /** The daily job: skips when another instance is running it. */
  async runIfFree(through: string): Promise<RecognitionRunResult | null> {
    await this.checkThrough(through);
    return retryOnConflict(() => tryWithAdvisoryLock(this.db, RECOGNITION_LOCK, (em) => this.runIn(em, through, null)));
  }

  private async checkThrough(through: string): Promise<void> {
    if (!isValidCalendarDate(through)) {
      throw validationError('through must be a calendar date (YYYY-MM-DD)', [{ field: 'through', message: 'must be YYYY-MM-DD' }]);
    }
    const today = this.clock.today();
    if (through > today) {
      throw invoicingError(
        InvoicingErrorCode.FutureDated,
        `through ${through} is after today (${today}): only elapsed service is recognised`,
        {
          field: 'through',
          through,
          today,
        },
      );
    }
    const closed = await this.ledger.closedPeriodSince(through);
    if (closed && closed === through.slice(0, 7)) {
      throw invoicingError(
        InvoicingErrorCode.PeriodClosed,
        `through ${through} is in ${closed}, a closed month: its recognition cannot be posted any more`,
        {
          field: 'through',
          through,
          period: closed,
        },
      );
    }
  }

  private async runIn(em: EntityManager, through: string, createdBy: string | null): Promise<RecognitionRunResult> {
    const runId = randomUUID();
    // Set-based statements over every open charge: the planner's cost estimates would switch JIT
    // compilation on, which costs more than it saves here (and is not installed everywhere).
    await em.query(`SET LOCAL jit = off`);
    await this.addSchedules(em, through, null);
    await em.query(
      `CREATE TEMP TABLE revenue_slices ON COMMIT DROP AS
       SELECT x.*, x.raw_on AS recognised_on
         FROM (
           SELECT s.charge_id, s.subscription_id, s.reseller_id, s.sku, s.vendor, s.currency, s.quantity, f.period, f.from_date, f.to_date,
                  (f.to_date - s.period_start + 1) AS d_to,
                  (s.base_amount + round((s.net - s.credited_deferred - s.base_amount) * ((f.to_date - s.period_start + 1) - s.base_days) / (s.days - s.base_days), s.scale))
                - (s.base_amount + round((s.net - s.credited_deferred - s.base_amount) * ((f.from_date - s.period_start) - s.base_days) / (s.days - s.base_days), s.scale))
                    AS revenue,
                  round(s.cost * (f.to_date - s.period_start + 1) / s.days, s.scale) - round(s.cost * (f.from_date - s.period_start) / s.days, s.scale) AS cost,
                  greatest(least(f.month_end, $1::date), s.available_on) AS raw_on
             FROM revenue_schedules s
             CROSS JOIN LATERAL generate_series(date_trunc('month', s.period_start + s.recognised_days),
                                                date_trunc('month', least(s.period_end, $1::date)), interval '1 month') gs
             CROSS JOIN LATERAL (SELECT gs::date AS period, (gs + interval '1 month' - interval '1 day')::date AS month_end) m
             CROSS JOIN LATERAL (SELECT m.period, m.month_end, greatest(s.period_start + s.recognised_days, m.period) AS from_date,
                                        least(s.period_end, $1::date, m.month_end) AS to_date) f
            WHERE NOT s.done AND s.available_on <= $1::date AND s.period_start + s.recognised_days <= $1::date) x`,
      [through],
    );
    const [{ any }]: Array<{ any: boolean }> = await em.query(`SELECT EXISTS (SELECT 1 FROM revenue_slices) AS any`);
    if (!any) {
      await em.query(`DROP TABLE revenue_slices`);
      await this.recordRun(em, runId, through, 0, 0, createdBy);
      return { runId, through, slices: 0, entries: [] };
    }
    // Statistics for the joins below (a temporary table is never analysed by autovacuum).
    await em.query(`ANALYZE revenue_slices`);
    // A slice dated in a closed month posts on the first day of the first open month.
    const months: Array<{ month: string }> = await em.query(`SELECT DISTINCT to_char(raw_on, 'YYYY-MM') AS month FROM revenue_slices`);
    for (const { month } of months) {
      const to = await this.ledger.postingDateFor(`${month}-01`, em);
      if (to.slice(0, 7) !== month) {
        await em.query(`UPDATE revenue_slices SET recognised_on = $2 WHERE to_char(raw_on, 'YYYY-MM') = $1`, [month, to]);
      }
    }
    const totals: Array<{
      recognised_on: string;
      reseller_id: string;
      currency: Currency;
      revenue: string;
      cost: string;
    }> = await em.query(
      `SELECT to_char(recognised_on, 'YYYY-MM-DD') AS recognised_on, reseller_id, currency, sum(revenue)::text AS revenue, sum(cost)::text AS cost
         FROM revenue_slices GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    const byDate = new Map<string, typeof totals>();
    for (const t of totals) {
      const list = byDate.get(t.recognised_on) ?? [];
      list.push(t);
      byDate.set(t.recognised_on, list);
    }
    // Every date's entry in one batch post (docs/accounting.md, "Batch posting"): one statement, one
    // balance update per account and day.
    const inputs: Array<{ date: string; rows: typeof totals; input: PostEntryInput }> = [];
    for (const [date, rows] of byDate) {
      const lines: PostingLine[] = rows.flatMap((r) => [
        ...debit(AccountCode.DeferredRevenue, new Dec(r.revenue), r.reseller_id, r.currency),
        ...credit(AccountCode.RevenueCloud, new Dec(r.revenue), r.reseller_id, r.currency),
        ...debit(AccountCode.CostOfCloud, new Dec(r.cost), r.reseller_id, r.currency),
        ...credit(AccountCode.AccruedVendorCosts, new Dec(r.cost), r.reseller_id, r.currency),
      ]);
      if (lines.length < 2) continue;
      const input: PostEntryInput = {
        entryDate: date,
        memo: `Revenue recognition through ${through}: cloud service days released from deferred revenue, with their cost (run ${runId})`,
        source: { type: RECOGNITION_SOURCE, id: `${runId}:${date}` },
        lines,
        createdBy,
      };
      inputs.push({ date, rows, input });
    }
    const results = await this.batches.postBatch(
      em,
      inputs.map((i) => i.input),
    );
    const posted = inputs.map((i) => i.date);
    const entries: RecognitionEntrySummary[] = inputs.map(({ date, rows, input }, k) => {
      const sum = (key: 'revenue' | 'cost') => {
        const m: Record<string, Dec> = {};
        for (const r of rows) m[r.currency] = (m[r.currency] ?? new Dec(0)).plus(r[key]);
        return Object.fromEntries(Object.entries(m).map(([c, v]) => [c, v.toFixed(CURRENCY_MINOR_UNITS[c as Currency])]));
      };
      return {
        entryId: results[k].entryId,
        entryDate: date,
        sourceId: input.source.id,
        revenue: sum('revenue'),
        cost: sum('cost'),
      };
    });
    const [{ n }]: Array<{ n: number }> = await em.query(
      `WITH ins AS (
         INSERT INTO revenue_recognitions (charge_id, subscription_id, reseller_id, sku, vendor, currency, period, from_date, to_date, days,
                                           revenue, cost, recognised_on, entry_source_id)
         SELECT charge_id, subscription_id, reseller_id, sku, vendor, currency, period, from_date, to_date, to_date - from_date + 1,
                revenue, cost, recognised_on,
                CASE WHEN recognised_on = ANY($2::date[]) THEN $1 || ':' || to_char(recognised_on, 'YYYY-MM-DD') END
           FROM revenue_slices
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      [runId, posted],
    );
    await em.query(
      `UPDATE revenue_schedules s SET recognised_days = a.d_to, recognised_revenue = s.recognised_revenue + a.revenue,
              recognised_cost = s.recognised_cost + a.cost, done = (a.d_to = s.days), updated_at = now()
         FROM (SELECT charge_id, max(d_to) AS d_to, sum(revenue) AS revenue, sum(cost) AS cost FROM revenue_slices GROUP BY charge_id) a
        WHERE s.charge_id = a.charge_id`,
    );
    // Each slice's cost accrued (2050's subledger), one row per charge and month, straight from the slices.
    await this.accruals.accrueSelected(
      em,
      `SELECT vendor, sku, reseller_id, currency, to_date AS accrued_on, quantity, cost AS amount, 'recognition' AS source_type,
              charge_id::text || ':' || to_char(from_date, 'YYYY-MM-DD') AS source_id
         FROM revenue_slices WHERE cost <> 0`,
    );
    await em.query(`DROP TABLE revenue_slices`);
    await this.recordRun(em, runId, through, n, entries.length, createdBy);
    return { runId, through, slices: n, entries };
  }

  private async recordRun(em: EntityManager, id: string, through: string, slices: number, entries: number, createdBy: string | null) {
    await em.query(`INSERT INTO revenue_recognition_runs (id, through, slices, entries, created_by) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      through,
      slices,
      entries,
      createdBy,
    ]);
  }

  /**
   * Adds the schedule of every invoiced cloud charge that has none yet: issued on or before
   * `through` (the run), or the given invoice lines (a credit note on them). Its cost and vendor
   * are read once, here, through the subscription's and catalog's read contracts.
   */
  private async addSchedules(em: EntityManager, through: string | null, lineIds: string[] | null): Promise<void> {
    // Two statements: the lines without a schedule are found first, then inserted. In one
    // INSERT … SELECT the anti-join would read the very table it fills (planned as empty, it can
    // become a nested loop over the growing table).
    await em.query(
      `CREATE TEMP TABLE new_revenue_schedules ON COMMIT DROP AS
       SELECT l.source_id AS charge_id, l.id AS invoice_line_id, l.invoice_id, c.subscription_id, l.reseller_id, l.sku,
              coalesce(v.vendor, '') AS vendor, i.currency, ${SCALE_SQL} AS scale, l.quantity, l.period_start, l.period_end,
              l.period_end - l.period_start + 1 AS days, l.net, coalesce(c.cost, 0) AS cost, i.issue_date
         FROM invoice_lines l
         JOIN invoices i ON i.id = l.invoice_id
         JOIN cloud_charge_costs c ON c.charge_id = l.source_id
         LEFT JOIN catalog_product_vendors v ON v.sku = l.sku
        WHERE l.credit_line = 'CLOUD' AND l.source_type = 'subscription_charge'
          AND ($1::date IS NULL OR i.issue_date <= $1::date) AND ($2::uuid[] IS NULL OR l.id = ANY($2::uuid[]))
          AND NOT EXISTS (SELECT 1 FROM revenue_schedules s WHERE s.charge_id = l.source_id)`,
      [through, lineIds],
    );
    const [{ added }]: Array<{ added: number }> = await em.query(
      `WITH ins AS (
         INSERT INTO revenue_schedules (charge_id, invoice_line_id, invoice_id, subscription_id, reseller_id, sku, vendor, currency, scale, quantity,
                                        period_start, period_end, days, net, cost, available_on, deferred_on)
         SELECT charge_id, invoice_line_id, invoice_id, subscription_id, reseller_id, sku, vendor, currency, scale, quantity,
                period_start, period_end, days, net, cost, issue_date, issue_date
           FROM new_revenue_schedules
         ON CONFLICT (charge_id) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS added FROM ins`,
    );
    await em.query(`DROP TABLE new_revenue_schedules`);
    // Many new schedules (a first run, a large billing run): fresh statistics for the statements
    // that read them in this transaction, so that they are planned as joins of that size.
    if (added > 10_000) await em.query(`ANALYZE revenue_schedules`);
  }

  /**
   * A credit note on cloud lines, in its transaction: the part of each credited net still deferred
   * (invoiced net − already credited from 2400 − released) comes from 2400, the rest is 4900's.
   * The schedule then releases only what stays deferred, over its remaining days (docs/accounting.md
   * §3, "credit note"). Returns the total taken from 2400.
   */
  async creditDeferred(
    em: EntityManager,
    note: { id: string; issueDate: string; resellerId: string; currency: Currency },
    lines: Array<{ invoiceLineId: string; net: Dec }>,
  ): Promise<Dec> {
    const cloud = lines.filter((l) => l.net.gt(0));
    if (!cloud.length) return new Dec(0);
    await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [RECOGNITION_LOCK]);
    const ids = cloud.map((l) => l.invoiceLineId);
    await this.addSchedules(em, null, ids);
    const rows: Array<{
      charge_id: string;
      invoice_line_id: string;
      net: string;
      credited_deferred: string;
      recognised_days: number;
      recognised_revenue: string;
    }> = await em.query(
      `SELECT charge_id, invoice_line_id, net::text AS net, credited_deferred::text AS credited_deferred, recognised_days,
                recognised_revenue::text AS recognised_revenue
           FROM revenue_schedules WHERE invoice_line_id = ANY($1::uuid[]) FOR UPDATE`,
      [ids],
    );
    let total = new Dec(0);
    for (const r of rows) {
      const asked = cloud.find((l) => l.invoiceLineId === r.invoice_line_id)!.net;
      const deferred = new Dec(r.net).minus(r.credited_deferred).minus(r.recognised_revenue);
      const part = Dec.max(0, Dec.min(asked, deferred));
      if (part.isZero()) continue;
      total = total.plus(part);
      await em.query(
        `UPDATE revenue_schedules SET credited_deferred = credited_deferred + $2, base_days = recognised_days, base_amount = recognised_revenue,
                updated_at = now() WHERE charge_id = $1`,
        [r.charge_id, part.toFixed()],
      );
      await em.query(
        `INSERT INTO revenue_deferral_credits (credit_note_id, invoice_line_id, charge_id, reseller_id, currency, issued_on, amount, base_days, base_amount)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          note.id,
          r.invoice_line_id,
          r.charge_id,
          note.resellerId,
          note.currency,
          note.issueDate,
          part.toFixed(),
          r.recognised_days,
          r.recognised_revenue,
        ],
      );
    }
    return total;
  }
}
