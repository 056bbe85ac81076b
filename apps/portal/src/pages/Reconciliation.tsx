import { FormEvent, useState } from 'react';
import { client, ok, text } from '../api';
import { ErrorBanner, Loading, Money, PageHeader, useAsync, TableRegion } from '../components/ui';
import type { Reconciliation, ReconciliationRow } from '../contract';
import { formatDate, isZero } from '../format';
import { useResellers } from '../resellers';

type SectionName = keyof Pick<
  Reconciliation,
  'receivables' | 'unappliedCash' | 'stripeClearing' | 'unbilled' | 'deferredRevenue' | 'accruedCosts' | 'payables' | 'tax'
>;

const SECTIONS: Array<{ name: SectionName; title: string; ledger: string; subledger: string }> = [
  {
    name: 'receivables',
    title: 'Accounts receivable (1100 hardware, 1110 cloud)',
    ledger: 'AR control account',
    subledger: 'Open invoices',
  },
  {
    name: 'unappliedCash',
    title: 'Unapplied cash (2200)',
    ledger: 'Account 2200',
    subledger: 'Unapplied payments',
  },
  {
    name: 'stripeClearing',
    title: 'Stripe clearing (1050)',
    ledger: 'Account 1050',
    subledger: 'Stripe payments net of fees',
  },
  {
    name: 'unbilled',
    title: 'Unbilled receivables (1190)',
    ledger: 'Account 1190',
    subledger: 'Shipped hardware not yet invoiced',
  },
  {
    name: 'deferredRevenue',
    title: 'Deferred revenue — cloud (2400)',
    ledger: 'Account 2400',
    subledger: 'Invoiced cloud not yet recognised',
  },
  {
    name: 'tax',
    title: 'Tax payable (2100)',
    ledger: 'Account 2100 (per reseller)',
    subledger: 'Output tax of invoices less credit notes and write-offs',
  },
  {
    name: 'accruedCosts',
    title: 'Accrued vendor costs (2050)',
    ledger: 'Account 2050',
    subledger: 'Accruals not matched to a vendor bill',
  },
  {
    name: 'payables',
    title: 'Accounts payable — vendors (2000)',
    ledger: 'Account 2000',
    subledger: 'Open vendor bills',
  },
];

export function ReconciliationVerdict({ recon }: { recon: Reconciliation }) {
  return recon.reconciled ? (
    <p className="verdict verdict-ok" role="status" data-testid="reconciled">
      <span aria-hidden="true">✓ </span>Reconciled: every control account equals its subledger ({formatDate(recon.asOf)}).
    </p>
  ) : (
    <p className="verdict verdict-bad" role="alert" data-testid="not-reconciled">
      <span aria-hidden="true">! </span>Not reconciled: {recon.differences.length} difference
      {recon.differences.length === 1 ? '' : 's'}, highlighted below.
    </p>
  );
}

const hasDiff = (r: ReconciliationRow) => !isZero(r.difference);

function ReconTable({
  rows,
  caption,
  ledger,
  subledger,
  name,
}: {
  rows: ReconciliationRow[];
  caption: string;
  ledger: string;
  subledger: string;
  name: (id: string | null) => string;
}) {
  const perReseller = rows.some((r) => r.resellerId !== null);
  return (
    <TableRegion label={caption} csv={`reconciliation-${caption.toLowerCase().replace(/\W+/g, '-')}`}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {perReseller && <th scope="col">Reseller</th>}
            <th scope="col">Account</th>
            <th scope="col" className="num">
              {ledger}
            </th>
            <th scope="col" className="num">
              {subledger}
            </th>
            <th scope="col" className="num">
              Difference
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} className={hasDiff(r) ? 'row-danger' : undefined} data-difference={hasDiff(r) ? 'yes' : 'no'}>
              {perReseller && <td>{name(r.resellerId)}</td>}
              <td>
                <span className="code">{r.account}</span>
                {r.creditLine ? (r.creditLine === 'HARDWARE' ? 'Hardware' : 'Cloud') : ''} {r.currency}
              </td>
              <td className="num">
                <Money amount={r.ledger} currency={r.currency} />
              </td>
              <td className="num">
                <Money amount={r.subledger} currency={r.currency} />
              </td>
              <td className={`num${hasDiff(r) ? ' diff' : ''}`}>
                {hasDiff(r) ? <Money amount={r.difference} currency={r.currency} /> : <span className="muted">none</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

export function ReconciliationView({ recon }: { recon: Reconciliation }) {
  const resellers = useResellers();
  const name = (id: string | null) => (id === null ? 'No reseller' : resellers.name(id));
  return (
    <>
      <ReconciliationVerdict recon={recon} />
      {recon.differences.length > 0 && (
        <div className="card card-danger">
          <h2>Differences</h2>
          <ReconTable
            rows={recon.differences}
            caption="Every line where the ledger and its subledger disagree"
            ledger="Ledger"
            subledger="Subledger"
            name={name}
          />
        </div>
      )}
      {SECTIONS.map((s) => {
        const section = recon[s.name];
        const diffs = section.items.filter(hasDiff).length;
        return (
          <section key={s.name} className={`card${diffs ? ' card-danger' : ''}`} aria-labelledby={`recon-${s.name}`}>
            <h2 id={`recon-${s.name}`}>
              {s.title}{' '}
              {diffs ? <span className="status status-failed">{diffs} off</span> : <span className="status status-completed">Matches</span>}
            </h2>
            {section.totals.length === 0 ? (
              <p className="muted">Nothing posted.</p>
            ) : (
              <>
                <ReconTable rows={section.totals} caption="Totals" ledger={s.ledger} subledger={s.subledger} name={name} />
                <details>
                  <summary>Per reseller ({section.items.length})</summary>
                  <ReconTable rows={section.items} caption="Per reseller" ledger={s.ledger} subledger={s.subledger} name={name} />
                </details>
              </>
            )}
          </section>
        );
      })}
    </>
  );
}

export function ReconciliationPage() {
  const [asOf, setAsOf] = useState('');
  // A new object on every submit: "Reconcile" asks again even for the same date.
  const [query, setQuery] = useState({ asOf: '' });
  const { data, error, loading } = useAsync(
    () => ok(client.GET('/api/v1/ledger/reconciliation', { params: { query: { asOf: text(query.asOf) } } })),
    [query],
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ asOf });
  };
  return (
    <section>
      <PageHeader title="Reconciliation" />
      <form className="toolbar" onSubmit={submit}>
        <div className="field">
          <label htmlFor="recon-asof">
            As of <span className="muted">(empty: now)</span>
          </label>
          <input id="recon-asof" type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />
        </div>
        <button type="submit">Reconcile</button>
      </form>
      <ErrorBanner error={error} />
      {loading && !data ? <Loading what="Reconciling" /> : data ? <ReconciliationView recon={data} /> : null}
    </section>
  );
}
