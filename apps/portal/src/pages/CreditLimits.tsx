import { FormEvent, useState } from 'react';
import { client, ok } from '../api';
import { DateText, Empty, ErrorBanner, FilterSelect, Loading, Money, Notice, PageHeader, useAsync } from '../components/ui';
import type { CreditLine, CreditLineView } from '../contract';
import { useResellers } from '../resellers';
import { navigate, useLocation } from '../router';
import './auth.css';

const LINE_LABEL: Record<CreditLine, string> = { HARDWARE: 'Hardware', CLOUD: 'Cloud' };

/** Admin: a reseller's two credit limits, changed with a required reason, and each line's history (who, when, from → to, why). */
export function CreditLimitsPage() {
  const { query } = useLocation();
  const resellers = useResellers();
  const resellerId = query.get('reseller') ?? resellers.list[0]?.id ?? '';
  const lines = useAsync(
    async () =>
      resellerId ? (await ok(client.GET('/api/v1/resellers/{id}/credit-lines', { params: { path: { id: resellerId } } }))).items : [],
    [resellerId],
  );
  const [saved, setSaved] = useState<string | null>(null);

  return (
    <section>
      <PageHeader title="Credit limits" />
      <div className="toolbar">
        <FilterSelect
          id="limits-reseller"
          label="Reseller"
          allLabel="Choose a reseller"
          value={resellerId}
          onChange={(v) => {
            setSaved(null);
            navigate(v ? `/admin/credit-limits?reseller=${v}` : '/admin/credit-limits', { replace: true });
          }}
          options={resellers.list.map((r) => ({ value: r.id, label: r.name }))}
        />
      </div>
      {saved && <Notice kind="success">{saved}</Notice>}
      <ErrorBanner error={resellers.error ?? lines.error} />
      {!resellerId ? (
        <Empty>Choose a reseller to see its limits.</Empty>
      ) : !lines.data ? (
        <Loading what="Loading credit lines" />
      ) : (
        lines.data.map((l) => (
          <LineCard
            key={`${resellerId}-${l.line}`}
            resellerId={resellerId}
            line={l}
            onSaved={async (msg) => {
              setSaved(msg);
              await lines.reload();
            }}
          />
        ))
      )}
    </section>
  );
}

function LineCard({ resellerId, line, onSaved }: { resellerId: string; line: CreditLineView; onSaved: (msg: string) => Promise<void> }) {
  const history = useAsync(
    () =>
      ok(
        client.GET('/api/v1/resellers/{id}/credit-lines/{line}/history', {
          params: { path: { id: resellerId, line: line.line } },
        }),
      ),
    [resellerId, line.line, line.limit, line.onHold],
  );
  const [limit, setLimit] = useState(line.limit);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = `limit-${line.line.toLowerCase()}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await ok(
        client.PUT('/api/v1/resellers/{id}/credit-lines/{line}', {
          params: { path: { id: resellerId, line: line.line } },
          body: { limit: limit.trim(), reason: reason.trim() },
        }),
      );
      setReason('');
      await onSaved(`${LINE_LABEL[line.line]} limit changed.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{LINE_LABEL[line.line]} line</h2>
      <dl className="facts">
        <div className="stat">
          <dt>Limit</dt>
          <dd>
            <Money amount={line.limit} currency={line.currency} />
          </dd>
        </div>
        <div className="stat">
          <dt>Available</dt>
          <dd>
            <Money amount={line.available} currency={line.currency} />
          </dd>
        </div>
        <div className="stat">
          <dt>State</dt>
          <dd>{line.onHold || line.exposureHold ? 'On hold' : 'Open'}</dd>
        </div>
      </dl>
      <form className="toolbar" onSubmit={submit} aria-label={`Change the ${LINE_LABEL[line.line].toLowerCase()} limit`}>
        <ErrorBanner error={error} title="The limit was not changed" />
        <div className="field">
          <label htmlFor={`${id}-value`}>New limit ({line.currency})</label>
          <input
            id={`${id}-value`}
            inputMode="decimal"
            required
            pattern="\d+(\.\d+)?"
            value={limit}
            onChange={(e) => setLimit(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-reason`}>Reason (required)</label>
          <input id={`${id}-reason`} required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" className="primary" disabled={busy || !reason.trim() || !limit.trim()}>
          {busy ? 'Saving…' : 'Change limit'}
        </button>
      </form>
      <h3>History</h3>
      <ErrorBanner error={history.error} />
      {!history.data ? (
        <Loading />
      ) : history.data.items.length === 0 ? (
        <Empty>No changes yet.</Empty>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={`${LINE_LABEL[line.line]} limit history`}>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">From → to</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {history.data.items.map((h) => (
                <tr key={h.id}>
                  <td>
                    <DateText value={h.changedAt} />
                  </td>
                  <td>{h.changedByEmail ?? '—'}</td>
                  <td>
                    {h.fromLimit !== h.toLimit ? (
                      <>
                        <Money amount={h.fromLimit} currency={line.currency} /> → <Money amount={h.toLimit} currency={line.currency} />
                      </>
                    ) : (
                      <Money amount={h.toLimit} currency={line.currency} />
                    )}
                    {h.fromOnHold !== h.toOnHold ? (h.toOnHold ? ' · put on hold' : ' · hold released') : ''}
                  </td>
                  <td className="history-reason">{h.reason ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
