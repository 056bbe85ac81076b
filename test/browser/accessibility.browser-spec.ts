import AxeBuilder from '@axe-core/playwright';
import { appendFileSync, mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import type { OwnDatabase } from '../support/own-database';
import type * as PortalSupport from './support/portal';
import { portalRoutes } from './support/routes';

/**
 * Story: every page of the portal, as every role that may open it, at a desktop (1366 px) and a
 * phone (390 px) width: axe-core finds no serious or critical violation, nothing makes the page
 * scroll sideways, every amount, status and button lies inside the screen, and a screenshot of
 * each is saved in test/artifacts/ (README.md, "Web portal"). The pages come from the router table.
 */
const WIDTHS = [
  { name: 'desktop', width: 1366, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const ROLES = ['buyer', 'sales', 'reseller_finance', 'reseller_admin', 'finance', 'admin'] as const;
const RESELLER_ROLES: readonly string[] = ['buyer', 'sales', 'reseller_finance', 'reseller_admin'];
const ROUTES = portalRoutes();
/** Every problem found, as found (the assertion lists them again at the end of each role). */
const ARTIFACTS = path.join(__dirname, '..', 'artifacts');
const REPORT = path.join(ARTIFACTS, 'a11y-report.txt');

/** What a page at one width got wrong (empty when nothing). */
async function audit(page: Page, width: number): Promise<string[]> {
  const problems: string[] = [];
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  for (const v of axe.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
    const where = v.nodes
      .slice(0, 3)
      .map((n) => n.target.join(' '))
      .join(' | ');
    problems.push(`axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length}× e.g. ${where})`);
  }
  const scrollWidth = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  if (scrollWidth > width) problems.push(`the page is ${scrollWidth} px wide on a ${width} px screen`);
  // Amounts, statuses and buttons must be on screen, not off its right edge in a scrolled box.
  const offscreen = (await page.evaluate(`(() => {
    const out = [];
    for (const el of document.querySelectorAll('main .money, main .status, main button, main a.button')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.right > ${width} + 1 || r.left < -1) out.push((el.className || el.tagName) + ' "' + (el.textContent || '').trim().slice(0, 30) + '" at ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
    return out;
  })()`)) as string[];
  for (const o of offscreen.slice(0, 5)) problems.push(`off screen: ${o}`);
  return problems;
}

/** Opens a portal path in the signed-in tab and waits until it has loaded its data. */
async function open(page: Page, url: string): Promise<string> {
  await page.goto(url);
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  // A locator, not waitForFunction, whose string predicate the portal's CSP (no 'unsafe-eval') refuses.
  await page
    .locator('.loading')
    .first()
    .waitFor({ state: 'detached', timeout: 20_000 })
    .catch(() => undefined);
  await page.waitForLoadState('networkidle').catch(() => undefined);
  return ((await page.getByRole('heading', { level: 1 }).first().textContent()) ?? '').trim();
}

describe('Accessibility: every page, every role, at 1366 and 390 px', () => {
  let p: PortalSupport.Portal;
  let shot: typeof PortalSupport.shot;
  let signIn: typeof PortalSupport.signIn;
  let db: OwnDatabase;
  const sharedUrl = process.env.DATABASE_URL!;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    // A database of its own: billing runs are global, and another story may have billed today already.
    db = await (await import('../support/own-database.js')).createOwnDatabase('a11y_browser');
    process.env.DATABASE_URL = db.url;
    // Imported only now: the app reads DATABASE_URL when its module is first loaded.
    const support = await import('./support/portal.js');
    ({ shot, signIn } = support);
    const { createProduct, createReseller, uniq } = await import('../factories/commerce.js');
    const { ADMIN_TOKEN, bearer } = await import('../support/app.js');
    const { billPeriod } = await import('../support/billing.js');
    p = await support.startPortal();
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(REPORT, '');
    const tag = uniq();
    const today = new Date().toISOString().slice(0, 10);
    const reseller = await createReseller(p.t, {
      name: `Access Able IT ${tag}`,
      hardwareLimit: '90000.00',
      cloudLimit: '40000.00',
    });
    const server = await createProduct(p.t, {
      name: `ThinkSystem SR650 V3 ${tag}`,
      vendor: 'Lenovo',
      prices: [{ currency: 'AUD', unitPrice: '12480.00' }],
    });
    const seats = await createProduct(p.t, {
      kind: 'CLOUD',
      name: `Microsoft 365 Business Premium ${tag}`,
      vendor: 'Microsoft',
      prices: [{ currency: 'AUD', unitPrice: '36.30' }],
    });
    for (const role of ROLES) tokens[role] = (await p.t.user(role, RESELLER_ROLES.includes(role) ? reseller.id : null)).token;
    const order = await p.t
      .http()
      .post('/api/v1/orders')
      .set(bearer(tokens.buyer))
      .send({
        endCustomer: { name: 'Wattle Street Physio' },
        poNumber: `PO-${tag}`,
        lines: [
          { sku: server.sku, quantity: 2 },
          { sku: seats.sku, quantity: 40 },
        ],
      })
      .expect(201);
    const hw = order.body.lines.find((l: { kind: string }) => l.kind === 'HARDWARE');
    await p.t
      .http()
      .post(`/api/v1/orders/${order.body.id}/lines/${hw.id}/ship`)
      .set(bearer(ADMIN_TOKEN))
      .send({ shippedOn: today, serialNumbers: [`SN-${tag}-1`, `SN-${tag}-2`] })
      .expect(200);
    const subscriptionId = order.body.lines.find((l: { kind: string }) => l.kind === 'CLOUD').subscriptionId as string;
    const sub = await p.t.http().get(`/api/v1/subscriptions/${subscriptionId}`).set(bearer(tokens.buyer)).expect(200);
    await billPeriod(p.t, today, bearer(tokens.finance).Authorization);
    const invoices = await p.t.http().get('/api/v1/invoices').query({ resellerId: reseller.id }).set(bearer(tokens.finance)).expect(200);
    const termEnd = new Date(`${sub.body.termEnd}T00:00:00Z`);
    termEnd.setUTCDate(termEnd.getUTCDate() - 20);
    await p.t
      .http()
      .post('/api/v1/renewal-alerts/scan')
      .set(bearer(ADMIN_TOKEN))
      .send({ asOf: termEnd.toISOString().slice(0, 10) })
      .expect(200);
    const alerts = await p.t.http().get('/api/v1/renewal-alerts').query({ resellerId: reseller.id }).set(bearer(ADMIN_TOKEN)).expect(200);
    const alert = alerts.body.items.find((a: { subscriptionId: string | null }) => a.subscriptionId === subscriptionId);
    // A sample for each page with a parameter; a new such page needs one here (the test says which).
    ids['/orders/:id'] = order.body.id;
    ids['/subscriptions/:id'] = subscriptionId;
    ids['/invoices/:id'] = invoices.body.items[0]?.id;
    ids['/renewals/:id'] = alert?.id;
    ids['/resellers/:id/account'] = reseller.id;
  }, 300_000);
  afterAll(async () => {
    await p?.close();
    process.env.DATABASE_URL = sharedUrl;
    await db?.drop();
  });

  it('reads every page and its roles from the router', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(19);
    expect(ROUTES.map((r) => r.path)).toEqual(expect.arrayContaining(['/catalog', '/orders/:id', '/invoices', '/credit-lines']));
    for (const r of ROUTES) expect(r.roles.every((role) => (ROLES as readonly string[]).includes(role))).toBe(true);
  });

  it('the sign-in page passes at both widths', async () => {
    const problems: string[] = [];
    for (const w of WIDTHS) {
      const page = await p.newPage({ width: w.width, height: w.height });
      await page.goto('/');
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      const found = (await audit(page, w.width)).map((x) => `sign-in @${w.width}: ${x}`);
      if (found.length) appendFileSync(REPORT, `${found.join('\n')}\n`);
      problems.push(...found);
      await shot(page, `a11y-sign-in-${w.name}`);
    }
    expect(problems).toEqual([]);
  });

  it.each(ROLES)(
    'every page %s may open passes at 1366 and 390 px',
    async (role) => {
      const routes = ROUTES.filter((r) => r.roles.includes(role));
      expect(routes.length).toBeGreaterThan(0);
      const problems: string[] = [];
      const page = await p.newPage({ width: WIDTHS[0].width, height: WIDTHS[0].height });
      await signIn(page, tokens[role]);
      for (const r of routes) {
        const url = r.path.replace(/:(\w+)/g, () => ids[r.path] ?? '');
        if (r.path.includes(':') && (url.endsWith('/') || url.includes('//'))) {
          problems.push(`${r.path}: no sample id in this test; add one to ids`);
          continue;
        }
        await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
        const errorsBefore = p.pageErrors.length;
        const h1 = await open(page, url);
        if (h1 === 'Not here') problems.push(`${role} ${r.path}: the router lists the role but the page says Not here`);
        // The same page at each width: the layout is CSS, the content the same.
        for (const w of WIDTHS) {
          await page.setViewportSize({ width: w.width, height: w.height });
          const found = (await audit(page, w.width)).map((x) => `${role} ${r.path} @${w.width}: ${x}`);
          if (found.length) appendFileSync(REPORT, `${found.join('\n')}\n`);
          problems.push(...found);
          await shot(
            page,
            `a11y-${role}-${r.path
              .slice(1)
              .replace(/\/:\w+/g, '-detail')
              .replace(/\//g, '-')}-${w.name}`,
          );
        }
        // Errors the page itself reported (uncaught exceptions, console.error), named by page.
        for (const e of p.pageErrors.slice(errorsBefore)) problems.push(`${role} ${r.path}: ${e}`);
      }
      expect(problems).toEqual([]);
    },
    900_000,
  );
});
