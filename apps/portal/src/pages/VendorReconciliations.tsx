import { FormEvent, useState } from 'react';
import { client, idempotencyKey, ok } from '../api';
import { Empty, ErrorBanner, Loading, Money, Notice, PageHeader, Stat, Status, useAsync, TableRegion } from '../components/ui';
import type { VendorReconciliation, VendorReconciliationItem } from '../contract';
import { formatDateTime, isZero, todayIso } from '../format';
import { VendorField } from '../components/VendorField';
import { uploadFile } from '../upload';

const KIND_LABELS: Record<VendorReconciliationItem['kind'], string> = {
  MATCHED: 'Matched',
  MISSING_IN_DISTY: 'Missing in Disty',
  MISSING_AT_VENDOR: 'Missing at the vendor',
  QUANTITY_DIFFERENCE: 'Quantity differs',
  PRICE_DIFFERENCE: 'Price differs',
};

const lastMonth = () => {
  const [y, m] = todayIso()
    .split('-')
    .map((v) => parseInt(v, 10));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};

/**
 * Vendor invoice reconciliation for distributor finance (docs/consumption.md §9): upload the
 * vendor's monthly invoice file, see what differs from what was accrued, and accept it as the bill.
 */
export function VendorReconciliationsPage() {
  const vendors = useAsync(() => ok(client.GET('/api/v1/vendors', { params: { query: { pageSize: 200 } } })), []);
  const list = useAsync(() => ok(client.GET('/api/v1/vendor-reconciliations', { params: { query: { pageSize: 20 } } })), []);
  const [vendorId, setVendorId] = useState('');
  const [month, setMonth] = useState(lastMonth());
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [current, setCurrent] = useState<VendorReconciliation | null>(null);
  const vendorName = (id: string) => vendors.data?.items.find((v) => v.id === id)?.name ?? id;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || !vendorId) return;
    setBusy(true);
    setError(null);
    try {
      const q = new URLSearchParams({ vendorId, month, fileName: file.name });
      setCurrent(await uploadFile<VendorReconciliation>(`/vendor-reconciliations?${q.toString()}`, file, 'text/csv', () => undefined));
      await list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const open = async (id: string) => {
    setError(null);
    try {
      setCurrent(await ok(client.GET('/api/v1/vendor-reconciliations/{id}', { params: { path: { id } } })));
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section>
      <PageHeader title="Vendor reconciliation" />
      <p className="lead">The vendor’s monthly invoice against what Disty accrued for it: usage per tenant and meter, seats per SKU.</p>
      <form className="card toolbar" onSubmit={(e) => void submit(e)} aria-labelledby="recon-upload-title">
        <h2 id="recon-upload-title" className="sr-only">
          Reconcile a vendor invoice
        </h2>
        <VendorField id="recon-vendor" vendors={vendors.data?.items ?? []} value={vendorId} onChange={setVendorId} />
        <div className="field">
          <label htmlFor="recon-month">Month invoiced</label>
          <input id="recon-month" type="month" required value={month} onChange={(e) => setMonth(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="recon-file">Invoice file (CSV)</label>
          <input id="recon-file" type="file" accept=".csv,text/csv" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <button type="submit" className="primary" disabled={busy || !file || !vendorId}>
          {busy ? 'Reconciling…' : 'Reconcile'}
        </button>
      </form>
      <ErrorBanner error={vendors.error ?? list.error} />
      <ErrorBanner error={error} title="The file was not reconciled" />
      {current && (
        <ReconciliationDetail
          recon={current}
          vendor={vendorName(current.vendorId)}
          onAccepted={(r) => {
            setCurrent(r);
            void list.reload();
          }}
        />
      )}
      <div className="card">
        <h2>Recent reconciliations</h2>
        {list.loading && !list.data ? (
          <Loading what="Loading reconciliations" />
        ) : !list.data?.items.length ? (
          <Empty>No vendor invoice reconciled yet. Choose the vendor and upload its invoice file above to reconcile it.</Empty>
        ) : (
          <ul className="plain">
            {list.data.items.map((r) => (
              <li key={r.id}>
                <button type="button" className="link-button" onClick={() => void open(r.id)}>
                  {vendorName(r.vendorId)} · {r.month}
                </button>{' '}
                <Status value={r.status} /> vendor <Money amount={r.vendorTotal} currency={r.currency} />, accrued{' '}
                <Money amount={r.accruedTotal} currency={r.currency} />, {r.differences} difference
                {r.differences === 1 ? '' : 's'} <span className="muted small">{formatDateTime(r.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function ReconciliationDetail({
  recon,
  vendor,
  onAccepted,
}: {
  recon: VendorReconciliation;
  vendor: string;
  onAccepted: (r: VendorReconciliation) => void;
}) {
  const [showMatched, setShowMatched] = useState(false);
  const c = recon.currency;
  const rows = recon.items.filter((i) => showMatched || i.kind !== 'MATCHED');
  const differences = recon.items.filter((i) => i.kind !== 'MATCHED').length;
  return (
    <div className="card" aria-live="polite" data-testid="vendor-reconciliation">
      <h2>
        {vendor} · {recon.month} <Status value={recon.status} />
      </h2>
      <dl className="stats">
        <Stat label="Vendor invoice">
          <Money amount={recon.totals.vendor} currency={c} />
        </Stat>
        <Stat label="Accrued in Disty">
          <Money amount={recon.totals.accrued} currency={c} />
        </Stat>
        <Stat label="Difference" tone={isZero(recon.totals.difference) ? 'ok' : 'warning'}>
          <Money amount={recon.totals.difference} currency={c} signed />
        </Stat>
        <Stat label="Differences" tone={differences ? 'warning' : 'ok'}>
          {differences}
        </Stat>
      </dl>
      <label className="checkbox">
        <input type="checkbox" checked={showMatched} onChange={(e) => setShowMatched(e.target.checked)} /> Show matched items too
      </label>
      {rows.length === 0 ? (
        <Empty>Everything the vendor billed matches what was accrued.</Empty>
      ) : (
        <TableRegion label="Vendor invoice items" csv="vendor-reconciliation">
          <table>
            <caption className="sr-only">Items of the vendor invoice and what was accrued</caption>
            <thead>
              <tr>
                <th scope="col">Difference</th>
                <th scope="col">Tenant</th>
                <th scope="col">Meter or SKU</th>
                <th scope="col" className="num">
                  Vendor qty
                </th>
                <th scope="col" className="num">
                  Vendor cost
                </th>
                <th scope="col" className="num">
                  Accrued qty
                </th>
                <th scope="col" className="num">
                  Accrued cost
                </th>
                <th scope="col" className="num">
                  Difference
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((i) => (
                <tr key={`${i.kind}-${i.tenantId ?? ''}-${i.item}`} className={i.kind === 'MATCHED' ? undefined : 'row-warning'}>
                  <td>{KIND_LABELS[i.kind]}</td>
                  <td>{i.tenantId ?? '—'}</td>
                  <td>{i.item}</td>
                  <td className="num">{i.vendorQuantity?.replace(/\.?0+$/, '') ?? '—'}</td>
                  <td className="num">{i.vendorCost ? <Money amount={i.vendorCost} currency={c} /> : '—'}</td>
                  <td className="num">{i.accruedQuantity?.replace(/\.?0+$/, '') ?? '—'}</td>
                  <td className="num">{i.accruedCost ? <Money amount={i.accruedCost} currency={c} /> : '—'}</td>
                  <td className="num">
                    <Money amount={i.difference} currency={c} signed />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {recon.status === 'ACCEPTED' ? (
        <Notice kind="success">Accepted: the vendor bill is recorded and the month’s accruals it matched are cleared.</Notice>
      ) : (
        <AcceptForm id={recon.id} onAccepted={onAccepted} />
      )}
    </div>
  );
}

function AcceptForm({ id, onAccepted }: { id: string; onAccepted: (r: VendorReconciliation) => void }) {
  const [number, setNumber] = useState('');
  const [date, setDate] = useState(todayIso());
  const [taxRate, setTaxRate] = useState('0');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const accept = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onAccepted(
        await ok(
          client.POST('/api/v1/vendor-reconciliations/{id}/accept', {
            params: { path: { id } },
            body: { number: number.trim(), date, taxRate },
            headers: { 'Idempotency-Key': idempotencyKey() },
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
    <form className="toolbar" onSubmit={(e) => void accept(e)} aria-label="Accept as the vendor bill">
      <div className="field">
        <label htmlFor="accept-number">Vendor invoice number</label>
        <input id="accept-number" required maxLength={100} value={number} onChange={(e) => setNumber(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="accept-date">Bill date</label>
        <input id="accept-date" type="date" required value={date} onChange={(e) => setDate(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="accept-tax">Input tax %</label>
        <input
          id="accept-tax"
          inputMode="decimal"
          pattern="\d{1,2}(\.\d{1,2})?"
          value={taxRate}
          onChange={(e) => setTaxRate(e.target.value)}
        />
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Recording…' : 'Accept and record the bill'}
      </button>
      <p className="muted small">
        Differences go to purchase price variance (5900); the bill clears the month’s accruals of what it bills.
      </p>
      <ErrorBanner error={error} title="The bill was not recorded" />
    </form>
  );
}
