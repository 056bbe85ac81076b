import { FormEvent, useEffect, useState } from 'react';
import { client, ok } from '../api';
import {
  Empty,
  ErrorBanner,
  FieldProblem,
  invalidProps,
  Loading,
  Money,
  Notice,
  PageHeader,
  Stat,
  useAsync,
  TableRegion,
} from '../components/ui';
import { formatDateTime, lessThan, todayIso } from '../format';
import { hasRole, useSession } from '../session';

/**
 * Cloud consumption per subscription (docs/consumption.md §7, §8): the month's usage to date, the
 * run-rate forecast beside the budget (set here), per meter; the forecast and credit alerts.
 */
export function ConsumptionUsagePage() {
  const { me } = useSession();
  const subs = useAsync(() => ok(client.GET('/api/v1/consumption-subscriptions', { params: { query: { pageSize: 200 } } })), []);
  const [subId, setSubId] = useState('');
  const [month, setMonth] = useState(todayIso().slice(0, 7));
  useEffect(() => {
    if (!subId && subs.data?.items.length) setSubId(subs.data.items[0].id);
  }, [subs.data, subId]);
  const mayAlerts = hasRole(me, 'admin', 'finance', 'reseller_admin', 'reseller_finance');

  return (
    <section>
      <PageHeader title="Cloud usage" />
      <p className="lead">Usage so far this month, where the month is heading at this rate, and the budget it is measured against.</p>
      <ErrorBanner error={subs.error} title="The consumption subscriptions could not be loaded" />
      {subs.loading && !subs.data ? (
        <Loading what="Loading consumption subscriptions" />
      ) : !subs.data?.items.length ? (
        <Empty>No consumption subscriptions yet. Order a pay-as-you-go cloud product from the catalog to start one.</Empty>
      ) : (
        <>
          <div className="card toolbar">
            <div className="field">
              <label htmlFor="usage-sub">Subscription</label>
              <select id="usage-sub" value={subId} onChange={(e) => setSubId(e.target.value)}>
                {subs.data.items.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.endCustomer} · {s.sku} · {s.tenantId}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="usage-month">Month</label>
              <input id="usage-month" type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} />
            </div>
          </div>
          {subId && (
            <SubscriptionUsage id={subId} month={month} mayBudget={hasRole(me, 'admin', 'finance', 'reseller_admin', 'reseller_finance')} />
          )}
        </>
      )}
      {mayAlerts && <Alerts />}
    </section>
  );
}

function SubscriptionUsage({ id, month, mayBudget }: { id: string; month: string; mayBudget: boolean }) {
  const summary = useAsync(
    () =>
      ok(
        client.GET('/api/v1/consumption-subscriptions/{id}/usage-summary', {
          params: { path: { id }, query: { month } },
        }),
      ),
    [id, month],
  );
  const s = summary.data;
  return (
    <div className="card" aria-live="polite" data-testid="usage-summary">
      <ErrorBanner error={summary.error} />
      {summary.loading && !s ? (
        <Loading what="Loading the usage" />
      ) : s ? (
        <>
          {s.overBudget && (
            <Notice kind="warning">
              At this rate the month comes to <Money amount={s.forecast} currency={s.currency} />, above its budget of{' '}
              <Money amount={s.budget} currency={s.currency} />.
            </Notice>
          )}
          <dl className="stats">
            <Stat label="Month to date">
              <Money amount={s.monthToDate} currency={s.currency} />
            </Stat>
            <Stat label={`Forecast (${s.daysElapsed} of ${s.daysInMonth} days)`} tone={s.overBudget ? 'danger' : undefined}>
              <Money amount={s.forecast} currency={s.currency} />
            </Stat>
            <Stat label="Budget" tone={s.budget && !s.overBudget ? 'ok' : undefined}>
              {s.budget ? <Money amount={s.budget} currency={s.currency} /> : 'None set'}
            </Stat>
          </dl>
          {s.meters.length === 0 ? (
            <Empty>No usage in this month.</Empty>
          ) : (
            <TableRegion label="Usage per meter" csv="cloud-usage">
              <table>
                <caption className="sr-only">Usage per meter</caption>
                <thead>
                  <tr>
                    <th scope="col">Meter</th>
                    <th scope="col" className="num">
                      Quantity
                    </th>
                    <th scope="col" className="num">
                      Month to date
                    </th>
                    <th scope="col" className="num">
                      Forecast
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {s.meters.map((m) => (
                    <tr key={m.meterId}>
                      <td>
                        {m.name || m.meterId} <span className="muted small">{m.meterId}</span>
                      </td>
                      <td className="num">
                        {m.quantity.replace(/\.?0+$/, '')} {m.unit}
                      </td>
                      <td className="num">
                        <Money amount={m.monthToDate} currency={s.currency} />
                      </td>
                      <td className="num">
                        <Money amount={m.forecast} currency={s.currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
          )}
          {mayBudget && <BudgetForm id={id} currency={s.currency} onSaved={() => void summary.reload()} />}
        </>
      ) : null}
    </div>
  );
}

function BudgetForm({ id, currency, onSaved }: { id: string; currency: string; onSaved: () => void }) {
  const budget = useAsync(() => ok(client.GET('/api/v1/consumption-subscriptions/{id}/budget', { params: { path: { id } } })), [id]);
  const [amount, setAmount] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setAmount(budget.data?.monthlyAmount ?? ''), [budget.data]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await ok(
        client.PUT('/api/v1/consumption-subscriptions/{id}/budget', {
          params: { path: { id } },
          body: { monthlyAmount: amount.trim() },
        }),
      );
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="toolbar" onSubmit={(e) => void save(e)} aria-label="Monthly budget">
      <div className="field">
        <label htmlFor="budget-amount">Monthly budget ({currency})</label>
        <input
          id="budget-amount"
          inputMode="decimal"
          required
          pattern="\d+(\.\d{1,4})?"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          {...invalidProps(error, 'monthlyAmount', 'budget-amount')}
        />
        <FieldProblem error={error} field="monthlyAmount" id="budget-amount" />
      </div>
      <button type="submit">Save budget</button>
      {saved && <span role="status">Saved.</span>}
      <ErrorBanner error={error} title="The budget was not saved" />
    </form>
  );
}

function Alerts() {
  const forecasts = useAsync(() => ok(client.GET('/api/v1/consumption-budget-alerts', { params: { query: { pageSize: 20 } } })), []);
  const credit = useAsync(() => ok(client.GET('/api/v1/credit-exposure/alerts', { params: { query: { pageSize: 20 } } })), []);
  return (
    <div className="card">
      <h2>Alerts</h2>
      <ErrorBanner error={forecasts.error ?? credit.error} />
      <h3>Forecast above budget</h3>
      {!forecasts.data?.items.length ? (
        <Empty>No subscription is heading over its budget.</Empty>
      ) : (
        <ul className="plain">
          {forecasts.data.items.map((a) => (
            <li key={a.id}>
              {a.month} · {a.endCustomer} ({a.tenantId}): forecast <Money amount={a.forecast} currency={a.currency} /> against{' '}
              <Money amount={a.budget} currency={a.currency} /> <span className="muted small">{formatDateTime(a.raisedAt)}</span>
            </li>
          ))}
        </ul>
      )}
      <h3>Cloud credit line</h3>
      {!credit.data?.items.length ? (
        <Empty>No credit threshold crossed.</Empty>
      ) : (
        <ul className="plain">
          {credit.data.items.map((a) => (
            <li key={a.id} className={lessThan(a.threshold, '100') ? undefined : 'row-danger'}>
              {a.period} · {a.threshold} % of <Money amount={a.limit} currency={a.currency} /> reached (exposure{' '}
              <Money amount={a.exposure} currency={a.currency} />, of which unbilled usage{' '}
              <Money amount={a.unbilledUsage} currency={a.currency} />){a.holdPlaced ? ' — the line went on hold for new cloud orders' : ''}{' '}
              <span className="muted small">{formatDateTime(a.raisedAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
