import { useState } from 'react';
import { client, ok, text } from '../api';
import { ShipLineForm } from '../components/ShipLineForm';
import { DateText, ErrorBanner, FilterSelect, ListBody, Notice, PageHeader, Pager, useAsync } from '../components/ui';
import { useResellers } from '../resellers';
import { Link } from '../router';
import { hasRole, useSession } from '../session';

/** Hardware lines waiting to ship, oldest order first; the distributor's admin ships them here (DESIGN.md §3). */
export function ToShipPage() {
  const { me } = useSession();
  const mayShip = hasRole(me, 'admin');
  const resellers = useResellers();
  const [resellerId, setResellerId] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const { data, error, loading, reload } = useAsync(
    () =>
      ok(
        client.GET('/api/v1/orders/to-ship', {
          params: { query: { resellerId: text(resellerId), page, pageSize: 25 } },
        }),
      ),
    [resellerId, page],
  );

  return (
    <section>
      <PageHeader title="To ship" />
      <p className="muted">Hardware lines ordered and not yet shipped. A line is invoiced by the next billing run after it ships.</p>
      <div className="toolbar">
        <FilterSelect
          id="ship-reseller"
          label="Reseller"
          value={resellerId}
          allLabel="All resellers"
          options={resellers.list.map((r) => ({ value: r.id, label: r.name }))}
          onChange={(v) => {
            setResellerId(v);
            setPage(1);
          }}
        />
      </div>
      {message && <Notice kind="success">{message}</Notice>}
      <ErrorBanner error={error} />
      <ListBody
        loading={loading}
        page={data}
        loadingText="Loading lines to ship"
        empty="Nothing to ship: every hardware line ordered has shipped."
      >
        {(data) => (
          <>
            <div className="table-wrap" tabIndex={0} role="region" aria-label="Lines to ship">
              <table>
                <caption className="sr-only">Hardware lines to ship</caption>
                <thead>
                  <tr>
                    <th scope="col">Order</th>
                    <th scope="col">Product</th>
                    <th scope="col" className="num">
                      Units
                    </th>
                    <th scope="col">Reseller</th>
                    <th scope="col">End customer</th>
                    <th scope="col">Ordered</th>
                    {mayShip && (
                      <th scope="col">
                        <span className="sr-only">Ship</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {data.items.flatMap((l) => {
                    const row = (
                      <tr key={l.lineId} data-line={l.lineId}>
                        <td>
                          <Link to={`/orders/${l.orderId}`}>{l.orderNumber}</Link>
                          {l.poNumber && <div className="muted small">PO {l.poNumber}</div>}
                        </td>
                        <td>
                          <strong>{l.name}</strong>
                          <div className="muted small">{l.sku}</div>
                        </td>
                        <td className="num">{l.quantity}</td>
                        <td>{resellers.name(l.resellerId)}</td>
                        <td>{l.endCustomerName}</td>
                        <td>
                          <DateText value={l.orderedAt.slice(0, 10)} />
                        </td>
                        {mayShip && (
                          <td>
                            <button
                              type="button"
                              aria-expanded={open === l.lineId}
                              onClick={() => setOpen(open === l.lineId ? null : l.lineId)}
                            >
                              Ship
                              <span className="sr-only">
                                {' '}
                                {l.name} of {l.orderNumber}
                              </span>
                            </button>
                          </td>
                        )}
                      </tr>
                    );
                    if (open !== l.lineId) return [row];
                    return [
                      row,
                      <tr key={`${l.lineId}-form`} className="row-form">
                        <td colSpan={7}>
                          <ShipLineForm
                            orderId={l.orderId}
                            lineId={l.lineId}
                            quantity={l.quantity}
                            label={`${l.name} of ${l.orderNumber}`}
                            onShipped={(_, n) => {
                              setOpen(null);
                              setMessage(`${n} unit${n === 1 ? '' : 's'} of ${l.name} (${l.orderNumber}) shipped.`);
                              void reload();
                            }}
                          />
                        </td>
                      </tr>,
                    ];
                  })}
                </tbody>
              </table>
            </div>
            <Pager page={data.page} pageSize={data.pageSize} total={data.total} onPage={setPage} />
          </>
        )}
      </ListBody>
    </section>
  );
}
