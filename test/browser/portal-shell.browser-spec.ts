import request from 'supertest';
import { createReseller } from '../factories/commerce';
import { userWithPassword } from '../support/sign-in';
import { openNav, Portal, shot, signIn, startPortal } from './support/portal';

describe('Portal shell: served by the API, sign-in, navigation by role', () => {
  let p: Portal;
  beforeAll(async () => (p = await startPortal()));
  afterAll(() => p?.close());

  it('serves the portal at / and its client routes, leaving /api, /docs and /health to the API', async () => {
    const http = () => request(p.baseUrl);
    const index = await http().get('/').expect(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.text).toContain('<div id="root"></div>');
    // Served over plain HTTP too: nothing may tell the browser to fetch the portal's files over HTTPS.
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    const deep = await http().get('/orders/some-client-route').expect(200);
    expect(deep.text).toContain('<div id="root"></div>');

    const api404 = await http().get('/api/v1/no-such-thing').expect(404);
    expect(api404.headers['content-type']).toMatch(/application\/problem\+json/);
    await http().get('/health').expect(200).expect('content-type', /json/);
    await http().get('/docs-json').expect(200).expect('content-type', /json/);
    const docs = await http().get('/docs/').expect(200);
    expect(docs.text).toContain('swagger');
    expect(docs.text).not.toContain('<div id="root"></div>');
    // Errors on API routes stay the API's own (a malformed body is a 400, not the portal's 404).
    await http().post('/api/v1/users').set('Content-Type', 'application/json').send('{"email":').expect(400);
    const cfg = await http().get('/api/v1/config/public').expect(200);
    expect(cfg.body).toEqual({ stripePublishableKey: null, cardPayments: false });
  });

  it('refuses a bad token with a clear message and keeps the user on the sign-in form', async () => {
    const page = await p.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Use an API token' }).click();
    await page.getByLabel('API token').fill('not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That API token was not accepted' }).waitFor();
    await shot(page, '00-sign-in-refused');
    expect(await page.evaluate("sessionStorage.getItem('disty.token')")).toBeNull();
  });

  it('shows a buyer the buying pages and a finance user the finance pages, each only their own', async () => {
    const reseller = await createReseller(p.t);
    const buyer = await p.t.user('buyer', reseller.id);
    const finance = await p.t.user('finance');

    const page = await p.newPage();
    await signIn(page, buyer.token);
    const nav = page.getByRole('navigation', { name: 'Primary' });
    const buyerLinks = await nav.getByRole('link').allTextContents();
    expect(buyerLinks.map((l) => l.replace(/\d+$/, ''))).toEqual([
      'Home',
      'Catalog',
      'Cart',
      'Orders',
      'Subscriptions',
      'Credit requests',
      'Cloud usage',
      'My account',
    ]);
    // Every role starts on its home page (docs/portal.md, "Home").
    expect(new URL(page.url()).pathname).toBe('/');
    // A page the role may not see is not offered, even by URL.
    await page.goto('/billing-runs');
    await page.getByRole('heading', { name: 'Not here' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').waitFor();

    await signIn(page, finance.token);
    const financeLinks = await nav.getByRole('link').allTextContents();
    expect(financeLinks).toEqual([
      'Home',
      'Orders',
      'Subscriptions',
      'Invoices',
      'To ship',
      'Credit requests',
      'Billing runs',
      'Trial balance',
      'Reconciliation',
      'AR aging',
      'Margin',
      'Credit lines',
      'Cloud usage',
      'Usage imports',
      'Vendor reconciliation',
      'End-customer billing',
      'My account',
    ]);
    await openNav(page, 'Trial balance');
    await page.getByRole('status').filter({ hasText: 'Debits equal credits.' }).waitFor();
    await shot(page, '01-finance-trial-balance-empty');
    expect(p.pageErrors).toEqual([]);
  });

  it('works on a phone-sized screen with the navigation behind a menu button', async () => {
    const reseller = await createReseller(p.t);
    const buyer = await p.t.user('buyer', reseller.id);
    const page = await p.newPage({ width: 390, height: 844 });
    await page.goto('/');
    await page.getByRole('button', { name: 'Use an API token' }).click();
    await page.getByLabel('API token').fill(buyer.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Orders' }).click();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    await shot(page, '02-buyer-orders-phone');
    expect(p.pageErrors).toEqual([]);
  });
  it('can be used with the keyboard alone: sign in, skip to content, move between pages with focus on each new page', async () => {
    const reseller = await createReseller(p.t);
    const buyer = await userWithPassword(p.t, 'buyer', reseller.id);
    const page = await p.newPage();
    await page.goto('/');
    // The email field has focus on arrival; Tab to the password; Enter submits.
    await page.getByLabel('Email').waitFor();
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('email');
    await page.keyboard.type(buyer.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(buyer.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    const focused = () =>
      page.evaluate('(() => { const e = document.activeElement; return e ? e.tagName + ":" + (e.textContent || "").trim() : ""; })()');
    // The page heading takes focus, so a screen reader announces the new page.
    expect(await focused()).toBe('H1:Home');
    // The skip link, first in the tab order, shows when focused and jumps to the content.
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(
      await page.evaluate(
        '(() => { const f = [...document.querySelectorAll("a[href], button, input, select, textarea")].find((e) => e.tabIndex >= 0); return f && f.textContent; })()',
      ),
    ).toBe('Skip to content');
    await skip.focus();
    expect((await skip.boundingBox())!.x).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await focused()).toMatch(/^MAIN:/);
    // Through the navigation with Tab, open Orders with Enter.
    await page.getByRole('link', { name: 'Orders', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    expect(await focused()).toBe('H1:Orders');
    expect(p.pageErrors).toEqual([]);
  });
});
