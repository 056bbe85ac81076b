import type { Page } from 'playwright-core';
import type { OwnDatabase } from '../support/own-database';
import type * as PortalSupport from './support/portal';

/**
 * Stories of the portal's finishing jobs (docs/portal.md), on a database of their own (billing runs
 * are global and in date order, so the run here bills only what these stories made):
 * - operations ships part of a hardware line from the "to ship" list; the next billing run invoices
 *   that part only; finance records the bank payment on the invoice and it shows PAID; a second run
 *   of the same period says it was already billed and the ledger check completes; the reseller's
 *   finance user reads the statement, the payment and where to pay;
 * - a buyer whose hardware line is on hold still orders the cloud lines (the split cart), and the
 *   quantity field takes what is typed;
 * - a buyer short of hardware credit asks for more; finance approves it with a reason; the cart
 *   then orders everything.
 */
describe('Portal operations: shipping, billing, payments and the split cart', () => {
  const sharedUrl = process.env.DATABASE_URL!;
  let db: OwnDatabase;
  let support: typeof PortalSupport;
  let p: PortalSupport.Portal;
  let factories: typeof import('../factories/commerce.js');
  let ADMIN: string;
  let bearer: (token: string) => { Authorization: string };

  beforeAll(async () => {
    db = await (await import('../support/own-database.js')).createOwnDatabase('portal_ops_browser');
    process.env.DATABASE_URL = db.url;
    // Imported only now: the app reads DATABASE_URL when its module is first loaded.
    support = await import('./support/portal.js');
    factories = await import('../factories/commerce.js');
    const app = await import('../support/app.js');
    ADMIN = app.ADMIN_TOKEN;
    bearer = app.bearer;
    p = await support.startPortal();
  });
  afterAll(async () => {
    await p?.close();
    process.env.DATABASE_URL = sharedUrl;
    await db?.drop();
  });

  /** The one place these stories sign in (the support's sign-in, whatever form it takes). */
  async function signedIn(token: string, opts?: { width?: number; height?: number }): Promise<Page> {
    const page = await p.newPage(opts);
    page.on('dialog', (d) => void d.accept());
    await support.signIn(page, token);
    return page;
  }

  const today = () => new Date().toISOString().slice(0, 10);

  async function addToCart(page: Page, tag: string, lines: Array<{ sku: string; quantity: number }>) {
    await support.openNav(page, 'Catalog');
    await page.getByLabel('Search', { exact: true }).fill(tag);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    for (const l of lines) {
      const row = page.locator(`tr[data-sku="${l.sku}"]`);
      await row.getByRole('spinbutton').fill(String(l.quantity));
      await row.getByRole('button', { name: /^Add / }).click();
      await page.getByRole('status').filter({ hasText: 'added to the cart' }).waitFor();
    }
  }

  it('ships 2 of 5 units from the to-ship list, bills only those, records the bank payment (PAID), and says a re-run was already billed', async () => {
    const { createProduct, createReseller, uniq } = factories;
    const tag = uniq();
    const reseller = await createReseller(p.t, { name: `Coastal Systems ${tag}` });
    const switchp = await createProduct(p.t, {
      kind: 'HARDWARE',
      name: `Catalyst 9200 switch ${tag}`,
      prices: [{ currency: 'AUD', unitPrice: '1000.00' }],
      warrantyMonths: 12,
    });
    const buyer = await p.t.user('buyer', reseller.id);
    const order = (
      await p.t
        .http()
        .post('/api/v1/orders')
        .set(bearer(buyer.token))
        .send({ endCustomer: { name: 'Bayside School' }, lines: [{ sku: switchp.sku, quantity: 5 }] })
        .expect(201)
    ).body;

    // Operations (the distributor's admin): from the home page's count to the list, ship 2 of the 5.
    const admin = await signedIn(ADMIN);
    const tile = admin.locator('[data-tile="to-ship"]');
    await tile.waitFor();
    expect(await tile.textContent()).toContain('1 Hardware lines to ship');
    await support.shot(admin, 'ops-01-admin-home');
    await tile.getByRole('link').click();
    await admin.getByRole('heading', { name: 'To ship', level: 1 }).waitFor();
    const row = admin.locator(`tr[data-line]`).filter({ hasText: order.number });
    await row.waitFor();
    await row.getByRole('button', { name: /^Ship/ }).click();
    const form = admin.getByRole('form', { name: `Ship Catalyst 9200 switch ${tag} of ${order.number}` });
    await form.getByLabel(/Units shipping now/).fill('7');
    await form.getByRole('button', { name: /^Ship/ }).click();
    await form.getByText('This line holds 5 units; at most 5 can ship.').waitFor();
    await form.getByLabel(/Units shipping now/).fill('2');
    await form.getByLabel(/Serial numbers/).fill(`SN-${tag}-1\nSN-${tag}-2`);
    await support.shot(admin, 'ops-02-ship-form');
    await form.getByRole('button', { name: 'Ship 2 units' }).click();
    await admin.getByText(`2 units of Catalyst 9200 switch ${tag} (${order.number}) shipped.`).waitFor();
    const rest = admin.locator('tr[data-line]').filter({ hasText: order.number });
    await rest.locator('td.num').filter({ hasText: /^3$/ }).waitFor();
    await support.shot(admin, 'ops-03-to-ship-after');

    // Finance runs billing: the invoice holds the 2 units shipped, not the 3 waiting.
    const financeUser = await p.t.user('finance');
    const finance = await signedIn(financeUser.token);
    await support.openNav(finance, 'Billing runs');
    await finance.getByLabel('Bill everything up to').fill(today());
    await finance.getByRole('button', { name: 'Run billing' }).click();
    const run = finance.getByTestId('current-run');
    await run.locator('[data-run-status="COMPLETED"]').waitFor({ timeout: 60_000 });
    await run.getByTestId('reconciled').waitFor();
    const invoices = (
      await p.t.http().get('/api/v1/invoices').query({ resellerId: reseller.id }).set(bearer(financeUser.token)).expect(200)
    ).body;
    expect(invoices.total).toBe(1);
    const invoice = (await p.t.http().get(`/api/v1/invoices/${invoices.items[0].id}`).set(bearer(financeUser.token)).expect(200)).body;
    expect(invoice.lines.map((l: { quantity: number; net: string }) => [l.quantity, l.net])).toEqual([[2, '2000.00']]);
    expect(invoice.amountDue).toBe('2200.00');
    const after = (await p.t.http().get(`/api/v1/orders/${order.id}`).set(bearer(ADMIN)).expect(200)).body;
    expect(after.lines.map((l: { status: string; quantity: number }) => [l.status, l.quantity]).sort()).toEqual([
      ['PENDING', 3],
      ['SHIPPED', 2],
    ]);

    // The same period again: already billed, nothing twice, and the ledger check still finishes.
    await finance.getByRole('button', { name: 'Run billing' }).click();
    await run.getByTestId('already-billed').waitFor();
    expect(await run.getByTestId('already-billed').textContent()).toContain('was already billed');
    await run.getByTestId('reconciled').waitFor();
    await support.shot(finance, 'ops-04-rerun-already-billed');

    // Finance records the bank transfer on the invoice: it shows PAID.
    await finance.goto(`/invoices/${invoice.id}`);
    await finance.getByRole('heading', { name: `Invoice ${invoice.number}` }).waitFor();
    await finance.getByText('Record a bank payment').click();
    const pay = finance.getByRole('form', { name: 'Record a bank payment' });
    expect(await pay.getByLabel(/Amount received/).inputValue()).toBe('2200.00');
    await pay.getByRole('button', { name: 'Record payment' }).click();
    await pay.getByText('Enter the reference on the bank statement.').waitFor();
    await pay.getByLabel('Bank reference').fill(`NAB ${tag}`);
    await pay.getByRole('button', { name: 'Record payment' }).click();
    await finance.getByText('Payment of $2,200.00 recorded.').waitFor();
    await finance.locator('dl.facts .status-paid').waitFor();
    await support.shot(finance, 'ops-05-invoice-paid');
    const paid = (await p.t.http().get(`/api/v1/invoices/${invoice.id}`).set(bearer(financeUser.token)).expect(200)).body;
    expect(paid.status).toBe('PAID');
    expect(paid.amountDue).toBe('0.00');

    // The reseller's finance user: statement, payment history, where to pay.
    const rfUser = await p.t.user('reseller_finance', reseller.id);
    const rf = await signedIn(rfUser.token);
    await support.openNav(rf, 'Statement');
    await rf.getByTestId('bank-details').waitFor();
    await rf
      .getByRole('row')
      .filter({ hasText: `NAB ${tag}` })
      .first()
      .waitFor();
    expect(await rf.getByTestId('closing-balance').textContent()).toBe('$0.00');
    await support.shot(rf, 'ops-06-reseller-statement');
    expect(p.pageErrors).toEqual([]);
  });

  it('lets a buyer whose hardware line is on hold order the cloud lines, keeping the hardware in the cart; the quantity field takes 12', async () => {
    const { createProduct, createReseller, uniq } = factories;
    const tag = uniq();
    const reseller = await createReseller(p.t, { name: `Held Hardware ${tag}` });
    await p.t.http().put(`/api/v1/resellers/${reseller.id}/credit-lines/HARDWARE`).set(bearer(ADMIN)).send({ onHold: true }).expect(200);
    const laptop = await createProduct(p.t, {
      kind: 'HARDWARE',
      name: `Latitude ${tag}`,
      prices: [{ currency: 'AUD', unitPrice: '1500.00' }],
      warrantyMonths: 36,
    });
    const m365 = await createProduct(p.t, {
      kind: 'CLOUD',
      name: `M365 ${tag}`,
      prices: [{ currency: 'AUD', unitPrice: '20.00' }],
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
    });
    const buyer = await p.t.user('buyer', reseller.id);
    const page = await signedIn(buyer.token);
    await addToCart(page, tag, [
      { sku: laptop.sku, quantity: 2 },
      { sku: m365.sku, quantity: 1 },
    ]);
    await support.openNav(page, 'Cart');

    // The quantity field: cleared and typed, 12 is 12; a decimal says why it is refused.
    const qty = page.getByLabel(`Quantity of M365 ${tag}`);
    await qty.fill('');
    await page.getByText('Enter a quantity: a whole number, 1 or more.').waitFor();
    await qty.pressSequentially('12');
    expect(await qty.inputValue()).toBe('12');
    await qty.fill('1.5');
    await page.getByText('Quantities are whole units: no decimals.').waitFor();
    await qty.fill('12');
    await qty.blur();
    expect(await qty.inputValue()).toBe('12');

    const split = page.getByTestId('split-cart');
    await split.waitFor();
    expect(await split.textContent()).toContain('The hardware credit line is on hold.');
    expect(await page.locator(`tr[data-sku="${laptop.sku}"]`).getAttribute('data-held')).toBe('yes');
    await page.getByLabel('End customer').fill('Northside Dental');
    await support.shot(page, 'ops-07-cart-hardware-on-hold');
    // 12 seats × 20.00 for the first month + 10 % = 264.00: the cloud lines alone.
    await page.getByRole('button', { name: 'Place order without the held lines · $264.00' }).click();
    await page.getByText(/Order ORD-\d{6,} placed\./).waitFor();
    const orders = (await p.t.http().get('/api/v1/orders').set(bearer(buyer.token)).expect(200)).body;
    expect(orders.total).toBe(1);
    expect(orders.items[0].lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([[m365.sku, 12]]);
    await support.openNav(page, 'Cart');
    await page.locator(`tr[data-sku="${laptop.sku}"]`).waitFor();
    expect(await page.locator('tr[data-sku]').count()).toBe(1);
    expect(p.pageErrors).toEqual([]);
  });

  it('lets a buyer short of hardware credit ask for more; finance approves with a reason; the cart then orders everything', async () => {
    const { createProduct, createReseller, uniq } = factories;
    const tag = uniq();
    const reseller = await createReseller(p.t, { name: `Short Credit ${tag}`, hardwareLimit: '1000.00' });
    const server = await createProduct(p.t, {
      kind: 'HARDWARE',
      name: `PowerEdge ${tag}`,
      prices: [{ currency: 'AUD', unitPrice: '1000.00' }],
      warrantyMonths: 36,
    });
    const buyer = await p.t.user('buyer', reseller.id);
    const page = await signedIn(buyer.token);
    await addToCart(page, tag, [{ sku: server.sku, quantity: 1 }]);
    await support.openNav(page, 'Cart');
    const split = page.getByTestId('split-cart');
    await split.waitFor();
    expect(await split.textContent()).toContain('The hardware credit line is short by $100.00.');
    await split.getByRole('button', { name: 'Ask for more hardware credit' }).click();
    const ask = page.getByRole('form', { name: 'Ask for more hardware credit' });
    expect(await ask.getByLabel(/Extra hardware credit/).inputValue()).toBe('100.00');
    await ask.getByLabel('Why').fill('Server for Northside Dental');
    await ask.getByRole('button', { name: 'Ask for more credit' }).click();
    await page.getByText('Request for $100.00 more hardware credit sent.', { exact: false }).waitFor();
    await support.shot(page, 'ops-08-credit-requested');

    const financeUser = await p.t.user('finance');
    const finance = await signedIn(financeUser.token);
    const tile = finance.locator('[data-tile="credit-requests"]');
    await tile.waitFor();
    await tile.getByRole('link').click();
    await finance.getByRole('heading', { name: 'Credit requests', level: 1 }).waitFor();
    const card = finance.locator('li[data-status="PENDING"]').filter({ hasText: reseller.name });
    await card.getByLabel('Reason').fill('Good payment history');
    await support.shot(finance, 'ops-09-credit-request-to-answer');
    await card.getByRole('button', { name: 'Approve' }).click();
    await finance.getByText(`${reseller.name}: the hardware limit is now $1,100.00.`).waitFor();
    const lines = (await p.t.http().get(`/api/v1/resellers/${reseller.id}/credit-lines`).set(bearer(ADMIN)).expect(200)).body.items;
    expect(lines.find((l: { line: string }) => l.line === 'HARDWARE').limit).toBe('1100.00');

    // The buyer sees the answer, and the cart now orders the server.
    await support.openNav(page, 'Credit requests');
    await page.locator('li[data-status="APPROVED"]').getByText('Good payment history', { exact: false }).waitFor();
    await support.openNav(page, 'Cart');
    await page.locator('[data-line="HARDWARE"]').getByText('Available$1,100.00').waitFor();
    expect(await page.getByTestId('split-cart').count()).toBe(0);
    await page.getByLabel('End customer').fill('Northside Dental');
    await page.getByRole('button', { name: 'Place order · $1,100.00' }).click();
    await page.getByText(/Order ORD-\d{6,} placed\./).waitFor();
    // The order's number heads its page; Reorder puts the same products and quantities in the cart.
    await page.getByRole('heading', { name: /^Order ORD-\d{6,}$/ }).waitFor();
    await page.getByRole('button', { name: 'Reorder' }).click();
    await page.getByRole('heading', { name: 'Cart', level: 1 }).waitFor();
    expect(await page.getByLabel(`Quantity of PowerEdge ${tag}`).inputValue()).toBe('1');
    expect(p.pageErrors).toEqual([]);
  });
});
