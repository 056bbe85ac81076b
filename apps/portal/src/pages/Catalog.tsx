import { FormEvent, useState } from 'react';
import { client, ok, oneOf, text } from '../api';
import { useCart } from '../cart';
import type { Product, ProductKind } from '../contract';
import { ErrorBanner, ListBody, Money, Notice, PageHeader, Pager, useAsync } from '../components/ui';
import { Link } from '../router';
import { hasRole, useSession } from '../session';

export const TERM_LABELS: Record<string, string> = { P1M: '1 month', P1Y: '1 year', P3Y: '3 years' };
export const FREQUENCY_LABELS: Record<string, string> = { MONTHLY: 'billed monthly', ANNUAL: 'billed yearly', UPFRONT: 'billed upfront' };

export function priceIn(product: Product, currency: string | undefined): string | null {
  return product.prices.find((p) => p.currency === currency)?.unitPrice ?? null;
}

export function ProductTerms({ product }: { product: Product }) {
  if (product.kind === 'HARDWARE') return <>{product.warrantyMonths ? `${product.warrantyMonths}-month warranty` : 'No warranty'}</>;
  return (
    <>
      {product.term ? TERM_LABELS[product.term] : ''} term, {product.billingFrequency ? FREQUENCY_LABELS[product.billingFrequency] : ''}
    </>
  );
}

export function CatalogPage() {
  const { me, reseller } = useSession();
  const cart = useCart();
  const canBuy = hasRole(me, 'buyer');
  const [q, setQ] = useState('');
  const [kind, setKind] = useState('');
  const [filters, setFilters] = useState({ q: '', kind: '', page: 1 });
  const [added, setAdded] = useState<string | null>(null);
  const [qty, setQty] = useState<Record<string, string>>({});

  const { data, error, loading } = useAsync(
    () =>
      ok(
        client.GET('/api/v1/catalog/products', {
          params: { query: { q: text(filters.q), kind: oneOf<ProductKind>(['HARDWARE', 'CLOUD'], filters.kind), page: filters.page, pageSize: 20 } },
        }),
      ),
    [filters],
  );

  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ q: q.trim(), kind, page: 1 });
  };

  const add = (p: Product) => {
    const n = Number.parseInt(qty[p.sku] ?? '1', 10);
    if (!Number.isInteger(n) || n < 1) return;
    cart.add(p, n);
    setAdded(`${n} × ${p.name} added to the cart.`);
  };

  const currency = reseller?.currency;
  return (
    <section>
      <PageHeader title="Catalog">
        {canBuy && (
          <Link to="/cart" className="button">
            Cart ({cart.items.length})
          </Link>
        )}
      </PageHeader>
      <form className="toolbar" role="search" onSubmit={search} aria-label="Search the catalog">
        <div className="field">
          <label htmlFor="catalog-q">Search</label>
          <input id="catalog-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="SKU, name or vendor" />
        </div>
        <div className="field">
          <label htmlFor="catalog-kind">Kind</label>
          <select id="catalog-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">Hardware and cloud</option>
            <option value="HARDWARE">Hardware</option>
            <option value="CLOUD">Cloud</option>
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      {added && (
        <Notice kind="success">
          {added} <Link to="/cart">Go to the cart</Link>
        </Notice>
      )}
      <ErrorBanner error={error} />
      <ListBody loading={loading} page={data} loadingText="Loading products" empty="No products match.">
        {(data) => (
          <>
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Products</caption>
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Terms</th>
                    <th scope="col" className="num">
                      Unit price{currency ? ` (${currency})` : ''}
                    </th>
                    {canBuy && <th scope="col">Add to cart</th>}
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((p) => {
                    const price = currency ? priceIn(p, currency) : p.prices[0]?.unitPrice ?? null;
                    const shownCurrency = currency ?? p.prices[0]?.currency;
                    return (
                      <tr key={p.sku} data-sku={p.sku}>
                        <td>
                          <strong>{p.name}</strong>
                          <div className="muted small">
                            {p.sku} · {p.vendor}
                          </div>
                        </td>
                        <td>
                          <span className={`kind kind-${p.kind.toLowerCase()}`}>{p.kind === 'HARDWARE' ? 'Hardware' : 'Cloud'}</span>
                        </td>
                        <td>
                          <ProductTerms product={p} />
                        </td>
                        <td className="num">
                          {price ? (
                            <>
                              <Money amount={price} currency={shownCurrency} />
                              {p.kind === 'CLOUD' && <span className="muted small"> / seat / month</span>}
                            </>
                          ) : (
                            <span className="muted">Not sold in {currency}</span>
                          )}
                        </td>
                        {canBuy && (
                          <td>
                            <div className="inline-form">
                              <label className="sr-only" htmlFor={`qty-${p.sku}`}>
                                Quantity of {p.name}
                              </label>
                              <input
                                id={`qty-${p.sku}`}
                                className="qty"
                                type="number"
                                min={1}
                                step={1}
                                inputMode="numeric"
                                value={qty[p.sku] ?? '1'}
                                onChange={(e) => setQty((s) => ({ ...s, [p.sku]: e.target.value }))}
                              />
                              <button type="button" onClick={() => add(p)} disabled={!price} aria-label={`Add ${p.name} to the cart`}>
                                Add
                              </button>
                            </div>
                          </td>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <Pager page={data.page} pageSize={data.pageSize} total={data.total} onPage={(page) => setFilters((f) => ({ ...f, page }))} />
          </>
        )}
      </ListBody>
    </section>
  );
}
