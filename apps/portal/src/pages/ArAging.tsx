import Decimal from 'decimal.js';
import { FormEvent, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { client, ok } from '../api';
import { Empty, ErrorBanner, Loading, Money, PageHeader, SortHeader, useAsync, useSorted, TableRegion } from '../components/ui';
import { animateCharts, chartNumber, formatMoney, formatMoneyCompact, isZero, todayIso } from '../format';

/** The five buckets of GET /reports/ar-aging (docs/accounting.md §7), in order. */
export const BUCKETS = [
  { key: 'current', label: 'Current' },
  { key: '1-30', label: '1–30 days' },
  { key: '31-60', label: '31–60 days' },
  { key: '61-90', label: '61–90 days' },
  { key: '90+', label: '90+ days' },
] as const;

const LINE_COLOURS = { HARDWARE: '#1f5fbf', CLOUD: '#0f9d8a' };

export function ArAgingPage() {
  const [asOf, setAsOf] = useState(todayIso());
  const [query, setQuery] = useState({ asOf: todayIso() });
  const { data, error, loading } = useAsync(() => ok(client.GET('/api/v1/reports/ar-aging', { params: { query } })), [query]);
  const sorted = useSorted(data?.items ?? [], {
    reseller: (r) => r.resellerName,
    line: (r) => r.creditLine,
    total: (r) => ({ money: r.total }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ asOf });
  };

  const currencies = useMemo(() => [...new Set((data?.items ?? []).map((r) => r.currency))], [data]);
  const [currency, setCurrency] = useState<string | null>(null);
  const cur = currency && currencies.includes(currency) ? currency : currencies[0];

  // Σ per bucket and credit line in the chosen currency, with decimal.js; numbers only for the chart.
  const sums = useMemo(() => {
    const s = BUCKETS.map((b) => ({ bucket: b, HARDWARE: new Decimal(0), CLOUD: new Decimal(0) }));
    for (const r of data?.items ?? []) {
      if (r.currency !== cur) continue;
      BUCKETS.forEach((b, i) => (s[i][r.creditLine] = s[i][r.creditLine].plus(r.buckets[b.key] ?? '0')));
    }
    return s;
  }, [data, cur]);
  const chartData = sums.map((s) => ({
    name: s.bucket.label,
    Hardware: chartNumber(s.HARDWARE.toFixed(2)),
    Cloud: chartNumber(s.CLOUD.toFixed(2)),
  }));

  return (
    <section>
      <PageHeader title="AR aging" />
      <form className="toolbar" onSubmit={submit}>
        <div className="field">
          <label htmlFor="aging-asof">As of</label>
          <input id="aging-asof" type="date" required value={asOf} onChange={(e) => setAsOf(e.target.value)} />
        </div>
        <button type="submit">Show</button>
        {currencies.length > 1 && (
          <div className="field">
            <label htmlFor="aging-currency">Chart currency</label>
            <select id="aging-currency" value={cur} onChange={(e) => setCurrency(e.target.value)}>
              {currencies.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
        )}
      </form>
      <ErrorBanner error={error} />
      {loading && !data ? (
        <Loading what="Ageing receivables" />
      ) : data && data.items.length === 0 ? (
        <Empty>Nothing is owed as of this date. Choose a later date to see what will be due.</Empty>
      ) : data && cur ? (
        <>
          <div className="card chart-card">
            <h2>Open receivables by age ({cur})</h2>
            <figure role="group" aria-label={`Bar chart of open receivables by age in ${cur}`}>
              <div className="chart" aria-hidden="true">
                <ResponsiveContainer width="100%" height={240}>
                  <BarChart accessibilityLayer={false} data={chartData} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    <XAxis dataKey="name" />
                    <YAxis width={72} tickFormatter={(v: number) => formatMoneyCompact(String(v), cur)} />
                    <Tooltip formatter={(v) => formatMoney(String(v), cur)} />
                    <Legend />
                    <Bar isAnimationActive={animateCharts()} dataKey="Hardware" stackId="a" fill={LINE_COLOURS.HARDWARE} />
                    <Bar isAnimationActive={animateCharts()} dataKey="Cloud" stackId="a" fill={LINE_COLOURS.CLOUD} radius={[4, 4, 0, 0]} />
                  </BarChart>
                </ResponsiveContainer>
              </div>
              <figcaption className="sr-only">
                {sums
                  .map(
                    (s) =>
                      `${s.bucket.label}: hardware ${formatMoney(s.HARDWARE.toFixed(2), cur)}, cloud ${formatMoney(s.CLOUD.toFixed(2), cur)}`,
                  )
                  .join('; ')}
              </figcaption>
            </figure>
          </div>
          <TableRegion label="Receivables by age" csv="ar-aging">
            <table>
              <caption className="sr-only">Open receivables per reseller and credit line by age</caption>
              <thead>
                <tr>
                  <SortHeader k="reseller" sort={sorted.sort} onSort={sorted.setSort}>
                    Reseller
                  </SortHeader>
                  <SortHeader k="line" sort={sorted.sort} onSort={sorted.setSort}>
                    Line
                  </SortHeader>
                  {BUCKETS.map((b) => (
                    <th key={b.key} scope="col" className="num">
                      {b.label}
                    </th>
                  ))}
                  <SortHeader k="total" sort={sorted.sort} onSort={sorted.setSort} className="num">
                    Total
                  </SortHeader>
                </tr>
              </thead>
              <tbody>
                {sorted.rows.map((r) => (
                  <tr key={`${r.resellerId}-${r.creditLine}-${r.currency}`}>
                    <td>{r.resellerName}</td>
                    <td>
                      <span className={`kind kind-${r.creditLine.toLowerCase()}`}>
                        {r.creditLine === 'HARDWARE' ? 'Hardware' : 'Cloud'}
                      </span>
                    </td>
                    {BUCKETS.map((b, i) => (
                      <td key={b.key} className={`num${i >= 3 && !isZero(r.buckets[b.key]) ? ' overdue' : ''}`}>
                        <Money amount={r.buckets[b.key]} currency={r.currency} />
                      </td>
                    ))}
                    <td className="num">
                      <strong>
                        <Money amount={r.total} currency={r.currency} />
                      </strong>
                    </td>
                  </tr>
                ))}
              </tbody>
              {data.totals.length > 0 && (
                <tfoot>
                  {data.totals.map((t) => (
                    <tr key={t.currency} className="grand-total">
                      <th scope="row" colSpan={2}>
                        Total {t.currency}
                      </th>
                      {BUCKETS.map((b) => (
                        <td key={b.key} className="num">
                          <Money amount={t.buckets[b.key]} currency={t.currency} />
                        </td>
                      ))}
                      <td className="num">
                        <Money amount={t.total} currency={t.currency} />
                      </td>
                    </tr>
                  ))}
                </tfoot>
              )}
            </table>
          </TableRegion>
        </>
      ) : null}
    </section>
  );
}
