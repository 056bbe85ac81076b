import Decimal from 'decimal.js';
import { FormEvent, useMemo, useRef, useState } from 'react';
import { ApiError, client, idempotencyKey, ok } from '../api';
import { CartItem, useCart } from '../cart';
import { Empty, ErrorBanner, Loading, Money, Notice, PageHeader, Stat, useAsync } from '../components/ui';
import type { CreditLine, CreditLineView } from '../contract';
import { dec, formatMoney, todayIso } from '../format';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { priceIn, ProductTerms } from './Catalog';
import { blockedLines, quantityProblem, SplitCartNotice } from './cart-split';

const TERM_MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36 };

/** Months the first charge of a cloud line covers (docs/accounting.md §4): a month, a year or the whole term. */
function firstChargeMonths(item: CartItem): number {
  const p = item.product;
  if (p.billingFrequency === 'MONTHLY') return 1;
  if (p.billingFrequency === 'ANNUAL') return Math.min(12, TERM_MONTHS[p.term ?? 'P1Y']);
  return TERM_MONTHS[p.term ?? 'P1Y'];
}

interface Estimate {
  net: Decimal;
  tax: Decimal;
  gross: Decimal;
}

/** The same rounding as the API: net and tax each rounded half-up to 2 decimals (an estimate; the order prices it). */
function estimate(item: CartItem, currency: string, taxRate: string): Estimate | null {
  const price = priceIn(item.product, currency);
  if (!price) return null;
  const months = item.product.kind === 'CLOUD' ? firstChargeMonths(item) : 1;
  const dp = currency === 'JPY' ? 0 : 2;
  const net = dec(price).times(item.quantity).times(months).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP);
  const tax = net.times(dec(taxRate)).toDecimalPlaces(dp, Decimal.ROUND_HALF_UP);
  return { net, tax, gross: net.plus(tax) };
}

export function CreditLineSummary({
  lines,
  needed,
  currency,
}: {
  lines: CreditLineView[];
  needed?: Record<CreditLine, Decimal>;
  currency: string;
}) {
  return (
    <div className="credit-lines" aria-label="Credit lines">
      {lines.map((l) => {
        const need = needed?.[l.line];
        const short = need && need.greaterThan(0) && dec(l.available).lessThan(need);
        const tone = l.onHold || short ? 'danger' : need && need.greaterThan(0) ? 'ok' : undefined;
        const dp = currency === 'JPY' ? 0 : 2;
        return (
          <div key={l.line} className={`card credit-line${tone ? ` credit-line-${tone}` : ''}`} data-line={l.line}>
            <h3>{l.line === 'HARDWARE' ? 'Hardware credit line' : 'Cloud credit line'}</h3>
            <dl className="stats">
              <Stat label="Available" tone={short || l.onHold ? 'danger' : undefined}>
                <Money amount={l.available} currency={l.currency} />
              </Stat>
              <Stat label="Limit">
                <Money amount={l.limit} currency={l.currency} />
              </Stat>
              <Stat label="Open invoices">
                <Money amount={l.openReceivables} currency={l.currency} />
              </Stat>
              <Stat label="Reserved">
                <Money amount={l.reserved} currency={l.currency} />
              </Stat>
              {need && need.greaterThan(0) && (
                <Stat label="This cart needs">
                  <Money amount={need.toFixed(dp)} currency={l.currency} />
                </Stat>
              )}
            </dl>
            {l.onHold && (
              <p className="line-message" role="note">
                This line is <strong>on hold</strong>: nothing can be ordered on it until the distributor releases it.
              </p>
            )}
            {!l.onHold && short && (
              <p className="line-message" role="note">
                Short by <strong>{formatMoney(need.minus(dec(l.available)).toFixed(dp), l.currency)}</strong>: reduce the{' '}
                {l.line === 'HARDWARE' ? 'hardware' : 'cloud'} lines or ask your distributor for more credit.
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}

/** The words for a refused order: which line is short, what is available, what was asked. */
export function describeRefusal(e: unknown): { title: string; detail: string } | null {
  if (!(e instanceof ApiError)) return null;
  const p = e.problem;
  const lineName = p.creditLine === 'HARDWARE' ? 'hardware' : p.creditLine === 'CLOUD' ? 'cloud' : '';
  if (e.slug === 'credit-limit-exceeded') {
    const cur = (p.currency as string | undefined) ?? '';
    return {
      title: `Not enough ${lineName} credit`,
      detail: `The ${lineName} credit line has ${formatMoney(p.available, cur)} available; this order needs ${formatMoney(p.requested, cur)}. Nothing was ordered.`,
    };
  }
  if (e.slug === 'credit-hold') {
    return {
      title: `The ${lineName} credit line is on hold`,
      detail: 'Nothing was ordered. Contact your distributor to release the hold.',
    };
  }
  return null;
}

export function CartPage() {
  const { reseller, me } = useSession();
  const cart = useCart();
  const currency = reseller?.currency ?? 'AUD';
  const taxRate = reseller?.taxRate ?? '0';
  const [customer, setCustomer] = useState('');
  const [reference, setReference] = useState('');
  const [po, setPo] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const keyRef = useRef<{ body: string; key: string } | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  // What the buyer is typing in each quantity field; the cart keeps the last valid quantity.
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  // Lines the API refused for credit on this visit (the estimate may differ from the order's prices).
  const [refused, setRefused] = useState<CreditLine[]>([]);
  const [sent, setSent] = useState<string | null>(null);

  const credit = useAsync(
    () => ok(client.GET('/api/v1/resellers/{id}/credit-lines', { params: { path: { id: me?.resellerId ?? '' } } })),
    [me?.resellerId],
  );

  const estimates = useMemo(() => cart.items.map((i) => estimate(i, currency, taxRate)), [cart.items, currency, taxRate]);
  const needed = useMemo(() => {
    const n: Record<CreditLine, Decimal> = { HARDWARE: new Decimal(0), CLOUD: new Decimal(0) };
    cart.items.forEach((i, k) => {
      const e = estimates[k];
      if (e) n[i.product.kind] = n[i.product.kind].plus(e.gross);
    });
    return n;
  }, [cart.items, estimates]);
  const dp = currency === 'JPY' ? 0 : 2;
  const blocked = useMemo(() => blockedLines(credit.data?.items ?? [], needed, refused), [credit.data, needed, refused]);
  const placeable = cart.items.filter((i) => !blocked.has(i.product.kind));
  const held = cart.items.filter((i) => blocked.has(i.product.kind));
  const total = placeable.reduce((t, i) => t.plus(estimates[cart.items.indexOf(i)]?.gross ?? 0), new Decimal(0));
  const invalidQty = cart.items.some((i) => drafts[i.product.sku] !== undefined && quantityProblem(drafts[i.product.sku]));

  const checkout = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body = {
      endCustomer: { name: customer.trim(), ...(reference.trim() ? { reference: reference.trim() } : {}) },
      ...(po.trim() ? { poNumber: po.trim() } : {}),
      lines: placeable.map((i) => ({
        sku: i.product.sku,
        quantity: i.quantity,
        ...(i.product.kind === 'CLOUD' && i.startDate ? { startDate: i.startDate } : {}),
      })),
    };
    // One Idempotency-Key per distinct order: a retried click of the same cart cannot order twice.
    const serial = JSON.stringify(body);
    if (!placeable.length || invalidQty) return;
    if (!keyRef.current || keyRef.current.body !== serial) keyRef.current = { body: serial, key: idempotencyKey() };
    setBusy(true);
    try {
      const order = await ok(
        client.POST('/api/v1/orders', {
          body,
          params: { header: { 'Idempotency-Key': keyRef.current.key } },
        }),
      );
      // The lines a short or held credit line kept back stay in the cart for later.
      placeable.forEach((i) => cart.remove(i.product.sku));
      keyRef.current = null;
      navigate(`/orders/${order.id}?placed=1${held.length ? `&left=${held.length}` : ''}`);
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && (err.slug === 'credit-limit-exceeded' || err.slug === 'credit-hold') && err.problem.creditLine) {
        const line = err.problem.creditLine;
        setRefused((r) => (r.includes(line) ? r : [...r, line]));
      }
      void credit.reload();
      setTimeout(() => errorRef.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  const refusal = describeRefusal(error);
  return (
    <section>
      <PageHeader title="Cart" />
      {cart.items.length === 0 ? (
        <Empty>
          The cart is empty. <Link to="/catalog">Find products in the catalog</Link>.
        </Empty>
      ) : (
        <>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Cart lines">
            <table className="cart-table">
              <caption className="sr-only">Cart lines</caption>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Quantity</th>
                  <th scope="col">Start</th>
                  <th scope="col" className="num">
                    Unit price
                  </th>
                  <th scope="col" className="num">
                    First charge incl. tax
                  </th>
                  <th scope="col">
                    <span className="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {cart.items.map((i, k) => {
                  const price = priceIn(i.product, currency);
                  const est = estimates[k];
                  const draft = drafts[i.product.sku];
                  const qtyProblem = draft === undefined ? null : quantityProblem(draft);
                  const isHeld = blocked.has(i.product.kind);
                  return (
                    <tr
                      key={i.product.sku}
                      data-sku={i.product.sku}
                      data-held={isHeld ? 'yes' : undefined}
                      className={isHeld ? 'row-danger' : undefined}
                    >
                      <td className="product-cell">
                        <strong>{i.product.name}</strong>
                        <div className="muted small">
                          <span className={`kind kind-${i.product.kind.toLowerCase()}`}>
                            {i.product.kind === 'HARDWARE' ? 'Hardware line' : 'Cloud line'}
                          </span>{' '}
                          {i.product.sku} · <ProductTerms product={i.product} />
                        </div>
                        {isHeld && (
                          <div className="negative small" data-testid="held-line">
                            Not ordered now: the {i.product.kind === 'HARDWARE' ? 'hardware' : 'cloud'} credit line{' '}
                            {blocked.get(i.product.kind) === 'hold' ? 'is on hold' : 'is short'}.
                          </div>
                        )}
                      </td>
                      <td>
                        <label className="sr-only" htmlFor={`cart-qty-${i.product.sku}`}>
                          Quantity of {i.product.name}
                        </label>
                        <input
                          id={`cart-qty-${i.product.sku}`}
                          className="qty"
                          type="text"
                          inputMode="numeric"
                          autoComplete="off"
                          value={drafts[i.product.sku] ?? String(i.quantity)}
                          aria-invalid={!!qtyProblem}
                          aria-describedby={qtyProblem ? `cart-qty-${i.product.sku}-error` : undefined}
                          onChange={(e) => {
                            const v = e.target.value;
                            setDrafts((d) => ({ ...d, [i.product.sku]: v }));
                            if (!quantityProblem(v)) cart.setQuantity(i.product.sku, Number.parseInt(v.trim(), 10));
                          }}
                          onBlur={() =>
                            setDrafts((d) => {
                              if (d[i.product.sku] === undefined || quantityProblem(d[i.product.sku])) return d;
                              const rest = { ...d };
                              delete rest[i.product.sku];
                              return rest;
                            })
                          }
                        />
                        {qtyProblem && (
                          <p id={`cart-qty-${i.product.sku}-error`} className="field-error negative small" role="alert">
                            {qtyProblem}
                          </p>
                        )}
                      </td>
                      <td>
                        {i.product.kind === 'CLOUD' ? (
                          <>
                            <label className="sr-only" htmlFor={`cart-start-${i.product.sku}`}>
                              Subscription start of {i.product.name}
                            </label>
                            <input
                              id={`cart-start-${i.product.sku}`}
                              type="date"
                              min={todayIso()}
                              value={i.startDate ?? ''}
                              onChange={(e) => cart.setStartDate(i.product.sku, e.target.value || undefined)}
                            />
                          </>
                        ) : (
                          <span className="muted small">When shipped</span>
                        )}
                      </td>
                      <td className="num">
                        <Money amount={price} currency={currency} />
                        {i.product.kind === 'CLOUD' && <div className="muted small">per seat per month</div>}
                      </td>
                      <td className="num">{est ? <Money amount={est.gross.toFixed(dp)} currency={currency} /> : '—'}</td>
                      <td>
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => cart.remove(i.product.sku)}
                          aria-label={`Remove ${i.product.name}`}
                        >
                          Remove
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={4}>
                    Estimated total{held.length ? ' of the lines ordered now' : ''} (tax {dec(taxRate).times(100).toString()}%)
                  </th>
                  <td className="num">
                    <strong>
                      <Money amount={total.toFixed(dp)} currency={currency} />
                    </strong>
                  </td>
                  <td />
                </tr>
              </tfoot>
            </table>
          </div>

          <h2>Your credit</h2>
          <p className="muted">Hardware and cloud are separate credit lines; each must cover its part of the order.</p>
          <ErrorBanner error={credit.error} title="Credit lines could not be loaded" />
          {credit.data ? (
            <CreditLineSummary lines={credit.data.items} needed={needed} currency={currency} />
          ) : (
            <Loading what="Loading credit lines" />
          )}

          {held.length > 0 && credit.data && (
            <SplitCartNotice
              blocked={blocked}
              lines={credit.data.items}
              needed={needed}
              heldCount={held.length}
              placeableCount={placeable.length}
              currency={currency}
              onRemove={() => held.forEach((i) => cart.remove(i.product.sku))}
              onRequested={(m) => setSent(m)}
            />
          )}
          {sent && <Notice kind="success">{sent}</Notice>}

          <h2>Checkout</h2>
          <form className="card form-grid" onSubmit={checkout} aria-label="Checkout">
            <div className="field">
              <label htmlFor="end-customer">End customer</label>
              <input
                id="end-customer"
                required
                maxLength={200}
                value={customer}
                onChange={(e) => setCustomer(e.target.value)}
                autoComplete="organization"
              />
            </div>
            <div className="field">
              <label htmlFor="end-customer-ref">
                Customer reference <span className="muted">(optional)</span>
              </label>
              <input id="end-customer-ref" maxLength={100} value={reference} onChange={(e) => setReference(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="po-number">
                PO number <span className="muted">(optional)</span>
              </label>
              <input id="po-number" maxLength={100} value={po} onChange={(e) => setPo(e.target.value)} />
            </div>
            <div ref={errorRef} tabIndex={-1} className="form-wide">
              {refusal ? (
                <div className="banner banner-error" role="alert" data-problem="refused">
                  <strong>{refusal.title}</strong>
                  <p>{refusal.detail}</p>
                </div>
              ) : (
                <ErrorBanner error={error} title="The order was not placed" />
              )}
            </div>
            <div className="form-actions form-wide">
              <button type="submit" className="primary" disabled={busy || !customer.trim() || !placeable.length || invalidQty}>
                {busy
                  ? 'Placing the order…'
                  : held.length
                    ? `Place order without the held lines · ${formatMoney(total.toFixed(dp), currency)}`
                    : `Place order · ${formatMoney(total.toFixed(dp), currency)}`}
              </button>
              {invalidQty && <span className="negative small">Correct the quantities above first.</span>}
              <span className="muted small">Prices, tax and credit are confirmed by the order.</span>
            </div>
          </form>
        </>
      )}
    </section>
  );
}
