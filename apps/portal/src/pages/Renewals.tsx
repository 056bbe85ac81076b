import Decimal from 'decimal.js';
import { FormEvent, useMemo, useState } from 'react';
import { client, download, fetchAll, ok } from '../api';
import { assigneeName, BulkAssignBar, useAssignees } from '../components/renewals/BulkAssign';
import { DeskFilters, DeskFilterValues } from '../components/renewals/DeskFilters';
import { DeskCard, thresholdLabel } from '../components/renewals/desk';
import { PipelineSummary } from '../components/renewals/PipelineSummary';
import { QuotePanel } from '../components/renewals/QuotePanel';
import { RenewalCardItem } from '../components/renewals/RenewalCardItem';
import { DateText, ErrorBanner, Loading, Money, Notice, PageHeader, Status, useAsync } from '../components/ui';
import type { AlertStatus, AlertUpdate, RenewalAlert, Role } from '../contract';
import { formatDateTime, todayIso } from '../format';
import { useResellers } from '../resellers';
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
/** Who may create a renewal quote (POST /renewal-alerts/:id/quote); a lost or dismissed renewal takes none. */
const QUOTERS: Role[] = ['sales', 'reseller_admin', 'admin'];
const UNQUOTABLE: AlertStatus[] = ['LOST', 'DISMISSED'];

/** Σ per currency of decimal strings: [{ currency, value }]. */
function totalsByCurrency(alerts: RenewalAlert[]): Array<{ currency: string; value: string; count: number }> {
  const m = new Map<string, { value: Decimal; count: number }>();
  for (const a of alerts) {
    const cur = m.get(a.currency) ?? { value: new Decimal(0), count: 0 };
    cur.value = cur.value.plus(a.renewalValue);
    cur.count++;
    m.set(a.currency, cur);
  }
  return [...m.entries()].map(([currency, v]) => ({
    currency,
    value: v.value.toFixed(currency === 'JPY' ? 0 : 2),
    count: v.count,
  }));
}

/** The renewal desk (docs/renewal-desk.md): the pipeline, one card per renewal by threshold, bulk assign and quotes. */
export function RenewalsPage() {
  const { me } = useSession();
  const [scope, setScope] = useState<'open' | 'all'>('open');
  const [csvError, setCsvError] = useState<unknown>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [quoting, setQuoting] = useState<DeskCard | null>(null);
  const [filters, setFilters] = useState<DeskFilterValues>({});
  // One card per renewal, at its current (latest raised) threshold, with the renewal's status, in the API's order.
  const alerts = useAsync(
    () =>
      fetchAll(async (page, pageSize) => {
        const query = { view: 'renewals' as const, page, pageSize, ...filters };
        // view=renewals answers the card page of the contract's union (alerts or cards).
        return (await ok(client.GET('/api/v1/renewal-alerts', { params: { query } }))) as {
          items: DeskCard[];
          total: number;
        };
      }),
    [filters],
  );
  // The pipeline takes the reseller and assignee filters; the others narrow the board only.
  const pipeline = useAsync(
    () =>
      ok(
        client.GET('/api/v1/renewal-alerts/pipeline', {
          params: { query: { resellerId: filters.resellerId, assigneeId: filters.assigneeId } },
        }),
      ),
    [filters.resellerId, filters.assigneeId],
  );
  const assignees = useAssignees(me);
  const resellers = useResellers();
  const refresh = async () => {
    await Promise.all([alerts.reload(), pipeline.reload()]);
  };

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
  const visibleIds = useMemo(() => shown.map((a) => a.id), [shown]);
  // A selection keeps only cards still shown (after a refresh or a change of scope).
  const selectedShown = selected.filter((id) => visibleIds.includes(id));
  const canQuote = !!me && QUOTERS.includes(me.role);

  const downloadCsv = async () => {
    setCsvError(null);
    try {
      await download(
        client.GET('/api/v1/renewal-alerts', { headers: { Accept: 'text/csv' }, parseAs: 'blob' }),
        `renewal-alerts-${todayIso()}.csv`,
      );
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
      {pipeline.data && <PipelineSummary pipeline={pipeline.data} thresholds={thresholds} />}

      <div className="toolbar">
        <fieldset className="segmented">
          <legend>Show</legend>
          <label>
            <input type="radio" name="scope" checked={scope === 'open'} onChange={() => setScope('open')} /> Open and contacted
          </label>
          <label>
            <input type="radio" name="scope" checked={scope === 'all'} onChange={() => setScope('all')} /> All, including won, lost and
            dismissed
          </label>
        </fieldset>
      </div>
      <DeskFilters
        value={filters}
        onChange={setFilters}
        assignees={assignees.data ?? []}
        resellers={resellers.distributor ? resellers.list : []}
        thresholds={thresholds}
      />

      <BulkAssignBar
        me={me}
        assignees={assignees.data}
        assigneesError={assignees.error}
        selected={selectedShown}
        visibleIds={visibleIds}
        onSelect={setSelected}
        onAssigned={refresh}
      />

      {quoting && <QuotePanel key={quoting.id} card={quoting} me={me} onClose={() => setQuoting(null)} onAccepted={refresh} />}

      {alerts.loading && !alerts.data ? (
        <Loading what="Loading alerts" />
      ) : alerts.data ? (
        <div className="board" aria-label="Renewal alerts by threshold">
          {thresholds.map((t) => {
            const column = shown.filter((a) => a.threshold === t);
            const totals = totalsByCurrency(column);
            return (
              <section className="board-column" key={t} aria-labelledby={`col-${t}`} data-threshold={t}>
                <header>
                  <h2 id={`col-${t}`}>{thresholdLabel(t)}</h2>
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
                      <RenewalCardItem
                        key={a.id}
                        card={a}
                        selected={selectedShown.includes(a.id)}
                        onToggle={(on) => setSelected((s) => (on ? [...s.filter((x) => x !== a.id), a.id] : s.filter((x) => x !== a.id)))}
                        assignee={assigneeName(a.assigneeId, me, assignees.data)}
                        canQuote={canQuote && !UNQUOTABLE.includes(a.status)}
                        onQuote={() => setQuoting(a)}
                      />
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
  const {
    data: alert,
    error,
    loading,
    setData,
  } = useAsync(() => ok(client.GET('/api/v1/renewal-alerts/{id}', { params: { path: { id } } })), [id]);
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
                        setData(
                          await ok(
                            client.PATCH('/api/v1/renewal-alerts/{id}', {
                              params: { path: { id: alert.id } },
                              body: { status: alert.status, assigneeId: me.id },
                            }),
                          ),
                        );
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
