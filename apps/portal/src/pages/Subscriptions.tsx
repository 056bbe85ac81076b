import { FormEvent, useState } from 'react';
import { client, ok, oneOf, text } from '../api';
import {
  DateText,
  ErrorBanner,
  FieldProblem,
  invalidProps,
  ListBody,
  Loading,
  Money,
  Notice,
  PageHeader,
  Pager,
  Status,
  useAsync,
  TableRegion,
} from '../components/ui';
import type { Charge, Subscription, SubscriptionStatus } from '../contract';
import { formatMoney, isNegative, sumMoney, todayIso } from '../format';
import { Link } from '../router';
import { hasRole, useSession } from '../session';
import { FREQUENCY_LABELS, TERM_LABELS } from './Catalog';

export function SubscriptionsPage() {
  const [status, setStatus] = useState('ACTIVE');
  const [sku, setSku] = useState('');
  const [filters, setFilters] = useState({ status: 'ACTIVE', sku: '', page: 1 });
  const { data, error, loading } = useAsync(
    () =>
      ok(
        client.GET('/api/v1/subscriptions', {
          params: {
            query: {
              status: oneOf<SubscriptionStatus>(['ACTIVE', 'CANCELLED', 'EXPIRED'], filters.status),
              sku: text(filters.sku),
              page: filters.page,
              pageSize: 20,
            },
          },
        }),
      ),
    [filters],
  );

  return (
    <section>
      <PageHeader title="Subscriptions" />
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ status, sku: sku.trim(), page: 1 });
        }}
      >
        <div className="field">
          <label htmlFor="sub-status">Status</label>
          <select id="sub-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            <option value="ACTIVE">Active</option>
            <option value="CANCELLED">Cancelled</option>
            <option value="EXPIRED">Expired</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="sub-sku">SKU</label>
          <input id="sub-sku" value={sku} onChange={(e) => setSku(e.target.value)} />
        </div>
        <button type="submit">Filter</button>
      </form>
      <ErrorBanner error={error} />
      <ListBody
        loading={loading}
        page={data}
        loadingText="Loading subscriptions"
        empty="No subscriptions match. Clear the filters, or order a cloud product from the catalog to start one."
      >
        {(data) => (
          <>
            <TableRegion label="Subscriptions" csv="subscriptions">
              <table>
                <caption className="sr-only">Subscriptions</caption>
                <thead>
                  <tr>
                    <th scope="col">SKU</th>
                    <th scope="col">End customer</th>
                    <th scope="col" className="num">
                      Seats
                    </th>
                    <th scope="col">Current term</th>
                    <th scope="col" className="num">
                      Per seat / month
                    </th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((s) => (
                    <tr key={s.id}>
                      <td>
                        <Link to={`/subscriptions/${s.id}`}>{s.sku}</Link>
                      </td>
                      <td>{s.endCustomer.name}</td>
                      <td className="num">{s.quantity}</td>
                      <td>
                        <DateText value={s.termStart} /> – <DateText value={s.termEnd} />
                      </td>
                      <td className="num">
                        <Money amount={s.unitPrice} currency={s.currency} />
                      </td>
                      <td>
                        <Status value={s.status} />
                        {s.cancelAtTermEnd && <span className="muted small"> ends at term end</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
            <Pager page={data.page} pageSize={data.pageSize} total={data.total} onPage={(page) => setFilters((f) => ({ ...f, page }))} />
          </>
        )}
      </ListBody>
    </section>
  );
}

/** Charges the last change created: in the response, not in the subscription as it was before. */
function newAdjustments(before: Subscription, after: Subscription): Charge[] {
  const had = new Set((before.charges ?? []).map((c) => c.id));
  return (after.charges ?? []).filter((c) => !had.has(c.id) && c.kind !== 'TERM');
}

export function SubscriptionDetailPage({ id }: { id: string }) {
  const { me } = useSession();
  const mayChange = hasRole(me, 'buyer', 'reseller_admin', 'admin');
  const maySeeInvoices = hasRole(me, 'reseller_finance', 'reseller_admin', 'finance', 'admin');
  const {
    data: sub,
    error,
    loading,
    setData,
  } = useAsync(() => ok(client.GET('/api/v1/subscriptions/{id}', { params: { path: { id } } })), [id]);
  const [seats, setSeats] = useState('');
  const [asOf, setAsOf] = useState(todayIso());
  const [when, setWhen] = useState<'END_OF_TERM' | 'IMMEDIATE'>('END_OF_TERM');
  const [actionError, setActionError] = useState<unknown>(null);
  const [result, setResult] = useState<{ text: string; charges: Charge[] } | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (label: string, call: () => Promise<Subscription>) => {
    if (!sub) return;
    setBusy(true);
    setActionError(null);
    setResult(null);
    try {
      const after = await call();
      setData(after);
      setResult({ text: label, charges: newAdjustments(sub, after) });
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  const changeSeats = (e: FormEvent) => {
    e.preventDefault();
    const quantity = Number.parseInt(seats, 10);
    if (!sub || !Number.isInteger(quantity) || quantity < 1) return;
    void act(`Seats changed from ${sub.quantity} to ${quantity}.`, () =>
      ok(
        client.PATCH('/api/v1/subscriptions/{id}', {
          params: { path: { id: sub.id } },
          body: { quantity, asOf },
        }),
      ),
    );
  };

  const cancel = (e: FormEvent) => {
    e.preventDefault();
    if (!sub) return;
    const words = when === 'IMMEDIATE' ? 'now, crediting the unused part of the period' : 'at the end of the current term';
    if (!window.confirm(`Cancel this subscription ${words}?`)) return;
    void act(when === 'IMMEDIATE' ? 'Subscription cancelled.' : 'The subscription will end at the end of its term.', () =>
      ok(
        client.POST('/api/v1/subscriptions/{id}/cancel', {
          params: { path: { id: sub.id } },
          body: when === 'IMMEDIATE' ? { when, asOf } : { when },
        }),
      ),
    );
  };

  const toggleAutoRenew = () => {
    if (!sub) return;
    void act(sub.autoRenew ? 'Auto-renew turned off.' : 'Auto-renew turned on.', () =>
      ok(
        client.PATCH('/api/v1/subscriptions/{id}', {
          params: { path: { id: sub.id } },
          body: { autoRenew: !sub.autoRenew },
        }),
      ),
    );
  };

  const prorated = result?.charges.length ? sumMoney(result.charges.map((c) => c.amount)) : null;
  return (
    <section>
      <PageHeader title={sub ? `${sub.sku} for ${sub.endCustomer.name}` : 'Subscription'}>
        <Link to="/subscriptions">All subscriptions</Link>
      </PageHeader>
      <ErrorBanner error={error} />
      {result && (
        <Notice kind="success">
          <span data-testid="change-result">{result.text}</span>{' '}
          {prorated !== null && sub && (
            <span data-testid="prorated-amount">
              {isNegative(prorated) ? 'Prorated credit' : 'Prorated charge'} for the rest of the billing period:{' '}
              <strong>{formatMoney(prorated.replace('-', ''), sub.currency)}</strong> (net of tax), on the next invoice.
            </span>
          )}
        </Notice>
      )}
      <ErrorBanner error={actionError} title="The change was refused" />
      {loading && !sub ? (
        <Loading what="Loading the subscription" />
      ) : sub ? (
        <>
          <dl className="facts">
            <div>
              <dt>Status</dt>
              <dd>
                <Status value={sub.status} />
                {sub.cancelAtTermEnd && <div className="muted small">Ends at term end</div>}
              </dd>
            </div>
            <div>
              <dt>Seats</dt>
              <dd>{sub.quantity}</dd>
            </div>
            <div>
              <dt>Per seat per month</dt>
              <dd>
                <Money amount={sub.unitPrice} currency={sub.currency} />
              </dd>
            </div>
            <div>
              <dt>Term</dt>
              <dd>
                {TERM_LABELS[sub.term] ?? sub.term}, {FREQUENCY_LABELS[sub.billingFrequency] ?? sub.billingFrequency}
              </dd>
            </div>
            <div>
              <dt>Current term</dt>
              <dd>
                <DateText value={sub.termStart} /> – <DateText value={sub.termEnd} />
              </dd>
            </div>
            <div>
              <dt>Auto-renew</dt>
              <dd>{sub.autoRenew ? 'On' : 'Off'}</dd>
            </div>
          </dl>

          {mayChange && sub.status === 'ACTIVE' && (
            <div className="actions-grid">
              <form className="card" onSubmit={changeSeats} aria-labelledby="seats-title">
                <h2 id="seats-title">Change seats</h2>
                <p className="muted small">The difference is prorated for the rest of the current billing period.</p>
                <div className="field">
                  <label htmlFor="seats">New seat count</label>
                  <input
                    id="seats"
                    type="number"
                    min={1}
                    step={1}
                    inputMode="numeric"
                    required
                    value={seats}
                    onChange={(e) => setSeats(e.target.value)}
                    {...invalidProps(actionError, 'quantity', 'seats')}
                  />
                  <FieldProblem error={actionError} field="quantity" id="seats" />
                </div>
                <div className="field">
                  <label htmlFor="seats-asof">Effective</label>
                  <input
                    id="seats-asof"
                    type="date"
                    required
                    value={asOf}
                    onChange={(e) => setAsOf(e.target.value)}
                    {...invalidProps(actionError, 'asOf', 'seats-asof')}
                  />
                  <FieldProblem error={actionError} field="asOf" id="seats-asof" />
                </div>
                <button type="submit" className="primary" disabled={busy || !seats || Number(seats) === sub.quantity}>
                  Change seats
                </button>
              </form>
              <form className="card" onSubmit={cancel} aria-labelledby="cancel-title">
                <h2 id="cancel-title">Cancel</h2>
                <fieldset>
                  <legend className="sr-only">When</legend>
                  <label className="radio">
                    <input
                      type="radio"
                      name="when"
                      value="END_OF_TERM"
                      checked={when === 'END_OF_TERM'}
                      onChange={() => setWhen('END_OF_TERM')}
                    />
                    At the end of the term (<DateText value={sub.termEnd} />)
                  </label>
                  <label className="radio">
                    <input
                      type="radio"
                      name="when"
                      value="IMMEDIATE"
                      checked={when === 'IMMEDIATE'}
                      onChange={() => setWhen('IMMEDIATE')}
                    />
                    Immediately, crediting the unused part of the period
                  </label>
                </fieldset>
                <button type="submit" className="danger" disabled={busy}>
                  Cancel subscription
                </button>
                <hr />
                <button type="button" onClick={toggleAutoRenew} disabled={busy}>
                  {sub.autoRenew ? 'Turn auto-renew off' : 'Turn auto-renew on'}
                </button>
              </form>
            </div>
          )}

          <TableRegion label="Terms">
            <table>
              <caption>Terms</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">From</th>
                  <th scope="col">To (inclusive)</th>
                  <th scope="col" className="num">
                    Seats
                  </th>
                  <th scope="col" className="num">
                    Per seat / month
                  </th>
                  <th scope="col">Ended early</th>
                </tr>
              </thead>
              <tbody>
                {sub.terms.map((t) => (
                  <tr key={t.id}>
                    <td>{t.termNo}</td>
                    <td>
                      <DateText value={t.startDate} />
                    </td>
                    <td>
                      <DateText value={t.endDate} />
                    </td>
                    <td className="num">{t.quantity}</td>
                    <td className="num">
                      <Money amount={t.unitPrice} currency={t.currency} />
                    </td>
                    <td>{t.endedOn ? <DateText value={t.endedOn} /> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>

          {sub.charges && sub.charges.length > 0 && (
            <TableRegion label="Charges">
              <table>
                <caption>Charges</caption>
                <thead>
                  <tr>
                    <th scope="col">Billed on</th>
                    <th scope="col">Period</th>
                    <th scope="col">Description</th>
                    <th scope="col" className="num">
                      Amount (net)
                    </th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {sub.charges.map((c) => (
                    <tr key={c.id} className={c.status === 'VOID' ? 'void' : undefined}>
                      <td>
                        <DateText value={c.billingDate} />
                      </td>
                      <td>
                        <DateText value={c.periodStart} /> – <DateText value={c.periodEnd} />
                      </td>
                      <td>{c.description}</td>
                      <td className="num">
                        <Money amount={c.amount} currency={c.currency} />
                      </td>
                      <td>
                        {c.invoiceId && maySeeInvoices ? <Link to={`/invoices/${c.invoiceId}`}>Billed</Link> : <Status value={c.status} />}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
          )}
        </>
      ) : null}
    </section>
  );
}
