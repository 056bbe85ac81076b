import { ReactNode } from 'react';
import { client, ok } from '../api';
import { ErrorBanner, Loading, Money, PageHeader, useAsync } from '../components/ui';
import type { CreditLineView, Role } from '../contract';
import { dec, formatInt } from '../format';
import { Link } from '../router';
import { ROLE_LABELS, useMe } from '../session';

/** One number that needs attention, linking to the list behind it. */
interface Tile {
  key: string;
  label: string;
  to: string;
  value: ReactNode;
  hint?: string;
  tone?: 'danger' | 'warning';
}

const total = (p: Promise<{ total: number }>) => p.then((r) => r.total);

const has = (role: Role, ...roles: Role[]) => roles.includes(role);

/** Everything a role's home page counts, each from the list it links to (docs/portal.md, "Home"). */
async function loadTiles(role: Role, resellerId: string | null): Promise<{ tiles: Tile[]; credit: CreditLineView[] }> {
  const tiles: Array<Promise<Tile | null>> = [];
  const q = { page: 1, pageSize: 1 };
  if (has(role, 'finance', 'admin', 'reseller_finance', 'reseller_admin')) {
    tiles.push(
      Promise.all([
        total(ok(client.GET('/api/v1/invoices', { params: { query: { ...q, status: 'ISSUED' } } }))),
        total(ok(client.GET('/api/v1/invoices', { params: { query: { ...q, status: 'PARTIALLY_PAID' } } }))),
      ]).then(([issued, partly]) => ({
        key: 'invoices-due',
        label: 'Invoices due',
        to: '/invoices',
        value: formatInt(issued + partly),
        hint: `${partly} partly paid`,
      })),
    );
  }
  if (has(role, 'finance', 'admin')) {
    tiles.push(
      total(ok(client.GET('/api/v1/orders/to-ship', { params: { query: q } }))).then((n) => ({
        key: 'to-ship',
        label: 'Hardware lines to ship',
        to: '/to-ship',
        value: formatInt(n),
        tone: n > 0 ? ('warning' as const) : undefined,
      })),
    );
  }
  if (has(role, 'finance', 'admin', 'buyer', 'reseller_admin', 'reseller_finance')) {
    tiles.push(
      total(ok(client.GET('/api/v1/credit-requests', { params: { query: { ...q, status: 'PENDING' } } }))).then((n) => ({
        key: 'credit-requests',
        label: has(role, 'finance', 'admin') ? 'Credit requests to answer' : 'Credit requests waiting',
        to: '/credit-requests',
        value: formatInt(n),
        tone: n > 0 && has(role, 'finance', 'admin') ? ('warning' as const) : undefined,
      })),
    );
  }
  if (has(role, 'sales', 'reseller_admin', 'admin')) {
    tiles.push(
      total(ok(client.GET('/api/v1/renewal-alerts', { params: { query: { ...q, status: 'OPEN' } } }))).then((n) => ({
        key: 'renewals',
        label: 'Renewals due (open alerts)',
        to: '/renewals',
        value: formatInt(n),
        tone: n > 0 ? ('warning' as const) : undefined,
      })),
    );
  }
  if (has(role, 'buyer', 'reseller_admin')) {
    tiles.push(
      total(ok(client.GET('/api/v1/orders', { params: { query: { ...q, status: 'PLACED' } } }))).then((n) => ({
        key: 'orders-open',
        label: 'Orders waiting to ship',
        to: '/orders',
        value: formatInt(n),
      })),
    );
  }
  // Credit used: for those who order or pay on the lines (sales does neither).
  const credit =
    resellerId && role !== 'sales'
      ? ok(client.GET('/api/v1/resellers/{id}/credit-lines', { params: { path: { id: resellerId } } })).then((r) => r.items)
      : Promise.resolve([]);
  // A count that cannot be read is left out rather than failing the page.
  const settled = await Promise.all(tiles.map((t) => t.catch(() => null)));
  return { tiles: settled.filter((t): t is Tile => t !== null), credit: await credit.catch(() => []) };
}

export function HomePage() {
  const me = useMe();
  const { data, error, loading } = useAsync(() => loadTiles(me.role, me.resellerId ?? null), [me.role, me.resellerId]);
  return (
    <section>
      <PageHeader title="Home" />
      <p className="muted">What needs your attention as {ROLE_LABELS[me.role].toLowerCase()}.</p>
      <ErrorBanner error={error} />
      {loading && !data ? (
        <Loading what="Counting what needs attention" />
      ) : data ? (
        <>
          <ul className="home-tiles" aria-label="Needs attention">
            {data.tiles.map((t) => (
              <li key={t.key} className={`card home-tile${t.tone ? ` home-tile-${t.tone}` : ''}`} data-tile={t.key}>
                <Link to={t.to}>
                  <span className="home-tile-value">{t.value}</span> <span className="home-tile-label">{t.label}</span>
                </Link>
                {t.hint && <span className="muted small">{t.hint}</span>}
              </li>
            ))}
          </ul>
          {data.credit.length > 0 && (
            <>
              <h2>Credit used</h2>
              <ul className="home-tiles" aria-label="Credit used">
                {data.credit.map((l) => {
                  const used = dec(l.limit).minus(dec(l.available));
                  const pct = dec(l.limit).gt(0) ? used.div(dec(l.limit)).times(100).toDecimalPlaces(0).toNumber() : 0;
                  return (
                    <li
                      key={l.line}
                      className={`card home-tile${l.onHold || l.exposureHold || pct >= 100 ? ' home-tile-danger' : pct >= 80 ? ' home-tile-warning' : ''}`}
                      data-tile={`credit-${l.line}`}
                    >
                      <Link to={me.role === 'buyer' ? '/cart' : '/credit-requests'}>
                        <span className="home-tile-value">{pct}%</span>{' '}
                        <span className="home-tile-label">of the {l.line === 'HARDWARE' ? 'hardware' : 'cloud'} credit line used</span>
                      </Link>
                      <span className="muted small">
                        <Money amount={l.available} currency={l.currency} /> available of <Money amount={l.limit} currency={l.currency} />
                        {l.onHold || l.exposureHold ? ' · on hold' : ''}
                      </span>
                    </li>
                  );
                })}
              </ul>
            </>
          )}
        </>
      ) : null}
    </section>
  );
}
