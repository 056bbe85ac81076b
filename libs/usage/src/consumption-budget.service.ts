// Owns consumption_budgets and consumption_budget_alerts (docs/consumption.md §8).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ConsumptionCatalogService } from '#disty/catalog';
import { Clock, Currency, Dec, minorUnits, moneyString, Page, page, validationError } from '#disty/core';
import { WebhookService } from '#disty/webhooks';
import { ConsumptionSubscriptionService } from './consumption-subscription.service';
import { daysElapsed, daysInMonth, runRateForecast } from './domain/forecast';
import { BudgetAlertView, BudgetView, UsageSummaryView } from './dto/consumption-budget.dto';

interface AlertRow {
  id: string;
  subscription_id: string;
  reseller_id: string;
  month: string;
  currency: string;
  budget: string;
  month_to_date: string;
  forecast: string;
  raised_at: Date;
}

/**
 * Monthly budgets per consumption subscription, the run-rate forecast beside them, and the alert
 * (`consumption.forecast_over_budget`, and a record the reseller lists) raised once per
 * subscription and month when, after an import, the forecast passes the budget.
 */
@Injectable()
export class ConsumptionBudgetService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly subscriptions: ConsumptionSubscriptionService,
    private readonly catalog: ConsumptionCatalogService,
    private readonly webhooks: WebhookService,
    private readonly clock: Clock,
  ) {}

  async setBudget(id: string, scope: string | null, monthlyAmount: string): Promise<BudgetView> {
    const sub = await this.subscriptions.get(id, scope);
    const amount = new Dec(monthlyAmount);
    if (amount.decimalPlaces() > minorUnits(sub.currency)) {
      throw validationError(`monthlyAmount has more decimals than ${sub.currency} allows`, [
        { field: 'monthlyAmount', message: `at most ${minorUnits(sub.currency)} decimals` },
      ]);
    }
    await this.db.query(
      `INSERT INTO consumption_budgets (subscription_id, reseller_id, currency, monthly_amount) VALUES ($1, $2, $3, $4::numeric)
       ON CONFLICT (subscription_id) DO UPDATE SET monthly_amount = EXCLUDED.monthly_amount, updated_at = now()`,
      [sub.id, sub.resellerId, sub.currency, amount.toFixed()],
    );
    return this.getBudget(id, scope);
  }

  async getBudget(id: string, scope: string | null): Promise<BudgetView> {
    const sub = await this.subscriptions.get(id, scope);
    const budget = await this.budgetOf(this.db.manager, sub.id);
    return {
      subscriptionId: sub.id,
      currency: sub.currency,
      monthlyAmount: budget ? moneyString(budget, sub.currency) : null,
    };
  }

  /** Month to date, forecast and budget of one subscription, in total and per meter. */
  async summary(id: string, scope: string | null, month?: string): Promise<UsageSummaryView> {
    const sub = await this.subscriptions.get(id, scope);
    return this.summaryOf(this.db.manager, sub, month ?? this.clock.today().slice(0, 7));
  }

  private async summaryOf(
    em: EntityManager,
    sub: { id: string; vendorId: string; currency: Currency },
    month: string,
  ): Promise<UsageSummaryView> {
    const rows: Array<{ meter_id: string; quantity: string; net: string; latest: string }> = await em.query(
      `SELECT meter_id, sum(quantity)::text AS quantity, sum(rated_net)::text AS net, to_char(max(usage_date), 'YYYY-MM-DD') AS latest
         FROM usage_records
        WHERE subscription_id = $1 AND superseded_at IS NULL AND usage_date >= $2::date AND usage_date < ($2::date + interval '1 month')
        GROUP BY meter_id`,
      [sub.id, `${month}-01`],
    );
    const meters = new Map((await this.catalog.vendorMeters(sub.vendorId, em)).map((m) => [m.id, m]));
    const latest = rows.reduce<string | null>((a, r) => (a && a > r.latest ? a : r.latest), null);
    const elapsed = daysElapsed(month, this.clock.today(), latest);
    const days = daysInMonth(month);
    const c = sub.currency;
    const mtd = rows.reduce((a, r) => a.plus(r.net), new Dec(0));
    const forecast = runRateForecast(mtd, elapsed, days);
    const budget = await this.budgetOf(em, sub.id);
    return {
      subscriptionId: sub.id,
      month,
      currency: c,
      monthToDate: moneyString(mtd, c),
      daysElapsed: elapsed,
      daysInMonth: days,
      forecast: moneyString(forecast, c),
      budget: budget ? moneyString(budget, c) : null,
      overBudget: budget !== null && forecast.toDecimalPlaces(minorUnits(c), Dec.ROUND_HALF_UP).gt(budget),
      meters: rows
        .map((r) => {
          const m = meters.get(r.meter_id);
          return {
            meterId: m?.meterId ?? r.meter_id,
            name: m?.name ?? '',
            unit: m?.unit ?? '',
            quantity: new Dec(r.quantity).toFixed(6),
            monthToDate: moneyString(new Dec(r.net), c),
            forecast: moneyString(runRateForecast(new Dec(r.net), elapsed, days), c),
          };
        })
        .sort((a, b) => (a.meterId < b.meterId ? -1 : 1)),
    };
  }

  /**
   * After an import: each budgeted subscription of a reseller it posted usage for, for each month it posted in, raises the
   * forecast alert if the forecast passes the budget and none was raised for that month yet.
   */
  async evaluateImport(importId: string): Promise<number> {
    const touched: Array<{ subscription_id: string; month: string }> = await this.db.query(
      // The months the import posted usage in, per reseller (usage_postings is indexed by import), and that reseller's budgeted subscriptions.
      `SELECT DISTINCT b.subscription_id, to_char(p.usage_date, 'YYYY-MM') AS month
         FROM usage_postings p JOIN consumption_budgets b ON b.reseller_id = p.reseller_id
        WHERE p.import_id = $1 ORDER BY 1, 2`,
      [importId],
    );
    let raised = 0;
    const subs = await this.subscriptions.byIds(touched.map((t) => t.subscription_id));
    for (const t of touched) {
      const sub = subs.get(t.subscription_id);
      if (!sub) continue;
      raised += await this.db.transaction(async (em) => {
        const s = await this.summaryOf(em, sub, t.month);
        if (!s.overBudget) return 0;
        const rows: AlertRow[] = await em.query(
          `INSERT INTO consumption_budget_alerts (subscription_id, reseller_id, month, currency, budget, month_to_date, forecast)
           VALUES ($1, $2, $3, $4, $5::numeric, $6::numeric, $7::numeric)
           ON CONFLICT (subscription_id, month) DO NOTHING RETURNING id, raised_at`,
          [sub.id, sub.resellerId, t.month, sub.currency, s.budget, s.monthToDate, s.forecast],
        );
        if (!rows.length) return 0;
        await this.webhooks.enqueue(em, sub.resellerId, 'consumption.forecast_over_budget', {
          alertId: rows[0].id,
          subscriptionId: sub.id,
          tenantId: sub.tenantId,
          endCustomer: sub.endCustomer,
          month: t.month,
          currency: sub.currency,
          budget: s.budget,
          monthToDate: s.monthToDate,
          forecast: s.forecast,
        });
        return 1;
      });
    }
    return raised;
  }

  /** Forecast alerts, newest first (the reseller's pipeline of likely bill shocks). */
  async alerts(scope: string | null, q: { subscriptionId?: string; page: number; pageSize: number }): Promise<Page<BudgetAlertView>> {
    const rows: Array<AlertRow & { total: number }> = await this.db.query(
      `SELECT id, subscription_id, reseller_id, month, currency, budget::text, month_to_date::text, forecast::text, raised_at, count(*) OVER ()::int AS total
         FROM consumption_budget_alerts
        WHERE ($1::uuid IS NULL OR reseller_id = $1) AND ($2::uuid IS NULL OR subscription_id = $2)
        ORDER BY raised_at DESC, id LIMIT $3 OFFSET $4`,
      [scope, q.subscriptionId ?? null, q.pageSize, (q.page - 1) * q.pageSize],
    );
    const subs = await this.subscriptions.byIds(rows.map((r) => r.subscription_id));
    return page(
      rows.map((r) => {
        const c = r.currency.trim() as Currency;
        const s = subs.get(r.subscription_id);
        return {
          id: r.id,
          subscriptionId: r.subscription_id,
          resellerId: r.reseller_id,
          tenantId: s?.tenantId ?? '',
          endCustomer: s?.endCustomer ?? '',
          month: r.month,
          currency: c,
          budget: moneyString(new Dec(r.budget), c),
          monthToDate: moneyString(new Dec(r.month_to_date), c),
          forecast: moneyString(new Dec(r.forecast), c),
          raisedAt: r.raised_at.toISOString(),
        };
      }),
      rows[0]?.total ?? 0,
      q,
    );
  }

  private async budgetOf(em: EntityManager, subscriptionId: string): Promise<Dec | null> {
    const [b]: Array<{ amount: string }> = await em.query(
      `SELECT monthly_amount::text AS amount FROM consumption_budgets WHERE subscription_id = $1`,
      [subscriptionId],
    );
    return b ? new Dec(b.amount) : null;
  }
}
