import { FormEvent, useState } from 'react';
import { client, ok, oneOf } from '../api';
import { ErrorBanner, Loading, Money, PageHeader, useAsync, TableRegion } from '../components/ui';
import type { Currency } from '../contract';
import { dec, todayIso } from '../format';

export const CURRENCIES: Currency[] = ['AUD', 'NZD', 'USD', 'EUR', 'GBP', 'JPY'];

export function TrialBalancePage() {
  const [asOf, setAsOf] = useState(todayIso());
  const [currency, setCurrency] = useState<Currency>('AUD');
  const [query, setQuery] = useState<{ asOf: string; currency: Currency }>({
    asOf: todayIso(),
    currency: 'AUD',
  });
  const { data, error, loading } = useAsync(() => ok(client.GET('/api/v1/ledger/trial-balance', { params: { query } })), [query]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ asOf, currency });
  };
  const balanced = data && dec(data.totals.debit).equals(dec(data.totals.credit));

  return (
    <section>
      <PageHeader title="Trial balance" />
      <form className="toolbar" onSubmit={submit}>
        <div className="field">
          <label htmlFor="tb-asof">As of</label>
          <input id="tb-asof" type="date" required value={asOf} onChange={(e) => setAsOf(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="tb-currency">Currency</label>
          <select id="tb-currency" value={currency} onChange={(e) => setCurrency(oneOf(CURRENCIES, e.target.value) ?? 'AUD')}>
            {CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      <ErrorBanner error={error} />
      {loading && !data ? (
        <Loading what="Loading the trial balance" />
      ) : data ? (
        <>
          <p className={`verdict ${balanced ? 'verdict-ok' : 'verdict-bad'}`} role="status">
            {balanced ? 'Debits equal credits.' : 'Debits and credits differ!'}
          </p>
          <TableRegion label="Trial balance" csv="trial-balance">
            <table>
              <caption className="sr-only">
                Trial balance in {data.currency} as of {data.asOf}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Type</th>
                  <th scope="col" className="num">
                    Debit
                  </th>
                  <th scope="col" className="num">
                    Credit
                  </th>
                  <th scope="col" className="num">
                    Balance
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((r) => (
                  <tr key={r.accountCode}>
                    <td>
                      <span className="code">{r.accountCode}</span> {r.name}
                    </td>
                    <td className="muted">{r.type}</td>
                    <td className="num">
                      <Money amount={r.debit} currency={data.currency} />
                    </td>
                    <td className="num">
                      <Money amount={r.credit} currency={data.currency} />
                    </td>
                    <td className="num">
                      <Money amount={r.balance} currency={data.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr className="grand-total">
                  <th scope="row" colSpan={2}>
                    Totals
                  </th>
                  <td className="num">
                    <Money amount={data.totals.debit} currency={data.currency} />
                  </td>
                  <td className="num">
                    <Money amount={data.totals.credit} currency={data.currency} />
                  </td>
                  <td />
                </tr>
              </tfoot>
            </table>
          </TableRegion>
        </>
      ) : null}
    </section>
  );
}
