import { FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, client, idempotencyKey, ok } from '../api';
import { DateText, ErrorBanner, Loading, PageHeader, Status, useAsync, TableRegion } from '../components/ui';
import type { BillingRun, Reconciliation } from '../contract';
import { formatDateTime, formatInt, todayIso } from '../format';
import { Link } from '../router';
import { hasRole, useSession } from '../session';
import { ReconciliationVerdict } from './Reconciliation';

const POLL_MS = 1000;

export function BillingRunProgress({ run }: { run: BillingRun }) {
  const total = run.resellersTotal || 0;
  const done = Math.min(run.resellersDone || 0, total);
  const pct = total > 0 ? Math.round((done / total) * 100) : run.status === 'COMPLETED' ? 100 : 0;
  return (
    <div className="run-progress" data-run-status={run.status}>
      <div className="run-progress-head">
        <Status value={run.status} />
        <span>
          {formatInt(done)} of {formatInt(total)} resellers · {formatInt(run.invoicesIssued)} invoice
          {run.invoicesIssued === 1 ? '' : 's'} issued
        </span>
      </div>
      <progress max={100} value={pct} aria-label={`Billing run for period ending ${run.periodEnd}: ${pct}% done`}>
        {pct}%
      </progress>
      {!!run.resellersFailed && (
        <p className="negative small">
          {run.resellersFailed} reseller{run.resellersFailed === 1 ? '' : 's'} could not be billed; run billing again for this period to
          retry.
        </p>
      )}
    </div>
  );
}

export function BillingRunsPage() {
  const { me } = useSession();
  const mayRun = hasRole(me, 'finance');
  const [periodEnd, setPeriodEnd] = useState(todayIso());
  const [current, setCurrent] = useState<BillingRun | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [recon, setRecon] = useState<Reconciliation | null>(null);
  const [reconError, setReconError] = useState<unknown>(null);
  const keyRef = useRef<{ periodEnd: string; key: string } | null>(null);
  // Each start checks the ledger again once its run has finished, even when it is the same run as before.
  const [reconTick, setReconTick] = useState(0);
  const [rerun, setRerun] = useState<BillingRun | null>(null);
  const history = useAsync(
    () =>
      ok(client.GET('/api/v1/billing-runs')).catch((e) => {
        // A list of runs is a convenience; without it the page still starts and follows runs.
        if (e instanceof ApiError && (e.status === 404 || e.status === 405)) return null;
        throw e;
      }),
    [],
  );

  // Follow the current run until it finishes, then check the ledger reconciles.
  useEffect(() => {
    if (!current || current.status !== 'RUNNING') return;
    const timer = setTimeout(async () => {
      try {
        setCurrent(await ok(client.GET('/api/v1/billing-runs/{id}', { params: { path: { id: current.id } } })));
      } catch (e) {
        setError(e);
      }
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [current]);

  useEffect(() => {
    if (!current || current.status === 'RUNNING') return;
    void history.reload();
    // Without asOf: the ledger's maintained balances now, beside the subledgers.
    let live = true;
    ok(client.GET('/api/v1/ledger/reconciliation'))
      .then((r) => live && setRecon(r))
      .catch((e) => live && setReconError(e));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current?.id, current?.status, reconTick]);

  const start = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setRecon(null);
    setReconError(null);
    setRerun(null);
    if (!keyRef.current || keyRef.current.periodEnd !== periodEnd) keyRef.current = { periodEnd, key: idempotencyKey() };
    setBusy(true);
    try {
      const started = await ok(
        client.POST('/api/v1/billing-runs', {
          body: { periodEnd },
          params: { header: { 'Idempotency-Key': keyRef.current.key } },
        }),
      );
      keyRef.current = null;
      const run = await ok(client.GET('/api/v1/billing-runs/{id}', { params: { path: { id: started.id } } })).catch((): BillingRun => ({
        ...started,
        periodEnd,
        resellersTotal: 0,
        resellersDone: 0,
        invoicesIssued: 0,
        resellersFailed: 0,
        startedAt: new Date().toISOString(),
        completedAt: null,
      }));
      // A period already billed answers with its finished run: nothing is billed twice (docs/portal.md, "Billing runs").
      if (started.status === 'COMPLETED') setRerun(run);
      setReconTick((n) => n + 1);
      setCurrent(run);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <PageHeader title="Billing runs" />
      {mayRun && (
        <form className="card toolbar" onSubmit={start} aria-labelledby="run-title">
          <h2 id="run-title" className="sr-only">
            Start a billing run
          </h2>
          <div className="field">
            <label htmlFor="period-end">Bill everything up to</label>
            <input id="period-end" type="date" required value={periodEnd} onChange={(e) => setPeriodEnd(e.target.value)} />
          </div>
          <button type="submit" className="primary" disabled={busy || current?.status === 'RUNNING'}>
            {busy ? 'Starting…' : 'Run billing'}
          </button>
          <p className="muted small">
            One consolidated invoice per reseller with unbilled charges. Running it again for the same period bills nothing twice.
          </p>
        </form>
      )}
      <ErrorBanner error={error} title="The billing run could not start" />
      {current && (
        <div className="card" aria-live="polite" data-testid="current-run">
          <h2>
            Billing run for the period ending <DateText value={current.periodEnd} />
          </h2>
          {rerun && rerun.id === current.id && (
            <div className="banner banner-warning" role="status" data-testid="already-billed">
              <strong>
                The period ending <DateText value={rerun.periodEnd} /> was already billed
                {rerun.completedAt ? ` (run completed ${formatDateTime(rerun.completedAt)})` : ''}.
              </strong>
              <p>
                Nothing was billed twice. Charges that arose since (a line shipped later, usage imported later) are billed by a run for a
                later date.
              </p>
            </div>
          )}
          <BillingRunProgress run={current} />
          {current.status !== 'RUNNING' && (
            <div className="recon-after-run">
              <h3>Ledger check</h3>
              <ErrorBanner error={reconError} title="The reconciliation could not be loaded" />
              {recon ? (
                <>
                  <ReconciliationVerdict recon={recon} />
                  <Link to="/reconciliation">Open the reconciliation</Link>
                </>
              ) : !reconError ? (
                <Loading what="Reconciling" />
              ) : null}
            </div>
          )}
        </div>
      )}
      {history.data && history.data.items.length > 0 && (
        <TableRegion label="Recent billing runs" csv="billing-runs">
          <table>
            <caption>Recent runs</caption>
            <thead>
              <tr>
                <th scope="col">Period end</th>
                <th scope="col">Started</th>
                <th scope="col">Completed</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Resellers
                </th>
                <th scope="col" className="num">
                  Invoices
                </th>
              </tr>
            </thead>
            <tbody>
              {history.data.items.slice(0, 12).map((r) => (
                <tr key={r.id}>
                  <td>
                    <DateText value={r.periodEnd} />
                  </td>
                  <td>{r.startedAt ? formatDateTime(r.startedAt) : '—'}</td>
                  <td>{r.completedAt ? formatDateTime(r.completedAt) : '—'}</td>
                  <td>
                    <Status value={r.status} />
                  </td>
                  <td className="num">
                    {r.resellersDone} / {r.resellersTotal}
                  </td>
                  <td className="num">{r.invoicesIssued}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}
