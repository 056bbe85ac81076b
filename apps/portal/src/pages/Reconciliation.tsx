import { FormEvent, ReactNode, useState } from 'react';
import { api } from '../api';
import { ErrorBanner, Loading, Money, PageHeader, useAsync } from '../components/ui';
import { isZero, todayIso } from '../format';

/**
 * GET /ledger/reconciliation (DESIGN §5 General ledger): each control account beside its
 * subledger, per reseller and in total; `reconciled` only when every difference is zero.
 */
export interface Reconciliation {
  asOf: string;
  reconciled: boolean;
  [section: string]: unknown;
}

export function ReconciliationVerdict({ recon }: { recon: Reconciliation }) {
  return recon.reconciled ? (
    <p className="verdict verdict-ok" role="status" data-testid="reconciled">
      <span aria-hidden="true">✓</span> Reconciled: every control account matches its subledger as of {recon.asOf}.
    </p>
  ) : (
    <p className="verdict verdict-bad" role="alert" data-testid="not-reconciled">
      <span aria-hidden="true">!</span> Not reconciled: the differences are highlighted below.
    </p>
  );
}

const LABELS: Record<string, string> = {
  creditLines: 'Accounts receivable by credit line',
  arByCreditLine: 'Accounts receivable by credit line',
  receivables: 'Accounts receivable',
  perReseller: 'Per reseller',
  resellers: 'Per reseller',
  unappliedCash: 'Unapplied cash (2200)',
  stripeClearing: 'Stripe clearing (1050)',
  differences: 'Differences',
  ledger: 'Ledger',
  subledger: 'Subledger',
  difference: 'Difference',
  controlBalance: 'Control account',
  openInvoices: 'Open invoices',
  accountCode: 'Account',
  line: 'Line',
  creditLine: 'Credit line',
  resellerId: 'Reseller',
  resellerName: 'Reseller',
  currency: 'Currency',
};

const label = (k: string) => LABELS[k] ?? k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
const isMoneyString = (v: unknown) => typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v);
const isDifferenceKey = (k: string) => /difference/i.test(k);

function currencyOf(o: Record<string, unknown>, fallback: string | null): string | null {
  return typeof o.currency === 'string' ? o.currency : fallback;
}

function Cell({ k, v, currency }: { k: string; v: unknown; currency: string | null }) {
  if (isMoneyString(v) && currency && !/code|id$/i.test(k)) return <Money amount={v as string} currency={currency} />;
  if (typeof v === 'boolean') return <>{v ? 'Yes' : 'No'}</>;
  if (v === null || v === undefined) return <>—</>;
  if (typeof v === 'object') return <code className="small">{JSON.stringify(v)}</code>;
  return <>{String(v)}</>;
}

function rowHasDifference(o: Record<string, unknown>): boolean {
  return Object.entries(o).some(([k, v]) => isDifferenceKey(k) && isMoneyString(v) && !isZero(v as string));
}

function Section({ name, value, currency }: { name: string; value: unknown; currency: string | null }): ReactNode {
  if (Array.isArray(value)) {
    const rows = value.filter((r): r is Record<string, unknown> => !!r && typeof r === 'object');
    if (rows.length === 0) return name === 'differences' ? null : (
      <div className="card">
        <h2>{label(name)}</h2>
        <p className="muted">Nothing.</p>
      </div>
    );
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !Array.isArray(rows[0][c]));
    return (
      <div className={`card${name === 'differences' ? ' card-danger' : ''}`}>
        <h2>{label(name)}</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                {cols.map((c) => (
                  <th key={c} scope="col" className={isMoneyString(rows[0][c]) ? 'num' : undefined}>
                    {label(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i} className={rowHasDifference(r) ? 'row-danger' : undefined} data-difference={rowHasDifference(r) ? 'yes' : 'no'}>
                  {cols.map((c) => (
                    <td key={c} className={`${isMoneyString(r[c]) ? 'num' : ''}${isDifferenceKey(c) && isMoneyString(r[c]) && !isZero(r[c] as string) ? ' diff' : ''}`}>
                      <Cell k={c} v={r[c]} currency={currencyOf(r, currency)} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {rows.some((r) => Object.values(r).some(Array.isArray)) &&
          rows.map((r, i) =>
            Object.entries(r)
              .filter(([, v]) => Array.isArray(v))
              .map(([k, v]) => <Section key={`${i}-${k}`} name={`${String(r.line ?? r.creditLine ?? r.accountCode ?? '')} ${label(k)}`.trim()} value={v} currency={currencyOf(r, currency)} />),
          )}
      </div>
    );
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const scalars = Object.entries(o).filter(([, v]) => v === null || typeof v !== 'object');
    const nested = Object.entries(o).filter(([, v]) => v !== null && typeof v === 'object');
    const cur = currencyOf(o, currency);
    return (
      <div className={`card${rowHasDifference(o) ? ' card-danger' : ''}`}>
        <h2>{label(name)}</h2>
        {scalars.length > 0 && (
          <dl className="facts">
            {scalars.map(([k, v]) => (
              <div key={k} className={isDifferenceKey(k) && isMoneyString(v) && !isZero(v as string) ? 'diff' : undefined}>
                <dt>{label(k)}</dt>
                <dd>
                  <Cell k={k} v={v} currency={cur} />
                </dd>
              </div>
            ))}
          </dl>
        )}
        {nested.map(([k, v]) => (
          <Section key={k} name={k} value={v} currency={cur} />
        ))}
      </div>
    );
  }
  return null;
}

export function ReconciliationView({ recon }: { recon: Reconciliation }) {
  const currency = typeof recon.currency === 'string' ? recon.currency : null;
  return (
    <>
      <ReconciliationVerdict recon={recon} />
      {Object.entries(recon)
        .filter(([k]) => !['asOf', 'reconciled', 'currency'].includes(k))
        .map(([k, v]) => (
          <Section key={k} name={k} value={v} currency={currency} />
        ))}
    </>
  );
}

export function ReconciliationPage() {
  const [asOf, setAsOf] = useState(todayIso());
  const [query, setQuery] = useState(todayIso());
  const { data, error, loading } = useAsync(() => api.get<Reconciliation>('/ledger/reconciliation', { asOf: query }), [query]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery(asOf);
  };
  return (
    <section>
      <PageHeader title="Reconciliation" />
      <form className="toolbar" onSubmit={submit}>
        <div className="field">
          <label htmlFor="recon-asof">As of</label>
          <input id="recon-asof" type="date" required value={asOf} onChange={(e) => setAsOf(e.target.value)} />
        </div>
        <button type="submit">Reconcile</button>
      </form>
      <ErrorBanner error={error} />
      {loading && !data ? <Loading what="Reconciling" /> : data ? <ReconciliationView recon={data} /> : null}
    </section>
  );
}
