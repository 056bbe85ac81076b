import { ReactNode, useEffect, useState } from 'react';
import type { Role } from './contract';
import { useCart } from './cart';
import { Loading } from './components/ui';
import { ResellerAccountPage, StatementPage } from './pages/Account';
import { AccountPage } from './pages/MyAccount';
import { AdminResellersPage } from './pages/AdminResellers';
import { AdminUsersPage } from './pages/AdminUsers';
import { ArAgingPage } from './pages/ArAging';
import { BillingRunsPage } from './pages/BillingRuns';
import { CartPage } from './pages/Cart';
import { CatalogPage } from './pages/Catalog';
import { ConsumptionUsagePage } from './pages/ConsumptionUsage';
import { CreditLimitsPage } from './pages/CreditLimits';
import { CreditLinesPage } from './pages/CreditLines';
import { CreditRequestsPage } from './pages/CreditRequests';
import { HomePage } from './pages/Home';
import { EndCustomerBillingPage } from './pages/EndCustomerBilling';
import { InvoiceDetailPage, InvoicesPage } from './pages/Invoices';
import { MarginPage } from './pages/Margin';
import { OrderDetailPage, OrdersPage } from './pages/Orders';
import { ReconciliationPage } from './pages/Reconciliation';
import { ResellerBillingSetupPage } from './pages/ResellerBillingSetup';
import { RenewalAlertPage, RenewalsPage } from './pages/Renewals';
import { SetPasswordPage } from './pages/SetPassword';
import { SignInPage } from './pages/SignIn';
import { SubscriptionDetailPage, SubscriptionsPage } from './pages/Subscriptions';
import { ToShipPage } from './pages/ToShip';
import { TrialBalancePage } from './pages/TrialBalance';
import { UsageImportsPage } from './pages/UsageImports';
import { VendorReconciliationsPage } from './pages/VendorReconciliations';
import { Link, match, navigate, useLocation } from './router';
import { ROLE_LABELS, useSession } from './session';

interface Route {
  path: string;
  /** In the navigation when set. */
  label?: string;
  roles: Role[];
  render: (params: Record<string, string>) => ReactNode;
}

const RESELLER_STAFF: Role[] = ['reseller_admin'];
const DISTRIBUTOR: Role[] = ['admin', 'finance'];

/** Every page and who may see it: the navigation shows a role only what that role may do (docs/api-conventions.md §2). */
export const ROUTES: Route[] = [
  // Each role's home page: what needs attention, numbers linking to their lists (docs/portal.md, "Home").
  {
    path: '/',
    label: 'Home',
    roles: ['buyer', 'sales', 'reseller_finance', ...RESELLER_STAFF, ...DISTRIBUTOR],
    render: () => <HomePage />,
  },
  {
    path: '/catalog',
    label: 'Catalog',
    roles: ['buyer', 'admin', ...RESELLER_STAFF],
    render: () => <CatalogPage />,
  },
  { path: '/cart', label: 'Cart', roles: ['buyer'], render: () => <CartPage /> },
  {
    path: '/orders',
    label: 'Orders',
    roles: ['buyer', ...RESELLER_STAFF, ...DISTRIBUTOR],
    render: () => <OrdersPage />,
  },
  {
    path: '/orders/:id',
    roles: ['buyer', ...RESELLER_STAFF, ...DISTRIBUTOR],
    render: (p) => <OrderDetailPage id={p.id} />,
  },
  {
    path: '/renewals',
    label: 'Renewal pipeline',
    roles: ['sales', ...RESELLER_STAFF, 'admin'],
    render: () => <RenewalsPage />,
  },
  {
    path: '/renewals/:id',
    roles: ['sales', ...RESELLER_STAFF, 'admin'],
    render: (p) => <RenewalAlertPage id={p.id} />,
  },
  {
    path: '/subscriptions',
    label: 'Subscriptions',
    roles: ['buyer', 'sales', ...RESELLER_STAFF, ...DISTRIBUTOR],
    render: () => <SubscriptionsPage />,
  },
  {
    path: '/subscriptions/:id',
    roles: ['buyer', 'sales', ...RESELLER_STAFF, ...DISTRIBUTOR],
    render: (p) => <SubscriptionDetailPage id={p.id} />,
  },
  {
    path: '/invoices',
    label: 'Invoices',
    roles: ['reseller_finance', ...RESELLER_STAFF, ...DISTRIBUTOR],
    render: () => <InvoicesPage />,
  },
  {
    path: '/invoices/:id',
    roles: ['reseller_finance', ...RESELLER_STAFF, ...DISTRIBUTOR],
    render: (p) => <InvoiceDetailPage id={p.id} />,
  },
  {
    path: '/statement',
    label: 'Statement',
    roles: ['reseller_finance', ...RESELLER_STAFF],
    render: () => <StatementPage />,
  },
  {
    path: '/resellers/:id/account',
    roles: ['finance', 'admin'],
    render: (p) => <ResellerAccountPage id={p.id} />,
  },
  { path: '/to-ship', label: 'To ship', roles: DISTRIBUTOR, render: () => <ToShipPage /> },
  {
    path: '/credit-requests',
    label: 'Credit requests',
    roles: ['buyer', 'reseller_finance', ...RESELLER_STAFF, ...DISTRIBUTOR],
    render: () => <CreditRequestsPage />,
  },
  {
    path: '/billing-runs',
    label: 'Billing runs',
    roles: ['finance', 'admin'],
    render: () => <BillingRunsPage />,
  },
  { path: '/trial-balance', label: 'Trial balance', roles: DISTRIBUTOR, render: () => <TrialBalancePage /> },
  {
    path: '/reconciliation',
    label: 'Reconciliation',
    roles: DISTRIBUTOR,
    render: () => <ReconciliationPage />,
  },
  { path: '/ar-aging', label: 'AR aging', roles: DISTRIBUTOR, render: () => <ArAgingPage /> },
  { path: '/margin', label: 'Margin', roles: DISTRIBUTOR, render: () => <MarginPage /> },
  { path: '/credit-lines', label: 'Credit lines', roles: DISTRIBUTOR, render: () => <CreditLinesPage /> },
  // Cloud consumption (docs/consumption.md).
  {
    path: '/cloud-usage',
    label: 'Cloud usage',
    roles: ['buyer', 'reseller_finance', ...RESELLER_STAFF, ...DISTRIBUTOR],
    render: () => <ConsumptionUsagePage />,
  },
  { path: '/usage-imports', label: 'Usage imports', roles: DISTRIBUTOR, render: () => <UsageImportsPage /> },
  {
    path: '/vendor-reconciliations',
    label: 'Vendor reconciliation',
    roles: DISTRIBUTOR,
    render: () => <VendorReconciliationsPage />,
  },
  // Billing end customers on a reseller's behalf (docs/billing-on-behalf.md).
  {
    path: '/end-customer-billing',
    label: 'End-customer billing',
    roles: ['reseller_finance', ...RESELLER_STAFF, ...DISTRIBUTOR],
    render: () => <EndCustomerBillingPage />,
  },
  {
    path: '/billing-setup',
    label: 'Billing set-up',
    roles: RESELLER_STAFF,
    render: () => <ResellerBillingSetupPage />,
  },
  // Admin and the user's own account (docs/security.md §6–§11).
  { path: '/admin/resellers', label: 'Resellers', roles: ['admin'], render: () => <AdminResellersPage /> },
  { path: '/admin/users', label: 'Users', roles: ['admin'], render: () => <AdminUsersPage /> },
  {
    path: '/admin/credit-limits',
    label: 'Credit limits',
    roles: ['admin'],
    render: () => <CreditLimitsPage />,
  },
  {
    path: '/account',
    label: 'My account',
    roles: ['admin', 'finance', 'reseller_admin', 'buyer', 'sales', 'reseller_finance'],
    render: () => <AccountPage />,
  },
];

/** Where each role starts after signing in: its home page (docs/portal.md, "Home"). */
const HOME: Record<Role, string> = {
  buyer: '/',
  sales: '/',
  reseller_finance: '/',
  reseller_admin: '/',
  finance: '/',
  admin: '/',
  integration: '/usage-imports',
};

export function routesFor(role: Role): Route[] {
  return ROUTES.filter((r) => r.roles.includes(role));
}

export function App() {
  const { me, loading, reseller, signOut } = useSession();
  const { path } = useLocation();
  const cart = useCart();
  const [menuOpen, setMenuOpen] = useState(false);

  const allowed = me ? routesFor(me.role) : [];
  const home = me ? HOME[me.role] : '/';
  let page: ReactNode = null;
  let found = false;
  for (const r of allowed) {
    const params = match(r.path, path);
    if (params) {
      page = r.render(params);
      found = true;
      break;
    }
  }

  useEffect(() => {
    if (me && (path === '/' || path === '/sign-in')) navigate(home, { replace: true });
  }, [me, path, home]);
  useEffect(() => setMenuOpen(false), [path]);

  // The one-time link's page works signed in or not (docs/security.md §8).
  if (path === '/set-password') return <SetPasswordPage />;
  if (loading) return <Loading what="Starting the portal" />;
  if (!me) return <SignInPage />;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={home} className="brand" aria-label="Disty portal home">
          Disty
        </Link>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <div className="who">
          <span className="who-role">{ROLE_LABELS[me.role]}</span>
          <span className="who-name">
            {me.email}
            {reseller ? ` · ${reseller.name}` : ''}
          </span>
          <button type="button" className="link-button" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="primary-nav" className={`sidenav${menuOpen ? ' open' : ''}`} aria-label="Primary">
        <ul>
          {allowed
            .filter((r) => r.label)
            .map((r) => {
              const current = path === r.path || path.startsWith(`${r.path}/`);
              return (
                <li key={r.path}>
                  <Link to={r.path} aria-current={current ? 'page' : undefined}>
                    {r.label}
                    {r.path === '/cart' && cart.count > 0 && (
                      <span className="badge" aria-label={`${cart.items.length} lines in the cart`}>
                        {cart.items.length}
                      </span>
                    )}
                  </Link>
                </li>
              );
            })}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {found ? (
          page
        ) : path === '/' ? (
          <Loading />
        ) : (
          <section>
            <h1>Not here</h1>
            <p>This page does not exist, or your role ({ROLE_LABELS[me.role]}) may not see it.</p>
            <p>
              <Link to={home}>Go to your start page</Link>
            </p>
          </section>
        )}
      </main>
    </div>
  );
}
