import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Pipeline } from '../../contract';
import { animateCharts, chartNumber, formatMoney, formatMoneyCompact } from '../../format';
import { Empty, Money, Status } from '../ui';
import { thresholdLabel } from './desk';

const SERIES_COLOURS = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce'];

/** The pipeline's value by threshold (a bar chart) and by status (a table), each renewal counted once. */
export function PipelineSummary({ pipeline, thresholds }: { pipeline: Pipeline; thresholds: number[] }) {
  const currencies = useMemo(() => [...new Set(pipeline.byThreshold.map((b) => b.currency))], [pipeline]);
  const chartData = useMemo(
    () =>
      thresholds.map((t) => {
        const row: Record<string, string | number> = { name: thresholdLabel(t) };
        for (const c of currencies) row[c] = chartNumber(pipeline.byThreshold.find((b) => b.threshold === t && b.currency === c)?.value);
        return row;
      }),
    [thresholds, currencies, pipeline],
  );

  return (
    <div className="pipeline-summary">
      <div className="card chart-card">
        <h2>Renewal value by threshold</h2>
        {currencies.length === 0 ? (
          <Empty>No alerts raised yet.</Empty>
        ) : (
          <figure aria-label="Bar chart of renewal value by threshold" role="group">
            <div className="chart" aria-hidden="true">
              <ResponsiveContainer width="100%" height={220}>
                <BarChart accessibilityLayer={false} data={chartData} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="name" />
                  <YAxis width={72} tickFormatter={(v: number) => formatMoneyCompact(String(v), currencies[0])} />
                  <Tooltip formatter={(v, name) => formatMoney(String(v), String(name))} />
                  {currencies.length > 1 && <Legend />}
                  {currencies.map((c, i) => (
                    <Bar
                      isAnimationActive={animateCharts()}
                      key={c}
                      dataKey={c}
                      fill={SERIES_COLOURS[i % SERIES_COLOURS.length]}
                      radius={[4, 4, 0, 0]}
                    />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </div>
            <figcaption className="sr-only">
              {pipeline.byThreshold
                .map((b) => `${thresholdLabel(b.threshold)}: ${b.count} alerts, ${formatMoney(b.value, b.currency)}`)
                .join('; ')}
            </figcaption>
          </figure>
        )}
      </div>
      <div className="card">
        <h2>By status</h2>
        <table className="compact">
          <caption className="sr-only">Alerts by status</caption>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Alerts
              </th>
              <th scope="col" className="num">
                Value
              </th>
            </tr>
          </thead>
          <tbody>
            {pipeline.byStatus.map((b) => (
              <tr key={`${b.status}-${b.currency}`}>
                <td>
                  <Status value={b.status} />
                </td>
                <td className="num">{b.count}</td>
                <td className="num">
                  <Money amount={b.value} currency={b.currency} />
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            {pipeline.total.map((b) => (
              <tr key={b.currency}>
                <th scope="row">Total</th>
                <td className="num">{b.count}</td>
                <td className="num">
                  <Money amount={b.value} currency={b.currency} />
                </td>
              </tr>
            ))}
          </tfoot>
        </table>
      </div>
    </div>
  );
}
