import { FormEvent, useEffect, useState } from 'react';
import { client, ok, oneOf, text } from '../api';
import { useCart } from '../cart';
import type { Product, ProductKind, ProductSort } from '../contract';
import {
  ErrorBanner,
  FieldError,
  FilterSelect,
  ListBody,
  Money,
  Notice,
  PageHeader,
  Pager,
  SortHeader,
  SortState,
  TableRegion,
  useAsync,
} from '../components/ui';
import { Link } from '../router';
import { hasRole, useSession } from '../session';

export const TERM_LABELS: Record<string, string> = { P1M: '1 month', P1Y: '1 year', P3Y: '3 years' };
export const FREQUENCY_LABELS: Record<string, string> = {
  MONTHLY: 'billed monthly',
  ANNUAL: 'billed yearly',
  UPFRONT: 'billed upfront',
};

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

const PRODUCT_SORTS: ProductSort[] = ['sku', '-sku', 'name', '-name', 'vendor', '-vendor', 'kind', '-kind', 'price', '-price'];

/** How long the search waits after the last keystroke before asking the API. */
export const SEARCH_DEBOUNCE_MS = 300;

/** A typed quantity: a whole number from 1, or why not. */
export function quantityProblem(value: string): string | null {
  if (!/^\s*\d+\s*$/.test(value)) return 'Enter a whole number of at least 1.';
  const n = Number.parseInt(value, 10);
  if (n < 1) return 'The quantity must be at least 1.';
  if (n > 100000) return 'At most 100,000 per line.';
  return null;
}

export function CatalogPage() {
  const { me, reseller } = useSession();
  const cart = useCart();
  const canBuy = hasRole(me, 'buyer');
  const currency = reseller?.currency;
  const [q, setQ] = useState('');
  const [filters, setFilters] = useState({ q: '', kind: '', vendor: '', page: 1 });
  const [sort, setSort] = useState<SortState | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [qty, setQty] = useState<Record<string, string>>({});
  const [qtyError, setQtyError] = useState<Record<string, string>>({});

  // Search as you type: the list follows the box once typing pauses.
  useEffect(() => {
    const term = q.trim();
    const timer = setTimeout(() => setFilters((f) => (f.q === term ? f : { ...f, q: term, page: 1 })), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q]);

  const vendors = useAsync(() => ok(client.GET('/api/v1/catalog/products/vendors')), []);
  const sortParam = sort ? ((sort.dir === 'desc' ? `-${sort.key}` : sort.key) as ProductSort) : undefined;
  const { data, error, loading } = useAsync(
    () =>
      ok(
        client.GET('/api/v1/catalog/products', {
          params: {
            query: {
              q: text(filters.q),
              kind: oneOf<ProductKind>(['HARDWARE', 'CLOUD'], filters.kind),
              vendor: text(filters.vendor),
              sort: oneOf(PRODUCT_SORTS, sortParam ?? ''),
              // Sorting by price compares prices in the reseller's currency.
              currency: sort?.key === 'price' ? currency : undefined,
              page: filters.page,
              pageSize: 20,
            },
          },
        }),
      ),
    [filters, sortParam, currency],
  );

  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilters((f) => ({ ...f, q: q.trim(), page: 1 }));
  };
  const filter = (change: Partial<typeof filters>) => setFilters((f) => ({ ...f, ...change, page: 1 }));
  const clear = () => {
    setQ('');
    setFilters({ q: '', kind: '', vendor: '', page: 1 });
  };
  const onSort = (s: SortState) => {
    setSort(s);
    setFilters((f) => ({ ...f, page: 1 }));
  };

  const add = (p: Product) => {
    const value = qty[p.sku] ?? '1';
    const problem = quantityProblem(value);
    setQtyError((s) => ({ ...s, [p.sku]: problem ?? '' }));
    if (problem) return;
    const n = Number.parseInt(value, 10);
    cart.add(p, n);
    setAdded(`${n} × ${p.name} added to the cart.`);
  };

  const filtered = Boolean(filters.q || filters.kind || filters.vendor);
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
        <FilterSelect
          id="catalog-vendor"
          label="Vendor"
          allLabel="All vendors"
          value={filters.vendor}
          onChange={(vendor) => filter({ vendor })}
          options={(vendors.data?.vendors ?? []).map((v) => ({ value: v, label: v }))}
        />
        <FilterSelect
          id="catalog-kind"
          label="Kind"
          allLabel="Hardware and cloud"
          value={filters.kind}
          onChange={(kind) => filter({ kind })}
          options={[
            { value: 'HARDWARE', label: 'Hardware' },
            { value: 'CLOUD', label: 'Cloud' },
          ]}
        />
        <button type="submit">Search</button>
        {filtered && (
          <button type="button" className="secondary" onClick={clear}>
            Clear filters
          </button>
        )}
      </form>
      {added && (
        <Notice kind="success">
          {added} <Link to="/cart">Go to the cart</Link>
        </Notice>
      )}
      <ErrorBanner error={error} />
      <ListBody
        loading={loading}
        page={data}
        loadingText="Loading products"
        empty={
          filtered ? (
            <>
              No products match these filters. Try fewer words, another vendor or kind, or{' '}
              <button type="button" className="link-button" onClick={clear}>
                clear the filters
              </button>
              .
            </>
          ) : (
            'The catalog has no products yet. An administrator adds them (POST /api/v1/catalog/products).'
          )
        }
      >
        {(data) => (
          <>
            <p className="muted small" role="status" aria-live="polite">
              {data.total === 1 ? '1 product' : `${data.total} products`}
              {filtered ? (data.total === 1 ? ' matches' : ' match') : ''}
            </p>
            <TableRegion label="Products" csv="catalog">
              <table>
                <caption className="sr-only">Products</caption>
                <thead>
                  <tr>
                    <SortHeader k="name" sort={sort} onSort={onSort}>
                      Product
                    </SortHeader>
                    <SortHeader k="vendor" sort={sort} onSort={onSort} className="col-low">
                      Vendor
                    </SortHeader>
                    <SortHeader k="kind" sort={sort} onSort={onSort}>
                      Kind
                    </SortHeader>
                    <th scope="col" className="col-low">
                      Terms
                    </th>
                    {currency ? (
                      <SortHeader k="price" sort={sort} onSort={onSort} className="num">
                        Unit price ({currency})
                      </SortHeader>
                    ) : (
                      <th scope="col" className="num">
                        Unit price
                      </th>
                    )}
                    {canBuy && (
                      <th scope="col" data-csv-skip="">
                        Add to cart
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((p) => {
                    const price = currency ? priceIn(p, currency) : (p.prices[0]?.unitPrice ?? null);
                    const shownCurrency = currency ?? p.prices[0]?.currency;
                    const qtyProblem = qtyError[p.sku];
                    return (
                      <tr key={p.sku} data-sku={p.sku}>
                        <td data-csv={`${p.name} (${p.sku})`}>
                          <strong>{p.name}</strong>
                          <div className="muted small">{p.sku}</div>
                        </td>
                        <td className="col-low">{p.vendor}</td>
                        <td>
                          <span className={`kind kind-${p.kind.toLowerCase()}`}>{p.kind === 'HARDWARE' ? 'Hardware' : 'Cloud'}</span>
                        </td>
                        <td className="col-low">
                          <ProductTerms product={p} />
                        </td>
                        <td className="num" data-csv={price ? `${price} ${shownCurrency}` : ''}>
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
                                aria-invalid={qtyProblem ? true : undefined}
                                aria-describedby={qtyProblem ? `qty-${p.sku}-error` : undefined}
                                onChange={(e) => {
                                  setQty((s) => ({ ...s, [p.sku]: e.target.value }));
                                  setQtyError((s) => ({ ...s, [p.sku]: '' }));
                                }}
                              />
                              <button type="button" onClick={() => add(p)} disabled={!price} aria-label={`Add ${p.name} to the cart`}>
                                Add
                              </button>
                            </div>
                            <FieldError id={`qty-${p.sku}-error`} message={qtyProblem} />
                          </td>
                        )}
                      </tr>
                    );
                  })}
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
