import { FormEvent, useState } from 'react';
import { client, fetchAll, ok } from '../api';
import { Empty, ErrorBanner, Loading, Money, Notice, PageHeader, TableRegion, useAsync } from '../components/ui';
import type { Currency, Reseller } from '../contract';
import { Link } from '../router';

const CURRENCY_OPTIONS: Currency[] = ['AUD', 'NZD', 'USD', 'EUR', 'GBP', 'JPY'];

interface Draft {
  name: string;
  currency: Currency;
  country: string;
  taxId: string;
  taxRegistered: boolean;
  address: string;
  paymentTermsDays: string;
  hardwareLimit: string;
  cloudLimit: string;
}

const EMPTY: Draft = {
  name: '',
  currency: 'AUD',
  country: 'AU',
  taxId: '',
  taxRegistered: true,
  address: '',
  paymentTermsDays: '30',
  hardwareLimit: '',
  cloudLimit: '',
};

const fromReseller = (r: Reseller): Draft => ({
  name: r.name,
  currency: r.currency,
  country: r.country,
  taxId: r.taxId ?? '',
  taxRegistered: r.taxRegistered,
  address: r.address ?? '',
  paymentTermsDays: String(r.paymentTermsDays),
  hardwareLimit: r.creditLimits.HARDWARE,
  cloudLimit: r.creditLimits.CLOUD,
});

/** Admin: every reseller; create one, or edit its legal name, terms and tax registration. Limits change on the credit limits page. */
export function AdminResellersPage() {
  const list = useAsync(
    async () => (await fetchAll((page, pageSize) => ok(client.GET('/api/v1/resellers', { params: { query: { page, pageSize } } })))).items,
    [],
  );
  const [editing, setEditing] = useState<Reseller | 'new' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  return (
    <section>
      <PageHeader title="Resellers">
        <button
          type="button"
          className="primary"
          onClick={() => {
            setEditing('new');
            setSaved(null);
          }}
        >
          New reseller
        </button>
      </PageHeader>
      {saved && <Notice kind="success">{saved}</Notice>}
      {editing && (
        <ResellerForm
          key={editing === 'new' ? 'new' : editing.id}
          reseller={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={async (r, created) => {
            setEditing(null);
            setSaved(`${r.name} ${created ? 'created' : 'saved'}.`);
            await list.reload();
          }}
        />
      )}
      <ErrorBanner error={list.error} />
      {!list.data ? (
        <Loading what="Loading resellers" />
      ) : list.data.length === 0 ? (
        <Empty>No resellers yet: create the first with “New reseller”.</Empty>
      ) : (
        <TableRegion label="Resellers" csv="resellers">
          <table>
            <thead>
              <tr>
                <th scope="col">Legal name</th>
                <th scope="col">Country</th>
                <th scope="col">Tax registration</th>
                <th scope="col" className="num">
                  Payment terms
                </th>
                <th scope="col" className="num">
                  Hardware limit
                </th>
                <th scope="col" className="num">
                  Cloud limit
                </th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((r) => (
                <tr key={r.id}>
                  <td>{r.name}</td>
                  <td>{r.country}</td>
                  <td>{r.taxRegistered ? (r.taxId ?? 'Registered') : 'Not registered'}</td>
                  <td className="num">{r.paymentTermsDays} days</td>
                  <td className="num">
                    <Money amount={r.creditLimits.HARDWARE} currency={r.currency} />
                  </td>
                  <td className="num">
                    <Money amount={r.creditLimits.CLOUD} currency={r.currency} />
                  </td>
                  <td className="button-row">
                    <button
                      type="button"
                      onClick={() => {
                        setEditing(r);
                        setSaved(null);
                      }}
                      aria-label={`Edit ${r.name}`}
                    >
                      Edit
                    </button>
                    <Link to={`/admin/credit-limits?reseller=${r.id}`}>Limits</Link>
                    <Link to={`/admin/users?reseller=${r.id}`}>Users</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}

function ResellerForm({
  reseller,
  onCancel,
  onSaved,
}: {
  reseller: Reseller | null;
  onCancel: () => void;
  onSaved: (r: Reseller, created: boolean) => Promise<void>;
}) {
  const [d, setD] = useState<Draft>(reseller ? fromReseller(reseller) : EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const common = {
        name: d.name.trim(),
        country: d.country.trim().toUpperCase(),
        taxRegistered: d.taxRegistered,
        paymentTermsDays: Number.parseInt(d.paymentTermsDays, 10),
      };
      const r = reseller
        ? await ok(
            client.PATCH('/api/v1/resellers/{id}', {
              params: { path: { id: reseller.id } },
              body: { ...common, taxId: d.taxId.trim() || null, address: d.address.trim() || null },
            }),
          )
        : await ok(
            client.POST('/api/v1/resellers', {
              body: {
                ...common,
                currency: d.currency,
                ...(d.taxId.trim() ? { taxId: d.taxId.trim() } : {}),
                ...(d.address.trim() ? { address: d.address.trim() } : {}),
                creditLimits: { HARDWARE: d.hardwareLimit.trim(), CLOUD: d.cloudLimit.trim() },
              },
            }),
          );
      await onSaved(r, !reseller);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form-grid" onSubmit={submit} aria-labelledby="reseller-form-title">
      <h2 id="reseller-form-title" className="form-wide">
        {reseller ? `Edit ${reseller.name}` : 'New reseller'}
      </h2>
      <div className="form-wide">
        <ErrorBanner error={error} title="Not saved" />
      </div>
      <div className="field">
        <label htmlFor="r-name">Legal name</label>
        <input id="r-name" required maxLength={200} value={d.name} onChange={(e) => set('name', e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="r-country">Country (ISO code)</label>
        <input
          id="r-country"
          required
          pattern="[A-Za-z]{2}"
          maxLength={2}
          value={d.country}
          onChange={(e) => set('country', e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="r-currency">Currency</label>
        <select id="r-currency" value={d.currency} disabled={!!reseller} onChange={(e) => set('currency', e.target.value as Currency)}>
          {CURRENCY_OPTIONS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="r-terms">Payment terms (days)</label>
        <input
          id="r-terms"
          type="number"
          min={0}
          max={365}
          step={1}
          required
          value={d.paymentTermsDays}
          onChange={(e) => set('paymentTermsDays', e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="r-taxid">Tax registration number</label>
        <input
          id="r-taxid"
          maxLength={40}
          value={d.taxId}
          onChange={(e) => set('taxId', e.target.value)}
          placeholder="ABN, GST or VAT number"
        />
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={d.taxRegistered} onChange={(e) => set('taxRegistered', e.target.checked)} /> Registered for GST/VAT
      </label>
      <div className="field form-wide">
        <label htmlFor="r-address">Legal address</label>
        <input id="r-address" maxLength={500} value={d.address} onChange={(e) => set('address', e.target.value)} />
      </div>
      {!reseller && (
        <>
          <div className="field">
            <label htmlFor="r-hw">Hardware credit limit</label>
            <input
              id="r-hw"
              inputMode="decimal"
              required
              pattern="\d+(\.\d+)?"
              value={d.hardwareLimit}
              onChange={(e) => set('hardwareLimit', e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="r-cloud">Cloud credit limit</label>
            <input
              id="r-cloud"
              inputMode="decimal"
              required
              pattern="\d+(\.\d+)?"
              value={d.cloudLimit}
              onChange={(e) => set('cloudLimit', e.target.value)}
            />
          </div>
        </>
      )}
      <div className="form-actions form-wide">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : reseller ? 'Save' : 'Create reseller'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
