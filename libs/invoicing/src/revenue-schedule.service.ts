// Reads revenue_schedules, revenue_recognitions and revenue_deferral_credits (RevenueRecognitionService's tables).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { addDays, CURRENCY_MINOR_UNITS, Currency, Dec, moneyString, notFound, ReadDatabase } from '#disty/core';
import { AccountCode, LedgerService } from '#disty/ledger';
import { SubscriptionService } from '#disty/subscription';
import { DeferredRevenueReportView, DeferredRevenueRowView, RevenueScheduleView, ScheduleChargeView } from './dto/recognition.dto';
import { releasedThrough } from './domain/recognition-math';

interface ChargeStateRow {
  charge_id: string;
  invoice_id: string;
  invoice_line_id: string;
  currency: Currency;
  period_start: string;
  period_end: string;
  days: number;
  net: string;
  cost: string;
  credited_deferred: string;
  base_days: number;
  base_amount: string;
  recognised_days: number;
  recognised_revenue: string;
}

interface RecognitionRow {
  charge_id: string;
  period: string;
  days: number;
  revenue: string;
  entry_source_id: string | null;
}

/** GET /subscriptions/:id/revenue-schedule and GET /reports/deferred-revenue (docs/accounting.md §7). */
@Injectable()
export class RevenueScheduleService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly subscriptions: SubscriptionService,
    private readonly ledger: LedgerService,
    private readonly reads: ReadDatabase,
  ) {}

  /**
   * Each invoiced charge of the subscription, month by month: the days, what the month releases
   * (recognised rows, and for days not yet released the projection from the charge's state), whether
   * it is recognised and by which entries, and what remains deferred after it. Another reseller's
   * subscription is a 404.
   */
  async schedule(subscriptionId: string, scope: string | null): Promise<RevenueScheduleView> {
    const s = await this.subscriptions.findRow(this.db.manager, subscriptionId, scope);
    if (!s) throw notFound(`Subscription ${subscriptionId}`);
    const charges: ChargeStateRow[] = await this.db.query(
      `SELECT c.charge_id, l.invoice_id, l.id AS invoice_line_id, i.currency,
              to_char(l.period_start, 'YYYY-MM-DD') AS period_start, to_char(l.period_end, 'YYYY-MM-DD') AS period_end,
              l.period_end - l.period_start + 1 AS days, l.net::text AS net, coalesce(s.cost, c.cost, 0)::text AS cost,
              coalesce(s.credited_deferred, 0)::text AS credited_deferred, coalesce(s.base_days, 0) AS base_days,
              coalesce(s.base_amount, 0)::text AS base_amount, coalesce(s.recognised_days, 0) AS recognised_days,
              coalesce(s.recognised_revenue, 0)::text AS recognised_revenue
         FROM cloud_charge_costs c
         JOIN invoice_lines l ON l.source_id = c.charge_id AND l.credit_line = 'CLOUD' AND l.source_type = 'subscription_charge'
         JOIN invoices i ON i.id = l.invoice_id
         LEFT JOIN revenue_schedules s ON s.charge_id = c.charge_id
        WHERE c.subscription_id = $1
        ORDER BY l.period_start, i.issue_date, c.charge_id`,
      [subscriptionId],
    );
    const rows: RecognitionRow[] = await this.db.query(
      `SELECT charge_id, to_char(period, 'YYYY-MM') AS period, days, revenue::text AS revenue, entry_source_id
         FROM revenue_recognitions WHERE subscription_id = $1 ORDER BY charge_id, from_date`,
      [subscriptionId],
    );
    return {
      subscriptionId,
      charges: charges.map((c) =>
        scheduleOf(
          c,
          rows.filter((r) => r.charge_id === c.charge_id),
        ),
      ),
    };
  }

  /**
   * The roll-forward of 2400 for asOf's month, per currency (and per reseller): opening (as of the
   * day before the month's first), invoiced, credited, released, closing, all from the subledger,
   * beside 2400's ledger balance as of asOf. In one snapshot on the read replica when one is
   * configured (docs/operations.md §15).
   */
  async deferredRevenue(asOf: string, resellerId: string | null, byReseller: boolean): Promise<DeferredRevenueReportView> {
    const from = `${asOf.slice(0, 7)}-01`;
    const opening = addDays(from, -1);
    const { rows, ledger } = await this.reads.read(async (em) => ({
      rows: (await em.query(
        `SELECT reseller_id, currency,
                coalesce(sum(amount) FILTER (WHERE on_date <= $1::date), 0)::text AS opening,
                coalesce(sum(amount) FILTER (WHERE kind = 'invoiced' AND on_date > $1::date AND on_date <= $2::date), 0)::text AS invoiced,
                coalesce(-sum(amount) FILTER (WHERE kind = 'credited' AND on_date > $1::date AND on_date <= $2::date), 0)::text AS credited,
                coalesce(-sum(amount) FILTER (WHERE kind = 'released' AND on_date > $1::date AND on_date <= $2::date), 0)::text AS released
           FROM (
             SELECT 'invoiced' AS kind, l.reseller_id, i.currency, coalesce(s.deferred_on, i.issue_date) AS on_date, l.net - coalesce(s.legacy_recognised, 0) AS amount
               FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
               LEFT JOIN revenue_schedules s ON s.charge_id = l.source_id
              WHERE l.credit_line = 'CLOUD' AND l.source_type = 'subscription_charge'
             UNION ALL
             SELECT 'credited', reseller_id, currency, issued_on, -amount FROM revenue_deferral_credits
             UNION ALL
             SELECT 'released', r.reseller_id, r.currency, r.recognised_on, -r.revenue
               FROM revenue_recognitions r JOIN revenue_schedules s ON s.charge_id = r.charge_id
              WHERE r.to_date - s.period_start + 1 > s.legacy_days) x
          WHERE on_date <= $2::date AND ($3::uuid IS NULL OR reseller_id = $3::uuid)
          GROUP BY 1, 2 ORDER BY 2, 1`,
        [opening, asOf, resellerId],
      )) as Array<{
        reseller_id: string;
        currency: Currency;
        opening: string;
        invoiced: string;
        credited: string;
        released: string;
      }>,
      ledger: await this.ledger.balancesAsOf([AccountCode.DeferredRevenue], asOf, em),
    }));
    type Acc = {
      resellerId: string | null;
      currency: Currency;
      opening: Dec;
      invoiced: Dec;
      credited: Dec;
      released: Dec;
      ledger: Dec;
    };
    const cells = new Map<string, Acc>();
    const cell = (r: string | null, c: Currency) => {
      const k = `${r ?? ''}|${c}`;
      const x = cells.get(k) ?? {
        resellerId: r,
        currency: c,
        opening: new Dec(0),
        invoiced: new Dec(0),
        credited: new Dec(0),
        released: new Dec(0),
        ledger: new Dec(0),
      };
      cells.set(k, x);
      return x;
    };
    for (const r of rows) {
      const x = cell(r.reseller_id, r.currency);
      x.opening = x.opening.plus(r.opening);
      x.invoiced = x.invoiced.plus(r.invoiced);
      x.credited = x.credited.plus(r.credited);
      x.released = x.released.plus(r.released);
    }
    for (const b of ledger) {
      if (resellerId && b.resellerId !== resellerId) continue;
      const x = cell(b.resellerId, b.currency);
      x.ledger = x.ledger.plus(b.credit.minus(b.debit));
    }
    const view = (x: Acc): DeferredRevenueRowView => {
      const closing = x.opening.plus(x.invoiced).minus(x.credited).minus(x.released);
      const m = (d: Dec) => moneyString(d, x.currency);
      return {
        ...(byReseller || x.resellerId ? { resellerId: x.resellerId } : {}),
        currency: x.currency,
        opening: m(x.opening),
        invoiced: m(x.invoiced),
        credited: m(x.credited),
        released: m(x.released),
        closing: m(closing),
        ledgerClosing: m(x.ledger),
        difference: m(x.ledger.minus(closing)),
      };
    };
    const totals = new Map<Currency, Acc>();
    for (const x of cells.values()) {
      const t = totals.get(x.currency) ?? {
        resellerId: null,
        currency: x.currency,
        opening: new Dec(0),
        invoiced: new Dec(0),
        credited: new Dec(0),
        released: new Dec(0),
        ledger: new Dec(0),
      };
      t.opening = t.opening.plus(x.opening);
      t.invoiced = t.invoiced.plus(x.invoiced);
      t.credited = t.credited.plus(x.credited);
      t.released = t.released.plus(x.released);
      t.ledger = t.ledger.plus(x.ledger);
      totals.set(x.currency, t);
    }
    return {
      from,
      asOf,
      totals: [...totals.values()].map((t) => {
        const v = view(t);
        delete v.resellerId;
        return v;
      }),
      ...(byReseller ? { resellers: [...cells.values()].map(view) } : {}),
    };
  }
}

/** One charge's months: recognised rows as recorded, the rest projected from its state. */
function scheduleOf(c: ChargeStateRow, rows: RecognitionRow[]): ScheduleChargeView {
  const scale = CURRENCY_MINOR_UNITS[c.currency];
  const netEff = new Dec(c.net).minus(c.credited_deferred);
  const state = { netEff, baseDays: c.base_days, baseAmount: new Dec(c.base_amount), days: c.days, scale };
  const months: ScheduleChargeView['months'] = [];
  let cumulative = new Dec(0);
  let day = 0; // service days before the current month
  let month = c.period_start.slice(0, 7);
  while (day < c.days) {
    const monthStart = day === 0 ? c.period_start : `${month}-01`;
    const monthEnd = lastDay(month) < c.period_end ? lastDay(month) : c.period_end;
    const daysIn = dayDiff(monthStart, monthEnd) + 1;
    const first = day + 1;
    const last = day + daysIn;
    const mine = rows.filter((r) => r.period === month);
    const recognisedAmount = mine.reduce((s, r) => s.plus(r.revenue), new Dec(0));
    const recognisedDays = mine.reduce((s, r) => s + r.days, 0);
    const fromDay = Math.max(first - 1, c.recognised_days);
    const projected = last > c.recognised_days ? releasedThrough(state, last).minus(releasedThrough(state, fromDay)) : new Dec(0);
    const amount = recognisedAmount.plus(projected);
    cumulative = cumulative.plus(amount);
    months.push({
      period: month,
      days: daysIn,
      amount: moneyString(amount, c.currency),
      recognised: recognisedDays === daysIn,
      recognisedDays,
      recognisedAmount: moneyString(recognisedAmount, c.currency),
      entries: [...new Set(mine.map((r) => r.entry_source_id).filter((e): e is string => !!e))],
      remainingDeferred: moneyString(netEff.minus(cumulative), c.currency),
    });
    day = last;
    month = addDays(lastDay(month), 1).slice(0, 7);
  }
  const recognised = new Dec(c.recognised_revenue);
  return {
    chargeId: c.charge_id,
    invoiceId: c.invoice_id,
    invoiceLineId: c.invoice_line_id,
    currency: c.currency,
    periodStart: c.period_start,
    periodEnd: c.period_end,
    days: c.days,
    net: moneyString(new Dec(c.net), c.currency),
    creditedFromDeferred: moneyString(new Dec(c.credited_deferred), c.currency),
    recognised: moneyString(recognised, c.currency),
    deferred: moneyString(netEff.minus(recognised), c.currency),
    months,
  };
}

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

function dayDiff(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}
