import { FormEvent, useMemo, useState } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { client, download, ok } from '../api';
import { Empty, ErrorBanner, Loading, Money, PageHeader, SortHeader, useAsync, useSorted, TableRegion } from '../components/ui';
import type { MarginGroup, MarginReport } from '../contract';
import { animateCharts, chartNumber, formatMoney, formatMoneyCompact, todayIso } from '../format';

type Currency = MarginReport['items'][number]['currency'];

const GROUPS: Array<{ key: MarginGroup; label: string }> = [
  { key: 'month', label: 'Month' },
  { key: 'reseller', label: 'Reseller' },
  { key: 'sku', label: 'Product' },
  { key: 'vendor', label: 'Vendor' },
];

/** The first day of the year twelve months before today: the default window of the report. */
function yearAgo(): string {
  const d = new Date(`${todayIso()}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Gross margin on the recognised basis (GET /reports/margin, docs/accounting.md §10): chart and table. */
export function MarginPage() {
  const [form, setForm] = useState({ from: yearAgo(), to: todayIso(), groupBy: 'month' as MarginGroup });
  const [query, setQuery] = useState(form);
  const { data, error, loading } = useAsync(() => ok(client.GET('/api/v1/reports/margin', { params: { query } })), [query]);
  const sorted = useSorted(data?.items ?? [], {
    label: (r) => r.label,
    revenue: (r) => ({ money: r.revenue }),
    cost: (r) => ({ money: r.cost }),
    margin: (r) => ({ money: r.margin }),
    percent: (r) => ({ money: r.marginPercent }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(form);
  };

  const currencies = useMemo(() => [...new Set((data?.items ?? []).map((r) => r.currency))], [data]);
  const [currency, setCurrency] = useState<Currency | null>(null);
  const cur = currency && currencies.includes(currency) ? currency : currencies[0];
  const groupLabel = GROUPS.find((g) => g.key === query.groupBy)?.label ?? 'Group';
  // The chart shows the first 12 groups (months in order, others by revenue) in the chosen currency.
  const chartData = (data?.items ?? [])
    .filter((r) => r.currency === cur)
    .slice(0, 12)
    .map((r) => ({
      name: r.label,
      Revenue: chartNumber(r.revenue),
      Cost: chartNumber(r.cost),
      'Margin %': r.marginPercent == null ? null : Number(r.marginPercent),
    }));

  return (
    <section>
      <PageHeader title="Gross margin">
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void download(
              client.GET('/api/v1/reports/margin', {
                params: { query },
                headers: { Accept: 'text/csv' },
                parseAs: 'blob',
              }),
              `margin-${query.groupBy}-${query.from}-${query.to}.csv`,
            )
          }
        >
          Download CSV
        </button>
      </PageHeader>
      <form className="toolbar" onSubmit={submit}>
        <div className="field">
          <label htmlFor="margin-from">From</label>
          <input id="margin-from" type="date" required value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="margin-to">To</label>
          <input id="margin-to" type="date" required value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="margin-group">By</label>
          <select id="margin-group" value={form.groupBy} onChange={(e) => setForm({ ...form, groupBy: e.target.value as MarginGroup })}>
            {GROUPS.map((g) => (
              <option key={g.key} value={g.key}>
                {g.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
        {currencies.length > 1 && (
          <div className="field">
            <label htmlFor="margin-currency">Chart currency</label>
            <select id="margin-currency" value={cur} onChange={(e) => setCurrency(e.target.value as Currency)}>
              {currencies.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
        )}
      </form>
      <ErrorBanner error={error} />
      {loading && !data ? (
        <Loading what="Computing margins" />
      ) : data && data.items.length === 0 ? (
        <Empty>No revenue or cost was recognised in this period. Choose another period, or run billing for it first.</Empty>
      ) : data && cur ? (
        <>
          <div className="card chart-card">
            <h2>
              Revenue, cost and margin by {groupLabel.toLowerCase()} ({cur})
            </h2>
            <figure role="group" aria-label={`Chart of revenue, cost and margin by ${groupLabel.toLowerCase()} in ${cur}`}>
              <div className="chart" aria-hidden="true">
                <ResponsiveContainer width="100%" height={260}>
                  <ComposedChart
                    accessibilityLayer={false}
                    data={chartData}
                    margin={{ top: 8, right: 8, bottom: 0, left: 8 }}
                    maxBarSize={56}
                  >
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    <XAxis dataKey="name" />
                    <YAxis yAxisId="money" width={72} tickFormatter={(v: number) => formatMoneyCompact(String(v), cur)} />
                    <YAxis yAxisId="pct" orientation="right" width={44} tickFormatter={(v: number) => `${v}%`} />
                    <Tooltip formatter={(v, name) => (name === 'Margin %' ? `${v}%` : formatMoney(String(v), cur))} />
                    <Legend />
                    <Bar isAnimationActive={animateCharts()} yAxisId="money" dataKey="Revenue" fill="#1f5fbf" />
                    <Bar isAnimationActive={animateCharts()} yAxisId="money" dataKey="Cost" fill="#c2571a" />
                    <Line isAnimationActive={animateCharts()} yAxisId="pct" dataKey="Margin %" stroke="#0f9d8a" strokeWidth={2} />
                  </ComposedChart>
                </ResponsiveContainer>
              </div>
              <figcaption className="sr-only">
                {chartData.map((d) => `${d.name}: revenue ${d.Revenue}, cost ${d.Cost}, margin ${d['Margin %'] ?? '—'}%`).join('; ')}
              </figcaption>
            </figure>
          </div>
          <TableRegion label="Gross margin" csv="margin">
            <table>
              <caption className="sr-only">Gross margin by {groupLabel.toLowerCase()}</caption>
              <thead>
                <tr>
                  <SortHeader k="label" sort={sorted.sort} onSort={sorted.setSort}>
                    {groupLabel}
                  </SortHeader>
                  <SortHeader k="revenue" sort={sorted.sort} onSort={sorted.setSort} className="num">
                    Revenue
                  </SortHeader>
                  <SortHeader k="cost" sort={sorted.sort} onSort={sorted.setSort} className="num">
                    Cost
                  </SortHeader>
                  <SortHeader k="margin" sort={sorted.sort} onSort={sorted.setSort} className="num">
                    Gross margin
                  </SortHeader>
                  <SortHeader k="percent" sort={sorted.sort} onSort={sorted.setSort} className="num">
                    Margin %
                  </SortHeader>
                </tr>
              </thead>
              <tbody>
                {sorted.rows.map((r) => (
                  <tr key={`${r.key}-${r.currency}`}>
                    <td>{r.label}</td>
                    <td className="num">
                      <Money amount={r.revenue} currency={r.currency} />
                    </td>
                    <td className="num">
                      <Money amount={r.cost} currency={r.currency} />
                    </td>
                    <td className="num">
                      <Money amount={r.margin} currency={r.currency} />
                    </td>
                    <td className="num">{r.marginPercent == null ? '—' : `${r.marginPercent}%`}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                {data.totals.map((t) => (
                  <tr key={t.currency} className="grand-total">
                    <th scope="row">Total {t.currency}</th>
                    <td className="num">
                      <Money amount={t.revenue} currency={t.currency} />
                    </td>
                    <td className="num">
                      <Money amount={t.cost} currency={t.currency} />
                    </td>
                    <td className="num">
                      <Money amount={t.margin} currency={t.currency} />
                    </td>
                    <td className="num">{t.marginPercent == null ? '—' : `${t.marginPercent}%`}</td>
                  </tr>
                ))}
              </tfoot>
            </table>
          </TableRegion>
        </>
      ) : null}
    </section>
  );
}
