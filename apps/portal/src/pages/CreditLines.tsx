import { useState } from 'react';
import { client, ok } from '../api';
import { Empty, ErrorBanner, Loading, Money, Notice, PageHeader, TableRegion, useAsync } from '../components/ui';
import type { CreditLineView } from '../contract';
import { isNegative } from '../format';
import { useResellers } from '../resellers';
import { Link } from '../router';
import { hasRole, useSession } from '../session';

interface Row extends CreditLineView {
  resellerId: string;
  resellerName: string;
}

/** Every reseller's two credit lines; lines on hold (or over their limit) first and highlighted. */
export function CreditLinesPage() {
  const { me } = useSession();
  const resellers = useResellers();
  const [onlyHeld, setOnlyHeld] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const lines = useAsync(async () => {
    const perReseller = await Promise.all(
      resellers.list.map(async (r) => {
        const res = await ok(client.GET('/api/v1/resellers/{id}/credit-lines', { params: { path: { id: r.id } } }));
        return res.items.map((l): Row => ({ ...l, resellerId: r.id, resellerName: r.name }));
      }),
    );
    const rows = perReseller.flat();
    return rows.sort(
      (a, b) => Number(b.onHold) - Number(a.onHold) || a.resellerName.localeCompare(b.resellerName) || a.line.localeCompare(b.line),
    );
  }, [resellers.list]);

  const toggleHold = async (row: Row) => {
    setBusy(`${row.resellerId}-${row.line}`);
    setActionError(null);
    try {
      await ok(
        client.PUT('/api/v1/resellers/{id}/credit-lines/{line}', {
          params: { path: { id: row.resellerId, line: row.line } },
          body: { onHold: !row.onHold },
        }),
      );
      await lines.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  // Credit requests waiting for finance's answer (docs/portal.md, "Credit requests").
  const pending = useAsync(
    () =>
      ok(
        client.GET('/api/v1/credit-requests', {
          params: { query: { status: 'PENDING', page: 1, pageSize: 1 } },
        }),
      ).then((r) => r.total),
    [],
  );
  const rows = (lines.data ?? []).filter((r) => !onlyHeld || r.onHold);
  const held = (lines.data ?? []).filter((r) => r.onHold).length;
  return (
    <section>
      <PageHeader title="Credit lines" />
      <p className="lead" role="status">
        {lines.data ? `${held} credit line${held === 1 ? '' : 's'} on hold across ${resellers.list.length} resellers.` : ''}
      </p>
      <div className="toolbar">
        <label className="checkbox">
          <input type="checkbox" checked={onlyHeld} onChange={(e) => setOnlyHeld(e.target.checked)} /> Only lines on hold
        </label>
      </div>
      {!!pending.data && (
        <Notice>
          <Link to="/credit-requests">
            {pending.data} credit request{pending.data === 1 ? '' : 's'} waiting for an answer
          </Link>
        </Notice>
      )}
      <ErrorBanner error={resellers.error ?? lines.error} />
      <ErrorBanner error={actionError} title="The hold was not changed" />
      {(resellers.loading || lines.loading) && !lines.data ? (
        <Loading what="Loading credit lines" />
      ) : rows.length === 0 ? (
        <Empty>{onlyHeld ? 'No credit line is on hold.' : 'No resellers yet.'}</Empty>
      ) : (
        <TableRegion label="Credit lines" csv="credit-lines">
          <table>
            <caption className="sr-only">Credit lines of every reseller</caption>
            <thead>
              <tr>
                <th scope="col">Reseller</th>
                <th scope="col">Line</th>
                <th scope="col" className="num">
                  Limit
                </th>
                <th scope="col" className="num">
                  Open invoices
                </th>
                <th scope="col" className="num">
                  Reserved
                </th>
                <th scope="col" className="num">
                  Available
                </th>
                <th scope="col">State</th>
                {hasRole(me, 'admin') && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr
                  key={`${r.resellerId}-${r.line}`}
                  className={r.onHold ? 'row-danger' : isNegative(r.available) ? 'row-warning' : undefined}
                >
                  <td>
                    {hasRole(me, 'finance') ? <Link to={`/resellers/${r.resellerId}/account`}>{r.resellerName}</Link> : r.resellerName}
                  </td>
                  <td>
                    <span className={`kind kind-${r.line.toLowerCase()}`}>{r.line === 'HARDWARE' ? 'Hardware' : 'Cloud'}</span>
                  </td>
                  <td className="num">
                    <Money amount={r.limit} currency={r.currency} />
                  </td>
                  <td className="num">
                    <Money amount={r.openReceivables} currency={r.currency} />
                  </td>
                  <td className="num">
                    <Money amount={r.reserved} currency={r.currency} />
                  </td>
                  <td className="num">
                    <Money amount={r.available} currency={r.currency} />
                  </td>
                  <td>
                    {r.onHold ? (
                      <span className="status status-hold">On hold</span>
                    ) : isNegative(r.available) ? (
                      <span className="status status-over">Over limit</span>
                    ) : (
                      <span className="status status-active">Open</span>
                    )}
                  </td>
                  {hasRole(me, 'admin') && (
                    <td>
                      <button type="button" disabled={busy !== null} onClick={() => void toggleHold(r)}>
                        {r.onHold ? 'Release hold' : 'Put on hold'}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}
