import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { csvText, Currency, Dec, moneyString, ReadDatabase, validationError } from '#disty/core';
import { grossMargin, MarginGroup } from './domain/margin';
import { MarginReportView, MarginRowView } from './dto/margin.dto';

export interface MarginQuery {
  from: string;
  to: string;
  groupBy: MarginGroup;
  currency?: Currency;
  resellerId?: string;
}

/** SQL for each grouping's key and label over the `margin_facts` view (docs/accounting.md §10). */
const GROUPS: Record<MarginGroup, { key: string; label: string; join: string; order: string }> = {
  reseller: {
    key: `coalesce(f.reseller_id::text, '(none)')`,
    label: `coalesce(min(r.name), '(no reseller)')`,
    join: 'LEFT JOIN reseller_names r ON r.id = f.reseller_id',
    order: 'sum(f.revenue) DESC, 1',
  },
  sku: {
    key: `coalesce(f.sku, '(none)')`,
    label: `coalesce(min(p.name), min(f.sku), '(no SKU)')`,
    join: 'LEFT JOIN catalog_product_names p ON p.sku = f.sku',
    order: 'sum(f.revenue) DESC, 1',
  },
  vendor: { key: 'f.vendor', label: 'min(f.vendor)', join: '', order: 'sum(f.revenue) DESC, 1' },
  month: {
    key: `to_char(f.recognised_on, 'YYYY-MM')`,
    label: `min(to_char(f.recognised_on, 'YYYY-MM'))`,
    join: '',
    order: '1',
  },
};

/** work_mem for the report's statement: enough for the planner to hash its groups (see report). */
const MARGIN_WORK_MEM = '32MB';

/**
 * Gross margin on the recognised basis (docs/accounting.md §10): revenue as the books recognise it
 * (hardware at shipment, cloud over its service days, credit notes' allowance part) less its cost
 * (COGS, cost of cloud, purchase price variance), from the read contracts each owning module
 * publishes and the `margin_facts` view unites. Read on the read replica when one is configured
 * (docs/operations.md §15).
 */
@Injectable()
export class MarginReportService {
  constructor(private readonly reads: ReadDatabase) {}

  async report(q: MarginQuery): Promise<MarginReportView> {
    if (q.to < q.from) throw validationError('to is before from', [{ field: 'to', message: `must be on or after from (${q.from})` }]);
    const g = GROUPS[q.groupBy];
    const rows: Array<{ key: string; label: string; currency: Currency; revenue: string; cost: string }> = await this.reads.read(
      async (em) => {
        // margin_facts is a UNION ALL, so the planner has no statistics for the groups and assumes
        // 40,000 of them: with the default work_mem it then sorts every fact (on disk) instead of
        // hashing the few groups there are. Room for that hash, in this read's transaction only
        // (docs/performance.md, "Issue 23's regressions profiled").
        await em.query(`SELECT set_config('work_mem', $1, true)`, [MARGIN_WORK_MEM]);
        return em.query(
          `SELECT ${g.key} AS key, ${g.label} AS label, f.currency, sum(f.revenue)::text AS revenue, sum(f.cost)::text AS cost
             FROM margin_facts f ${g.join}
            WHERE f.recognised_on BETWEEN $1 AND $2
              AND ($3::text IS NULL OR f.currency = $3) AND ($4::uuid IS NULL OR f.reseller_id = $4)
            GROUP BY 1, f.currency
            ORDER BY f.currency, ${g.order}`,
          [q.from, q.to, q.currency ?? null, q.resellerId ?? null],
        );
      },
    );
    const totals = new Map<Currency, { revenue: Dec; cost: Dec }>();
    const items: MarginRowView[] = rows.map((r) => {
      const revenue = new Dec(r.revenue);
      const cost = new Dec(r.cost);
      const t = totals.get(r.currency) ?? { revenue: new Dec(0), cost: new Dec(0) };
      totals.set(r.currency, { revenue: t.revenue.plus(revenue), cost: t.cost.plus(cost) });
      return { key: r.key, label: r.label, currency: r.currency, ...amounts(revenue, cost, r.currency) };
    });
    return {
      from: q.from,
      to: q.to,
      groupBy: q.groupBy,
      items,
      totals: [...totals].map(([currency, t]) => ({ currency, ...amounts(t.revenue, t.cost, currency) })),
    };
  }

  /** The report as CSV: one row per group and currency, with the JSON fields' names. */
  async csv(q: MarginQuery): Promise<string> {
    const { items } = await this.report(q);
    return stringify(
      items.map((r) => ({ ...r, label: csvText(r.label) })),
      { header: true, columns: ['key', 'label', 'currency', 'revenue', 'cost', 'margin', 'marginPercent'] },
    );
  }
}

function amounts(revenue: Dec, cost: Dec, currency: Currency) {
  const { margin, marginPercent } = grossMargin(revenue, cost);
  return {
    revenue: moneyString(revenue, currency),
    cost: moneyString(cost, currency),
    margin: moneyString(margin, currency),
    marginPercent: marginPercent?.toFixed(2) ?? null,
  };
}
