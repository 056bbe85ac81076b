import { Page } from 'playwright-core';
import { createProduct, createReseller, uniq } from '../factories/commerce';
import { bearer } from '../support/app';
import { openNav, Portal, shot, signIn, startPortal } from './support/portal';

/** Story: a buyer orders hardware and cloud in one cart, on two credit lines, and manages the subscription. */
describe('Buyer: hardware and cloud in one cart, each on its own credit line', () => {
  let p: Portal;
  beforeAll(async () => (p = await startPortal()));
  afterAll(() => p?.close());

  async function catalogWith(tag: string, opts: { cloudLimit?: string } = {}) {
    const reseller = await createReseller(p.t, {
      name: `Harbour IT ${tag}`,
      hardwareLimit: '20000.00',
      cloudLimit: opts.cloudLimit ?? '5000.00',
    });
    const laptop = await createProduct(p.t, {
      kind: 'HARDWARE',
      name: `Latitude 7450 laptop ${tag}`,
      vendor: 'Dell',
      prices: [{ currency: 'AUD', unitPrice: '1899.00' }],
      warrantyMonths: 36,
    });
    const m365 = await createProduct(p.t, {
      kind: 'CLOUD',
      name: `Microsoft 365 Business Premium ${tag}`,
      vendor: 'Microsoft',
      prices: [{ currency: 'AUD', unitPrice: '22.50' }],
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
    });
    const buyer = await p.t.user('buyer', reseller.id);
    return { reseller, laptop, m365, buyer };
  }

  async function addToCart(page: Page, tag: string, lines: Array<{ sku: string; quantity: number }>) {
    await page.getByLabel('Search', { exact: true }).fill(tag);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    for (const l of lines) {
      const row = page.locator(`tr[data-sku="${l.sku}"]`);
      await row.getByRole('spinbutton').fill(String(l.quantity));
      await row.getByRole('button', { name: /^Add / }).click();
      await page.getByRole('status').filter({ hasText: 'added to the cart' }).waitFor();
    }
  }

  it('orders hardware and cloud in one cart, seeing both credit lines and what the cart needs of each before checkout', async () => {
    const tag = uniq();
    const { reseller, laptop, m365, buyer } = await catalogWith(tag);
    const page = await p.newPage();
    await signIn(page, buyer.token);
    expect(new URL(page.url()).pathname).toBe('/');
    await openNav(page, 'Catalog');

    await addToCart(page, tag, [
      { sku: laptop.sku, quantity: 2 },
      { sku: m365.sku, quantity: 10 },
    ]);
    await shot(page, 'buyer-01-catalog');

    await openNav(page, 'Cart');
    const hardware = page.locator('[data-line="HARDWARE"]');
    const cloud = page.locator('[data-line="CLOUD"]');
    await hardware.getByText('This cart needs').waitFor();
    // 2 × 1,899.00 + 10 % tax; cloud: the first month of 10 seats at 22.50 + 10 % tax.
    expect(await hardware.textContent()).toContain('Available$20,000.00');
    expect(await hardware.textContent()).toContain('This cart needs$4,177.80');
    expect(await cloud.textContent()).toContain('Available$5,000.00');
    expect(await cloud.textContent()).toContain('This cart needs$247.50');
    await page.getByLabel('End customer').fill('Acme Dental Group');
    await page.getByLabel(/PO number/).fill(`PO-${tag}`);
    await shot(page, 'buyer-02-cart');

    await page.getByRole('button', { name: /^Place order/ }).click();
    await page.getByText(/Order ORD-\d{6,} placed\./).waitFor();
    const orderId = new URL(page.url()).pathname.split('/').pop()!;
    await page
      .locator('tr[data-line-kind="CLOUD"]')
      .getByRole('link', { name: /Subscription/ })
      .waitFor();
    await shot(page, 'buyer-03-order-placed');

    const order = (await p.t.http().get(`/api/v1/orders/${orderId}`).set(bearer(buyer.token)).expect(200)).body;
    expect(order.poNumber).toBe(`PO-${tag}`);
    expect(order.lines.map((l: { sku: string; creditLine: string; quantity: number }) => [l.sku, l.creditLine, l.quantity]).sort()).toEqual(
      [
        [laptop.sku, 'HARDWARE', 2],
        [m365.sku, 'CLOUD', 10],
      ].sort(),
    );
    expect(order.reserved).toEqual({ HARDWARE: '4177.80', CLOUD: '247.50' });
    const lines = (await p.t.http().get(`/api/v1/resellers/${reseller.id}/credit-lines`).set(bearer(buyer.token)).expect(200)).body.items;
    expect(Object.fromEntries(lines.map((l: { line: string; available: string }) => [l.line, l.available]))).toEqual({
      HARDWARE: '15822.20',
      CLOUD: '4752.50',
    });
    await openNav(page, 'Orders');
    await page.getByRole('row').filter({ hasText: 'Acme Dental Group' }).waitFor();
    await shot(page, 'buyer-07-orders');
    await openNav(page, 'Subscriptions');
    await page.getByRole('row').filter({ hasText: 'Acme Dental Group' }).waitFor();
    await shot(page, 'buyer-08-subscriptions');
    // The cart is empty after checkout.
    await openNav(page, 'Cart');
    await page.getByText('The cart is empty.').waitFor();
    expect(p.pageErrors).toEqual([]);
  });

  it('keeps back only the lines of the short credit line, says by how much, and orders the others (the split cart)', async () => {
    const tag = uniq();
    const { laptop, m365, buyer } = await catalogWith(tag, { cloudLimit: '100.00' });
    const page = await p.newPage();
    await signIn(page, buyer.token);
    await openNav(page, 'Catalog');
    await addToCart(page, tag, [
      { sku: laptop.sku, quantity: 1 },
      { sku: m365.sku, quantity: 5 },
    ]);
    await openNav(page, 'Cart');
    const cloud = page.locator('[data-line="CLOUD"]');
    await cloud.getByText(/Short by/).waitFor();
    expect(await cloud.textContent()).toContain('Short by $23.75');
    const split = page.getByTestId('split-cart');
    expect(await split.textContent()).toContain('The cloud credit line is short by $23.75.');
    expect(await page.locator(`tr[data-sku="${m365.sku}"]`).getAttribute('data-held')).toBe('yes');
    expect(await page.locator(`tr[data-sku="${laptop.sku}"]`).getAttribute('data-held')).toBeNull();
    await page.getByLabel('End customer').fill('Short Cloud Pty Ltd');
    await shot(page, 'buyer-04-cloud-credit-short');
    await page.getByRole('button', { name: /^Place order without the held lines · \$2,088\.90$/ }).click();
    await page.getByText(/Order ORD-\d{6,} placed\..*1 held line\(s\) stay in your cart\./).waitFor();

    const orders = (await p.t.http().get('/api/v1/orders').set(bearer(buyer.token)).expect(200)).body;
    expect(orders.total).toBe(1);
    expect(orders.items[0].lines.map((l: { sku: string }) => l.sku)).toEqual([laptop.sku]);
    // The cloud line waits in the cart.
    await openNav(page, 'Cart');
    await page.locator(`tr[data-sku="${m365.sku}"]`).waitFor();
    expect(await page.locator('tr[data-sku]').count()).toBe(1);
    expect(p.pageErrors).toEqual([]);
  });

  it('changes the seats of a cloud subscription, showing the prorated amount, then cancels it at term end', async () => {
    const tag = uniq();
    const { m365, buyer } = await catalogWith(tag);
    const placed = await p.t
      .http()
      .post('/api/v1/orders')
      .set(bearer(buyer.token))
      .send({ endCustomer: { name: 'Seaside Physio' }, lines: [{ sku: m365.sku, quantity: 10 }] })
      .expect(201);
    const subscriptionId = placed.body.lines[0].subscriptionId as string;

    const page = await p.newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, buyer.token);
    await openNav(page, 'Subscriptions');
    await page.getByRole('link', { name: m365.sku }).click();
    await page.getByRole('heading', { name: `${m365.sku} for Seaside Physio` }).waitFor();

    await page.getByLabel('New seat count').fill('12');
    await page.getByRole('button', { name: 'Change seats' }).click();
    const prorated = page.getByTestId('prorated-amount');
    await prorated.waitFor();
    // +2 seats from the first day of a monthly period: the whole month, 2 × 22.50.
    expect(await prorated.textContent()).toContain('Prorated charge for the rest of the billing period: $45.00');
    const sub = (await p.t.http().get(`/api/v1/subscriptions/${subscriptionId}`).set(bearer(buyer.token)).expect(200)).body;
    expect(sub.quantity).toBe(12);
    expect(sub.charges.filter((c: { kind: string }) => c.kind === 'PRORATION').map((c: { amount: string }) => c.amount)).toEqual(['45.00']);
    await shot(page, 'buyer-05-subscription-seats-changed');

    await page.getByRole('button', { name: 'Cancel subscription' }).click();
    await page.getByText('The subscription will end at the end of its term.').waitFor();
    await page.getByText('Ends at term end').waitFor();
    await shot(page, 'buyer-06-subscription-cancelled-at-term-end');
    const after = (await p.t.http().get(`/api/v1/subscriptions/${subscriptionId}`).set(bearer(buyer.token)).expect(200)).body;
    expect(after).toMatchObject({ status: 'CANCELLED', cancelAtTermEnd: true, autoRenew: false });
    expect(p.pageErrors).toEqual([]);
  });
});
