import { FormEvent, useState } from 'react';
import { client, ok, oneOf } from '../api';
import { amountProblem } from '../components/FinanceActions';
import {
  DateText,
  ErrorBanner,
  FilterSelect,
  ListBody,
  Money,
  Notice,
  PageHeader,
  Pager,
  Status,
  statusOptions,
  useAsync,
} from '../components/ui';
import type { CreditLine, CreditRequest } from '../contract';
import { formatMoney } from '../format';
import { hasRole, useSession } from '../session';

const STATUSES = ['PENDING', 'APPROVED', 'DECLINED'] as const;
const LINE_NAMES: Record<CreditLine, string> = { HARDWARE: 'Hardware', CLOUD: 'Cloud' };

/** A reseller's user asks for more credit on one line (POST /credit-requests); finance answers it. */
export function RequestCreditForm({
  line,
  suggested,
  currency,
  onSent,
}: {
  line: CreditLine;
  suggested?: string;
  currency: string;
  onSent: (r: CreditRequest) => void;
}) {
  const [amount, setAmount] = useState(suggested ?? '');
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const problem = amountProblem(amount);
  const id = `cr-${line.toLowerCase()}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problem || !reason.trim()) return;
    setBusy(true);
    setError(null);
    try {
      onSent(
        await ok(
          client.POST('/api/v1/credit-requests', {
            body: { line, amount: amount.trim(), reason: reason.trim() },
          }),
        ),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form-grid credit-request-form"
      onSubmit={submit}
      aria-label={`Ask for more ${LINE_NAMES[line].toLowerCase()} credit`}
      noValidate
    >
      <div className="field">
        <label htmlFor={`${id}-amount`}>
          Extra {LINE_NAMES[line].toLowerCase()} credit ({currency})
        </label>
        <input
          id={`${id}-amount`}
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          aria-invalid={touched && !!problem}
          aria-describedby={`${id}-amount-error`}
        />
        {touched && problem && (
          <p id={`${id}-amount-error`} className="negative small" role="alert">
            {problem}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Why</label>
        <input
          id={`${id}-reason`}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={touched && !reason.trim()}
          aria-describedby={`${id}-reason-error`}
        />
        {touched && !reason.trim() && (
          <p id={`${id}-reason-error`} className="negative small" role="alert">
            Say what the credit is for: finance reads it.
          </p>
        )}
      </div>
      <ErrorBanner error={error} title="The request was not sent" />
      <div className="form-actions form-wide">
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Ask for more credit'}
        </button>
      </div>
    </form>
  );
}

/** Finance's answer: approve (the new limit, default the limit plus the amount asked) or decline, each with a reason. */
function AnswerForm({ request, onAnswered }: { request: CreditRequest; onAnswered: (r: CreditRequest, message: string) => void }) {
  const [limit, setLimit] = useState('');
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const limitProblem = limit.trim() ? amountProblem(limit) : null;
  const id = `answer-${request.id}`;

  const answer = async (kind: 'approve' | 'decline') => {
    setTouched(true);
    if (!reason.trim() || (kind === 'approve' && limitProblem)) return;
    setBusy(true);
    setError(null);
    try {
      const path = { params: { path: { id: request.id } } };
      const r =
        kind === 'approve'
          ? await ok(
              client.POST('/api/v1/credit-requests/{id}/approve', {
                ...path,
                body: { reason: reason.trim(), ...(limit.trim() ? { limit: limit.trim() } : {}) },
              }),
            )
          : await ok(
              client.POST('/api/v1/credit-requests/{id}/decline', {
                ...path,
                body: { reason: reason.trim() },
              }),
            );
      onAnswered(
        r,
        r.status === 'APPROVED'
          ? `${r.resellerName}: the ${LINE_NAMES[r.line].toLowerCase()} limit is now ${formatMoney(r.approvedLimit, r.currency)}.`
          : `${r.resellerName}: request declined.`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form-grid"
      onSubmit={(e) => e.preventDefault()}
      aria-label={`Answer the request of ${request.resellerName}`}
      noValidate
    >
      <div className="field">
        <label htmlFor={`${id}-limit`}>
          New limit <span className="muted">(default: the limit now + {formatMoney(request.amount, request.currency)})</span>
        </label>
        <input
          id={`${id}-limit`}
          inputMode="decimal"
          value={limit}
          onChange={(e) => setLimit(e.target.value)}
          aria-invalid={touched && !!limitProblem}
        />
        {touched && limitProblem && (
          <p className="negative small" role="alert">
            {limitProblem}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason</label>
        <input
          id={`${id}-reason`}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={touched && !reason.trim()}
        />
        {touched && !reason.trim() && (
          <p className="negative small" role="alert">
            A reason is required; the reseller sees it.
          </p>
        )}
      </div>
      <ErrorBanner error={error} title="The request was not answered" />
      <div className="form-actions form-wide">
        <button type="button" className="primary" disabled={busy} onClick={() => void answer('approve')}>
          Approve
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void answer('decline')}>
          Decline
        </button>
      </div>
    </form>
  );
}

/** Credit requests: finance sees every reseller's and answers the pending ones; reseller users see theirs and ask. */
export function CreditRequestsPage() {
  const { me, reseller } = useSession();
  const finance = hasRole(me, 'finance', 'admin');
  const [status, setStatus] = useState(finance ? 'PENDING' : '');
  const [page, setPage] = useState(1);
  const [message, setMessage] = useState<string | null>(null);
  const [asking, setAsking] = useState<CreditLine | null>(null);
  const { data, error, loading, reload } = useAsync(
    () =>
      ok(
        client.GET('/api/v1/credit-requests', {
          params: { query: { status: oneOf(STATUSES, status), page, pageSize: 25 } },
        }),
      ),
    [status, page],
  );

  return (
    <section>
      <PageHeader title="Credit requests" />
      {message && <Notice kind="success">{message}</Notice>}
      {!finance && reseller && (
        <div className="card">
          <h2>Ask for more credit</h2>
          <div className="toolbar">
            {(['HARDWARE', 'CLOUD'] as const).map((l) => (
              <button key={l} type="button" aria-expanded={asking === l} onClick={() => setAsking(asking === l ? null : l)}>
                {LINE_NAMES[l]} credit line
              </button>
            ))}
          </div>
          {asking && (
            <RequestCreditForm
              key={asking}
              line={asking}
              currency={reseller.currency}
              onSent={(r) => {
                setAsking(null);
                setMessage(
                  `Request for ${formatMoney(r.amount, r.currency)} more ${LINE_NAMES[r.line].toLowerCase()} credit sent to your distributor.`,
                );
                void reload();
              }}
            />
          )}
        </div>
      )}
      <div className="toolbar">
        <FilterSelect
          id="cr-status"
          label="Status"
          value={status}
          options={statusOptions(STATUSES)}
          onChange={(v) => (setStatus(v), setPage(1))}
        />
      </div>
      <ErrorBanner error={error} />
      <ListBody
        loading={loading}
        page={data}
        loadingText="Loading credit requests"
        empty={finance ? 'No credit requests waiting.' : 'No credit requests yet.'}
      >
        {(data) => (
          <>
            <ul className="card-list" aria-label="Credit requests">
              {data.items.map((r) => (
                <li key={r.id} className="card" data-request={r.id} data-status={r.status}>
                  <h3>
                    {finance ? `${r.resellerName} · ` : ''}
                    {LINE_NAMES[r.line]} line: <Money amount={r.amount} currency={r.currency} /> more
                  </h3>
                  <p>
                    <Status value={r.status} /> · asked <DateText value={r.requestedAt.slice(0, 10)} /> · “{r.reason}”
                  </p>
                  {r.status !== 'PENDING' && (
                    <p data-testid="answer">
                      {r.status === 'APPROVED' ? (
                        <>
                          Limit {formatMoney(r.previousLimit, r.currency)} → <strong>{formatMoney(r.approvedLimit, r.currency)}</strong>
                          .{' '}
                        </>
                      ) : null}
                      Answer: “{r.answerReason}” (<DateText value={r.answeredAt?.slice(0, 10)} />)
                    </p>
                  )}
                  {finance && r.status === 'PENDING' && (
                    <AnswerForm
                      request={r}
                      onAnswered={(_, m) => {
                        setMessage(m);
                        void reload();
                      }}
                    />
                  )}
                </li>
              ))}
            </ul>
            <Pager page={data.page} pageSize={data.pageSize} total={data.total} onPage={setPage} />
          </>
        )}
      </ListBody>
    </section>
  );
}
