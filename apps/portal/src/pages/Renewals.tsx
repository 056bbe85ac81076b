import Decimal from 'decimal.js';
import { FormEvent, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { client, download, fetchAll, ok } from '../api';
import { DateText, Empty, ErrorBanner, Loading, Money, Notice, PageHeader, Status, useAsync } from '../components/ui';
import type { AlertStatus, AlertUpdate, RenewalAlert, RenewalCardPage } from '../contract';
import { animateCharts, chartNumber, formatDateTime, formatMoney, formatMoneyCompact, todayIso } from '../format';
import { Link } from '../router';
import { useSession } from '../session';

/** The workflow the API enforces (OPEN → CONTACTED / WON / LOST / DISMISSED, CONTACTED → WON / LOST / DISMISSED): only allowed moves are offered. */
const NEXT: Record<AlertStatus, AlertStatus[]> = {
  OPEN: ['CONTACTED', 'WON', 'LOST', 'DISMISSED'],
  CONTACTED: ['WON', 'LOST', 'DISMISSED'],
  WON: [],
  LOST: [],
  DISMISSED: [],
};
const ACTION_LABEL: Record<AlertStatus, string> = {
  OPEN: 'Reopen',
  CONTACTED: 'Mark contacted',
  WON: 'Mark won',
  LOST: 'Mark lost',
  DISMISSED: 'Dismiss',
};
const OPEN_STATUSES: AlertStatus[] = ['OPEN', 'CONTACTED'];
const DEFAULT_THRESHOLDS = [90, 60, 30];
const SERIES_COLOURS = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce'];

/** Σ per currency of decimal strings: [{ currency, value }]. */
function totalsByCurrency(alerts: RenewalAlert[]): Array<{ currency: string; value: string; count: number }> {
  const m = new Map<string, { value: Decimal; count: number }>();
  for (const a of alerts) {
    const cur = m.get(a.currency) ?? { value: new Decimal(0), count: 0 };
    cur.value = cur.value.plus(a.renewalValue);
    cur.count++;
    m.set(a.currency, cur);
  }
  return [...m.entries()].map(([currency, v]) => ({ currency, value: v.value.toFixed(currency === 'JPY' ? 0 : 2), count: v.count }));
}

export function RenewalsPage() {
  const [scope, setScope] = useState<'open' | 'all'>('open');
  const [csvError, setCsvError] = useState<unknown>(null);
  // One card per renewal, at its current (latest raised) threshold, with the renewal's status.
  const alerts = useAsync(
    () =>
      fetchAll(async (page, pageSize) =>
        // view=renewals answers the card page of the contract's union (alerts or cards).
        (await ok(client.GET('/api/v1/renewal-alerts', { params: { query: { view: 'renewals', page, pageSize } } }))) as RenewalCardPage,
      ),
    [],
  );
  const pipeline = useAsync(() => ok(client.GET('/api/v1/renewal-alerts/pipeline')), []);

  const shown = useMemo(
    () => (alerts.data?.items ?? []).filter((a) => scope === 'all' || OPEN_STATUSES.includes(a.status)),
    [alerts.data, scope],
  );
  const thresholds = useMemo(() => {
    const seen = new Set<number>(DEFAULT_THRESHOLDS);
    for (const a of alerts.data?.items ?? []) seen.add(a.threshold);
    for (const b of pipeline.data?.byThreshold ?? []) seen.add(b.threshold);
    return [...seen].sort((a, b) => b - a);
  }, [alerts.data, pipeline.data]);

  const currencies = useMemo(() => [...new Set((pipeline.data?.byThreshold ?? []).map((b) => b.currency))], [pipeline.data]);
  const chartData = useMemo(
    () =>
      thresholds.map((t) => {
        const row: Record<string, string | number> = { name: `${t} days` };
        for (const c of currencies) row[c] = chartNumber(pipeline.data?.byThreshold.find((b) => b.threshold === t && b.currency === c)?.value);
        return row;
      }),
    [thresholds, currencies, pipeline.data],
  );

  const downloadCsv = async () => {
    setCsvError(null);
    try {
      await download(client.GET('/api/v1/renewal-alerts', { headers: { Accept: 'text/csv' }, parseAs: 'blob' }), `renewal-alerts-${todayIso()}.csv`);
    } catch (e) {
      setCsvError(e);
    }
  };

  return (
    <section>
      <PageHeader title="Renewal pipeline">
        <button type="button" onClick={downloadCsv}>
          Download CSV
        </button>
      </PageHeader>
      <ErrorBanner error={csvError} title="The CSV could not be downloaded" />
      <ErrorBanner error={alerts.error ?? pipeline.error} />
      {pipeline.data && (
        <div className="pipeline-summary">
          <div className="card chart-card">
            <h2>Renewal value by threshold</h2>
            {currencies.length === 0 ? (
              <Empty>No alerts raised yet.</Empty>
            ) : (
              <figure aria-label="Bar chart of renewal value by threshold" role="group">
                <div className="chart" aria-hidden="true">
                  <ResponsiveContainer width="100%" height={220}>
                    <BarChart data={chartData} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
                      <CartesianGrid strokeDasharray="3 3" vertical={false} />
                      <XAxis dataKey="name" />
                      <YAxis width={72} tickFormatter={(v: number) => formatMoneyCompact(String(v), currencies[0])} />
                      <Tooltip formatter={(v, name) => formatMoney(String(v), String(name))} />
                      {currencies.length > 1 && <Legend />}
                      {currencies.map((c, i) => (
                        <Bar isAnimationActive={animateCharts()} key={c} dataKey={c} fill={SERIES_COLOURS[i % SERIES_COLOURS.length]} radius={[4, 4, 0, 0]} />
                      ))}
                    </BarChart>
                  </ResponsiveContainer>
                </div>
                <figcaption className="sr-only">
                  {pipeline.data.byThreshold.map((b) => `${b.threshold} days: ${b.count} alerts, ${formatMoney(b.value, b.currency)}`).join('; ')}
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
                {pipeline.data.byStatus.map((b) => (
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
                {pipeline.data.total.map((b) => (
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
      )}

      <div className="toolbar">
        <fieldset className="segmented">
          <legend>Show</legend>
          <label>
            <input type="radio" name="scope" checked={scope === 'open'} onChange={() => setScope('open')} /> Open and contacted
          </label>
          <label>
            <input type="radio" name="scope" checked={scope === 'all'} onChange={() => setScope('all')} /> All, including won, lost and dismissed
          </label>
        </fieldset>
      </div>

      {alerts.loading && !alerts.data ? (
        <Loading what="Loading alerts" />
      ) : alerts.data ? (
        <div className="board" aria-label="Renewal alerts by threshold">
          {thresholds.map((t) => {
            const column = shown.filter((a) => a.threshold === t).sort((a, b) => a.daysLeft - b.daysLeft);
            const totals = totalsByCurrency(column);
            return (
              <section className="board-column" key={t} aria-labelledby={`col-${t}`} data-threshold={t}>
                <header>
                  <h2 id={`col-${t}`}>{t} days</h2>
                  <p className="column-total">
                    {column.length} alert{column.length === 1 ? '' : 's'}
                    {totals.map((x) => (
                      <span key={x.currency}>
                        {' · '}
                        <Money amount={x.value} currency={x.currency} />
                      </span>
                    ))}
                  </p>
                </header>
                {column.length === 0 ? (
                  <p className="muted small">Nothing here.</p>
                ) : (
                  <ul>
                    {column.map((a) => (
                      <li key={a.id} className={`alert-card status-border-${a.status.toLowerCase()}`}>
                        <Link to={`/renewals/${a.id}`} className="alert-link">
                          <span className="alert-customer">{a.endCustomer.name}</span>
                          <span className="alert-sku">
                            {a.productName ?? a.sku} · {a.source === 'WARRANTY' ? 'warranty' : 'subscription'}
                          </span>
                          <span className="alert-meta">
                            <Money amount={a.renewalValue} currency={a.currency} />
                            <span>
                              {a.daysLeft >= 0 ? `${a.daysLeft} days left` : `ended ${-a.daysLeft} days ago`}
                            </span>
                          </span>
                          <Status value={a.status} />
                        </Link>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            );
          })}
        </div>
      ) : null}
      {alerts.data?.truncated && <Notice kind="warning">Only the first {alerts.data.items.length} alerts are shown.</Notice>}
    </section>
  );
}

export function RenewalAlertPage({ id }: { id: string }) {
  const { me } = useSession();
  const { data: alert, error, loading, setData } = useAsync(() => ok(client.GET('/api/v1/renewal-alerts/{id}', { params: { path: { id } } })), [id]);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const update = async (status: AlertStatus, message: string, withNote = note.trim()) => {
    if (!alert) return;
    setBusy(true);
    setActionError(null);
    setDone(null);
    try {
      const body: AlertUpdate = { status };
      if (withNote) body.note = withNote;
      setData(await ok(client.PATCH('/api/v1/renewal-alerts/{id}', { params: { path: { id: alert.id } }, body })));
      setNote('');
      setDone(message);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  const addNote = (e: FormEvent) => {
    e.preventDefault();
    if (alert && note.trim()) void update(alert.status, 'Note added.');
  };

  return (
    <section>
      <PageHeader title={alert ? `Renewal: ${alert.endCustomer.name}` : 'Renewal alert'}>
        <Link to="/renewals">Back to the pipeline</Link>
      </PageHeader>
      <ErrorBanner error={error} />
      {done && <Notice kind="success">{done}</Notice>}
      <ErrorBanner error={actionError} title="The alert was not changed" />
      {loading && !alert ? (
        <Loading what="Loading the alert" />
      ) : alert ? (
        <>
          <dl className="facts">
            <div>
              <dt>Status</dt>
              <dd data-testid="alert-status">
                <Status value={alert.status} />
              </dd>
            </div>
            <div>
              <dt>Renewal value</dt>
              <dd>
                <Money amount={alert.renewalValue} currency={alert.currency} />
              </dd>
            </div>
            <div>
              <dt>Ends</dt>
              <dd>
                <DateText value={alert.termEnd} /> ({alert.daysLeft} days left)
              </dd>
            </div>
            <div>
              <dt>Threshold</dt>
              <dd>{alert.threshold} days</dd>
            </div>
            <div>
              <dt>What</dt>
              <dd>
                {alert.sku}
                {alert.quantity ? ` × ${alert.quantity}` : ''} ({alert.source === 'WARRANTY' ? 'hardware warranty' : 'cloud subscription'})
              </dd>
            </div>
            <div>
              <dt>Assigned to</dt>
              <dd>{alert.assigneeId ? (alert.assigneeId === me?.id ? 'You' : 'A colleague') : 'Nobody'}</dd>
            </div>
          </dl>
          {NEXT[alert.status].length > 0 ? (
            <div className="card">
              <h2>Move it on</h2>
              <div className="button-row" role="group" aria-label="Change status">
                {NEXT[alert.status].map((s) => (
                  <button
                    key={s}
                    type="button"
                    className={s === 'WON' ? 'primary' : s === 'LOST' || s === 'DISMISSED' ? 'secondary' : undefined}
                    disabled={busy}
                    onClick={() => void update(s, `Status changed to ${s.toLowerCase()}.`)}
                  >
                    {ACTION_LABEL[s]}
                  </button>
                ))}
                {!alert.assigneeId && me?.role === 'sales' && (
                  <button
                    type="button"
                    disabled={busy}
                    onClick={async () => {
                      setBusy(true);
                      setActionError(null);
                      try {
                        setData(await ok(client.PATCH('/api/v1/renewal-alerts/{id}', { params: { path: { id: alert.id } }, body: { status: alert.status, assigneeId: me.id } })));
                        setDone('Assigned to you.');
                      } catch (e) {
                        setActionError(e);
                      } finally {
                        setBusy(false);
                      }
                    }}
                  >
                    Assign to me
                  </button>
                )}
              </div>
              <p className="muted small">A note typed below is saved with the status change.</p>
            </div>
          ) : (
            <Notice>This alert is closed ({alert.status.toLowerCase()}). You can still add notes.</Notice>
          )}
          <form className="card" onSubmit={addNote}>
            <h2>Notes</h2>
            {alert.notes.length === 0 ? (
              <p className="muted">No notes yet.</p>
            ) : (
              <ol className="notes">
                {alert.notes.map((n) => (
                  <li key={n.id}>
                    <p>{n.body}</p>
                    <span className="muted small">
                      {n.authorId === me?.id ? 'You' : 'A colleague'} · {formatDateTime(n.createdAt)}
                    </span>
                  </li>
                ))}
              </ol>
            )}
            <div className="field">
              <label htmlFor="alert-note">Add a note</label>
              <textarea id="alert-note" rows={3} maxLength={4000} value={note} onChange={(e) => setNote(e.target.value)} />
            </div>
            <button type="submit" disabled={busy || !note.trim()}>
              Add note
            </button>
          </form>
        </>
      ) : null}
    </section>
  );
}
