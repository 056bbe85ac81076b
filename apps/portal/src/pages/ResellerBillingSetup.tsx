import { FormEvent, useEffect, useState } from 'react';
import { client, ok, text } from '../api';
import { Empty, ErrorBanner, Loading, Notice, PageHeader, useAsync } from '../components/ui';
import type { BillingProfileUpdate, PriceRuleInput } from '../contract';
import { useSession } from '../session';

const EMPTY_RULE = {
  scope: 'kind',
  productKind: 'HARDWARE',
  vendor: '',
  sku: '',
  endCustomerId: '',
  markupPercent: '',
  fixedPrice: '',
  effectiveFrom: '',
};

/**
 * The reseller admin's set-up of billing on its behalf (docs/billing-on-behalf.md §1–2): the opt-ins
 * and branding of its invoices to end customers, and its price list (markups and fixed prices).
 */
export function ResellerBillingSetupPage() {
  const { reseller } = useSession();
  const profileCurrency = reseller?.currency ?? 'AUD';
  const profile = useAsync(() => ok(client.GET('/api/v1/reseller-billing/profile', { params: { query: {} } })), []);
  const rules = useAsync(() => ok(client.GET('/api/v1/price-rules', { params: { query: { pageSize: 200 } } })), []);
  const customers = useAsync(() => ok(client.GET('/api/v1/end-customers', { params: { query: { pageSize: 200 } } })), []);
  const [form, setForm] = useState<BillingProfileUpdate>({});
  const [rule, setRule] = useState(EMPTY_RULE);
  const [saved, setSaved] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  useEffect(() => {
    const p = profile.data;
    if (p) {
      setForm({
        endCustomerBilling: p.endCustomerBilling,
        autoIssue: p.autoIssue,
        collectionOnBehalf: p.collectionOnBehalf,
        legalName: p.legalName,
        address: p.address,
        taxId: p.taxId,
        logoUrl: p.logoUrl,
        paymentInstructions: p.paymentInstructions,
        numberPrefix: p.numberPrefix,
        paymentTermsDays: p.paymentTermsDays,
      });
    }
  }, [profile.data]);

  const saveProfile = async (e: FormEvent) => {
    e.preventDefault();
    setActionError(null);
    setSaved(null);
    try {
      await ok(client.PUT('/api/v1/reseller-billing/profile', { body: { ...form, logoUrl: form.logoUrl || null } }));
      setSaved('Billing profile saved.');
      await profile.reload();
    } catch (err) {
      setActionError(err);
    }
  };

  const addRule = async (e: FormEvent) => {
    e.preventDefault();
    setActionError(null);
    setSaved(null);
    const body: PriceRuleInput = {
      effectiveFrom: rule.effectiveFrom,
      endCustomerId: text(rule.endCustomerId),
      ...(rule.scope === 'kind'
        ? { productKind: rule.productKind as PriceRuleInput['productKind'], vendor: text(rule.vendor) }
        : { sku: rule.sku }),
      ...(rule.fixedPrice ? { fixedPrice: rule.fixedPrice, currency: profileCurrency } : { markupPercent: rule.markupPercent }),
    };
    try {
      await ok(client.POST('/api/v1/price-rules', { body }));
      setRule(EMPTY_RULE);
      setSaved('Price rule added.');
      await rules.reload();
    } catch (err) {
      setActionError(err);
    }
  };

  const customerName = (id: string | null) => (id ? (customers.data?.items.find((c) => c.id === id)?.name ?? id) : 'Every end customer');
  const field = (key: keyof BillingProfileUpdate, label: string, long = false) => (
    <div className="field">
      <label htmlFor={`bp-${key}`}>{label}</label>
      {long ? (
        <textarea
          id={`bp-${key}`}
          value={(form[key] as string | null) ?? ''}
          onChange={(e) => setForm({ ...form, [key]: e.target.value || null })}
        />
      ) : (
        <input
          id={`bp-${key}`}
          value={(form[key] as string | null) ?? ''}
          onChange={(e) => setForm({ ...form, [key]: e.target.value || null })}
        />
      )}
    </div>
  );

  return (
    <section>
      <PageHeader title="Billing my end customers" />
      <ErrorBanner error={profile.error ?? rules.error} />
      <ErrorBanner error={actionError} title="Not saved" />
      {saved && <Notice kind="success">{saved}</Notice>}
      {profile.loading && !profile.data ? (
        <Loading what="Loading the billing profile" />
      ) : (
        <form className="stack" onSubmit={(e) => void saveProfile(e)} aria-label="Billing profile">
          <h2>Opt-ins and branding</h2>
          {(['endCustomerBilling', 'autoIssue', 'collectionOnBehalf'] as const).map((k) => (
            <label className="checkbox" key={k}>
              <input type="checkbox" checked={!!form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.checked })} />{' '}
              {k === 'endCustomerBilling'
                ? 'Invoice my end customers after each billing run'
                : k === 'autoIssue'
                  ? 'Issue them without review'
                  : 'Let the distributor collect payments for me'}
            </label>
          ))}
          {field('legalName', 'Legal name')}
          {field('address', 'Address', true)}
          {field('taxId', 'Tax id')}
          {field('logoUrl', 'Logo URL (https)')}
          {field('paymentInstructions', 'Payment instructions', true)}
          <div className="field">
            <label htmlFor="bp-prefix">Invoice number prefix</label>
            <input
              id="bp-prefix"
              value={form.numberPrefix ?? ''}
              onChange={(e) => setForm({ ...form, numberPrefix: e.target.value.toUpperCase() })}
            />
          </div>
          <div className="field">
            <label htmlFor="bp-terms">Payment terms (days)</label>
            <input
              id="bp-terms"
              type="number"
              min={0}
              max={365}
              value={form.paymentTermsDays ?? 14}
              onChange={(e) => setForm({ ...form, paymentTermsDays: Number.parseInt(e.target.value || '0', 10) })}
            />
          </div>
          <p className="lead">Billing-services fee on settlements: {profile.data?.feePercent ?? '0'} % (set by the distributor).</p>
          <button type="submit">Save profile</button>
        </form>
      )}

      <h2>Price list</h2>
      {rules.data && rules.data.items.length === 0 ? (
        <Empty>No price rules: end customers are billed at cost.</Empty>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Price rules">
          <table>
            <caption className="sr-only">Price rules</caption>
            <thead>
              <tr>
                <th scope="col">For</th>
                <th scope="col">Products</th>
                <th scope="col">Price</th>
                <th scope="col">In force</th>
              </tr>
            </thead>
            <tbody>
              {(rules.data?.items ?? []).map((r) => (
                <tr key={r.id}>
                  <td>{customerName(r.endCustomerId)}</td>
                  <td>{r.sku ?? [r.productKind ?? 'All kinds', r.vendor].filter(Boolean).join(' · ')}</td>
                  <td>{r.markupPercent !== null ? `+${r.markupPercent} %` : `${r.fixedPrice} ${r.currency} each`}</td>
                  <td>
                    {r.effectiveFrom}
                    {r.effectiveTo ? ` to ${r.effectiveTo}` : ' onwards'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="toolbar" onSubmit={(e) => void addRule(e)} aria-label="Add a price rule">
        <div className="field">
          <label htmlFor="pr-customer">End customer</label>
          <select id="pr-customer" value={rule.endCustomerId} onChange={(e) => setRule({ ...rule, endCustomerId: e.target.value })}>
            <option value="">Every end customer</option>
            {(customers.data?.items ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="pr-scope">Applies to</label>
          <select id="pr-scope" value={rule.scope} onChange={(e) => setRule({ ...rule, scope: e.target.value })}>
            <option value="kind">A kind (and vendor)</option>
            <option value="sku">One SKU</option>
          </select>
        </div>
        {rule.scope === 'kind' ? (
          <>
            <div className="field">
              <label htmlFor="pr-kind">Kind</label>
              <select id="pr-kind" value={rule.productKind} onChange={(e) => setRule({ ...rule, productKind: e.target.value })}>
                <option value="HARDWARE">Hardware</option>
                <option value="CLOUD">Cloud</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="pr-vendor">Vendor (optional)</label>
              <input id="pr-vendor" value={rule.vendor} onChange={(e) => setRule({ ...rule, vendor: e.target.value })} />
            </div>
          </>
        ) : (
          <div className="field">
            <label htmlFor="pr-sku">SKU</label>
            <input id="pr-sku" required value={rule.sku} onChange={(e) => setRule({ ...rule, sku: e.target.value })} />
          </div>
        )}
        <div className="field">
          <label htmlFor="pr-markup">Markup %</label>
          <input
            id="pr-markup"
            inputMode="decimal"
            value={rule.markupPercent}
            onChange={(e) => setRule({ ...rule, markupPercent: e.target.value, fixedPrice: '' })}
          />
        </div>
        {rule.scope === 'sku' && (
          <div className="field">
            <label htmlFor="pr-fixed">or fixed unit price ({profileCurrency})</label>
            <input
              id="pr-fixed"
              inputMode="decimal"
              value={rule.fixedPrice}
              onChange={(e) => setRule({ ...rule, fixedPrice: e.target.value, markupPercent: '' })}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor="pr-from">From</label>
          <input
            id="pr-from"
            type="date"
            required
            value={rule.effectiveFrom}
            onChange={(e) => setRule({ ...rule, effectiveFrom: e.target.value })}
          />
        </div>
        <button type="submit">Add rule</button>
      </form>
    </section>
  );
}
