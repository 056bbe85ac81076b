import { useState } from 'react';
import { client, ok, oneOf } from '../api';
import { useCart } from '../cart';
import { ShipLineForm } from '../components/ShipLineForm';
import {
  DateText,
  ErrorBanner,
  FilterSelect,
  ListBody,
  Loading,
  Money,
  Notice,
  PageHeader,
  Pager,
  Status,
  statusOptions,
  useAsync,
  TableRegion,
} from '../components/ui';
import type { CreditLine, OrderStatus } from '../contract';
import { formatDateTime } from '../format';
import { useResellers } from '../resellers';
import { Link, navigate, useLocation } from '../router';
import { hasRole, useSession } from '../session';

const ORDER_STATUSES: OrderStatus[] = ['PLACED', 'PARTIALLY_SHIPPED', 'FULFILLED', 'CANCELLED'];

export function OrdersPage() {
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const { data, error, loading } = useAsync(
    () =>
      ok(
        client.GET('/api/v1/orders', {
          params: { query: { status: oneOf(ORDER_STATUSES, status), page, pageSize: 20 } },
        }),
      ),
    [status, page],
  );
  const { me } = useSession();
  const resellers = useResellers();

  return (
    <section>
      <PageHeader title="Orders">
        {hasRole(me, 'buyer') && (
          <Link to="/catalog" className="button">
            New order
          </Link>
        )}
      </PageHeader>
      <div className="toolbar">
        <FilterSelect
          id="order-status"
          label="Status"
          value={status}
          options={statusOptions(ORDER_STATUSES)}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
        />
      </div>
      <ErrorBanner error={error} />
      <ListBody
        loading={loading}
        page={data}
        loadingText="Loading orders"
        empty={
          status
            ? 'No orders with this status. Choose "All" to see every order.'
            : 'No orders yet. Orders are placed from the cart: find products in the catalog and add them.'
        }
      >
        {(data) => (
          <>
            <TableRegion label="Orders" csv="orders">
              <table>
                <caption className="sr-only">Orders</caption>
                <thead>
                  <tr>
                    <th scope="col">Order</th>
                    <th scope="col">Placed</th>
                    {resellers.distributor && <th scope="col">Reseller</th>}
                    <th scope="col">End customer</th>
                    <th scope="col" className="col-low">
                      PO
                    </th>
                    <th scope="col" className="col-low">
                      Lines
                    </th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Hardware
                    </th>
                    <th scope="col" className="num">
                      <abbr title="Cloud, first charges">Cloud</abbr>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((o) => (
                    <tr key={o.id}>
                      <td>
                        <Link to={`/orders/${o.id}`}>{o.number}</Link>
                      </td>
                      <td>{formatDateTime(o.createdAt)}</td>
                      {resellers.distributor && <td>{resellers.name(o.resellerId)}</td>}
                      <td>{o.endCustomer.name}</td>
                      <td>{o.poNumber ?? '—'}</td>
                      <td>{o.lines.length}</td>
                      <td>
                        <Status value={o.status} />
                      </td>
                      <td className="num">
                        <Money amount={o.totals.HARDWARE.gross} currency={o.currency} />
                      </td>
                      <td className="num">
                        <Money amount={o.totals.CLOUD.gross} currency={o.currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableRegion>
            <Pager page={data.page} pageSize={data.pageSize} total={data.total} onPage={setPage} />
          </>
        )}
      </ListBody>
    </section>
  );
}

export function OrderDetailPage({ id }: { id: string }) {
  const { query } = useLocation();
  const { me } = useSession();
  const {
    data: order,
    error,
    loading,
    setData,
  } = useAsync(() => ok(client.GET('/api/v1/orders/{id}', { params: { path: { id } } })), [id]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [cancelled, setCancelled] = useState(false);
  const [shipping, setShipping] = useState<string | null>(null);
  const [shipped, setShipped] = useState<string | null>(null);
  const cart = useCart();
  const [reorderError, setReorderError] = useState<unknown>(null);

  // Buyer reorder: the same products and quantities into the cart at today's prices (docs/portal.md).
  const reorder = async () => {
    if (!order) return;
    setReorderError(null);
    try {
      const skus = [...new Set(order.lines.filter((l) => l.status !== 'CANCELLED').map((l) => l.sku))];
      const products = await Promise.all(
        skus.map((sku) => ok(client.GET('/api/v1/catalog/products/{sku}', { params: { path: { sku } } }))),
      );
      for (const p of products) {
        const qty = order.lines.filter((l) => l.sku === p.sku && l.status !== 'CANCELLED').reduce((n, l) => n + l.quantity, 0);
        if (p.active !== false) cart.add(p, qty);
      }
      navigate('/cart');
    } catch (e) {
      setReorderError(e);
    }
  };

  const cancellable = order?.lines.filter((l) => l.status === 'PENDING') ?? [];
  const cancel = async () => {
    if (!order || !window.confirm('Cancel every line of this order not yet shipped? Its reserved credit is freed.')) return;
    setBusy(true);
    setActionError(null);
    try {
      setData(await ok(client.POST('/api/v1/orders/{id}/cancel', { params: { path: { id: order.id } }, body: {} })));
      setCancelled(true);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <PageHeader title={order ? `Order ${order.number}` : 'Order'}>
        {order && hasRole(me, 'buyer') && (
          <button type="button" onClick={() => void reorder()}>
            Reorder
          </button>
        )}
        <Link to="/orders">All orders</Link>
      </PageHeader>
      {query.get('placed') && order && (
        <Notice kind="success">
          Order {order.number} placed. Hardware ships from the distributor; each cloud line has started its subscription.
          {query.get('left') && ` ${query.get('left')} held line(s) stay in your cart.`}
        </Notice>
      )}
      {shipped && <Notice kind="success">{shipped}</Notice>}
      <ErrorBanner error={reorderError} title="The order could not be copied to the cart" />
      {cancelled && <Notice kind="success">The lines not yet shipped are cancelled and their credit is freed.</Notice>}
      <ErrorBanner error={error} />
      <ErrorBanner error={actionError} title="The order could not be cancelled" />
      {loading && !order ? (
        <Loading what="Loading the order" />
      ) : order ? (
        <>
          <dl className="facts">
            <div>
              <dt>End customer</dt>
              <dd>{order.endCustomer.name}</dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>
                <Status value={order.status} />
              </dd>
            </div>
            <div>
              <dt>Placed</dt>
              <dd>{formatDateTime(order.createdAt)}</dd>
            </div>
            <div>
              <dt>PO number</dt>
              <dd>{order.poNumber ?? '—'}</dd>
            </div>
            <div>
              <dt>Customer reference</dt>
              <dd>{order.endCustomer.reference ?? '—'}</dd>
            </div>
          </dl>
          <TableRegion label="Order lines">
            <table>
              <caption>Lines</caption>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Credit line</th>
                  <th scope="col" className="num">
                    Qty
                  </th>
                  <th scope="col" className="num">
                    Unit price
                  </th>
                  <th scope="col" className="num">
                    Net
                  </th>
                  <th scope="col" className="num">
                    Tax
                  </th>
                  <th scope="col" className="num">
                    Gross
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {order.lines.map((l) => (
                  <tr key={l.id} data-line-kind={l.kind}>
                    <td>
                      <strong>{l.name ?? l.sku}</strong>
                      <div className="muted small">{l.sku}</div>
                    </td>
                    <td>
                      <span className={`kind kind-${l.creditLine.toLowerCase()}`}>
                        {l.creditLine === 'HARDWARE' ? 'Hardware' : 'Cloud'}
                      </span>
                    </td>
                    <td className="num">{l.quantity}</td>
                    <td className="num">
                      <Money amount={l.unitPrice} currency={order.currency} />
                      {l.kind === 'CLOUD' && <div className="muted small">per month</div>}
                    </td>
                    <td className="num">
                      <Money amount={l.net} currency={order.currency} />
                    </td>
                    <td className="num">
                      <Money amount={l.tax} currency={order.currency} />
                    </td>
                    <td className="num">
                      <Money amount={l.gross} currency={order.currency} />
                    </td>
                    <td>
                      <Status value={l.status} />
                    </td>
                    <td className="small">
                      {l.subscriptionId && <Link to={`/subscriptions/${l.subscriptionId}`}>Subscription</Link>}
                      {l.subscriptionId && l.startDate && (
                        <div>
                          Starts <DateText value={l.startDate} />
                        </div>
                      )}
                      {l.shippedOn && (
                        <>
                          Shipped <DateText value={l.shippedOn} />
                        </>
                      )}
                      {l.warrantyEnd && (
                        <div>
                          Warranty to <DateText value={l.warrantyEnd} />
                        </div>
                      )}
                      {l.serialNumbers && l.serialNumbers.length > 0 && <div>Serials {l.serialNumbers.join(', ')}</div>}
                      {hasRole(me, 'admin') && l.kind === 'HARDWARE' && l.status === 'PENDING' && (
                        <button
                          type="button"
                          aria-expanded={shipping === l.id}
                          onClick={() => setShipping(shipping === l.id ? null : l.id)}
                        >
                          Ship<span className="sr-only"> {l.name}</span>
                        </button>
                      )}
                      {shipping === l.id && (
                        <ShipLineForm
                          orderId={order.id}
                          lineId={l.id}
                          quantity={l.quantity}
                          label={l.name ?? l.sku}
                          onShipped={(o, n) => {
                            setData(o);
                            setShipping(null);
                            setShipped(`${n} unit${n === 1 ? '' : 's'} of ${l.name ?? l.sku} shipped; invoiced by the next billing run.`);
                          }}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <div className="totals-grid">
            {(['HARDWARE', 'CLOUD'] as CreditLine[]).map((line) => (
              <div className="card" key={line} data-totals={line}>
                <h3>{line === 'HARDWARE' ? 'Hardware' : 'Cloud (first charges)'}</h3>
                <dl className="stats">
                  <div className="stat">
                    <dt>Net</dt>
                    <dd>
                      <Money amount={order.totals[line].net} currency={order.currency} />
                    </dd>
                  </div>
                  <div className="stat">
                    <dt>Tax</dt>
                    <dd>
                      <Money amount={order.totals[line].tax} currency={order.currency} />
                    </dd>
                  </div>
                  <div className="stat">
                    <dt>Gross</dt>
                    <dd>
                      <Money amount={order.totals[line].gross} currency={order.currency} />
                    </dd>
                  </div>
                  <div className="stat">
                    <dt>Credit reserved</dt>
                    <dd>
                      <Money amount={order.reserved[line]} currency={order.currency} />
                    </dd>
                  </div>
                </dl>
              </div>
            ))}
          </div>
          {hasRole(me, 'buyer', 'admin') && cancellable.length > 0 && (
            <div className="form-actions">
              <button type="button" className="danger" onClick={cancel} disabled={busy}>
                {busy ? 'Cancelling…' : `Cancel ${cancellable.length} line${cancellable.length > 1 ? 's' : ''} not yet shipped`}
              </button>
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}
