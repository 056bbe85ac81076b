import { readFileSync } from 'fs';
import { addDays } from '../../libs/core/src/clock/calendar-date';
import { createProduct, createReseller, uniq } from '../factories/commerce';
import { ADMIN_TOKEN, bearer } from '../support/app';
import { openNav, Portal, shot, signIn, startPortal } from './support/portal';

/**
 * Story: a reseller admin works the renewal desk (docs/renewal-desk.md): assigns two renewals at
 * once to the sales user, quotes a third renewal for more seats, downloads the quote's PDF and
 * accepts it; the quoted seats are scheduled at renewal. A distributor admin who picks another
 * reseller's sales user is told why nothing was assigned; the sales user takes a card itself.
 */
describe('Reseller admin: bulk assign and a renewal quote accepted into a change at renewal', () => {
  let p: Portal;
  beforeAll(async () => (p = await startPortal()));
  afterAll(() => p?.close());

  it('assigns two cards to the sales user in one go, quotes and accepts a renewal, and shows the scheduled change', async () => {
    const tag = uniq();
    const reseller = await createReseller(p.t, { name: `Desk Cloud ${tag}` });
    const product = await createProduct(p.t, {
      kind: 'CLOUD',
      name: `Microsoft 365 E3 ${tag}`,
      vendor: 'Microsoft',
      prices: [{ currency: 'AUD', unitPrice: '30.00' }],
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
    });
    // Seats under New-Commerce-style rules (docs/commitments.md).
    await p.t
      .http()
      .patch(`/api/v1/catalog/products/${product.sku}`)
      .set(bearer(ADMIN_TOKEN))
      .send({ commitmentPack: 'NCE_LIKE' })
      .expect(200);
    const buyer = await p.t.user('buyer', reseller.id);
    const sales = await p.t.user('sales', reseller.id);
    const admin = await p.t.user('reseller_admin', reseller.id);
    const salesEmail = (await p.t.http().get('/api/v1/me').set(bearer(sales.token)).expect(200)).body.email as string;
    const today = new Date().toISOString().slice(0, 10);

    const customers = [`Alpha Dental ${tag}`, `Bravo Legal ${tag}`, `Charlie Freight ${tag}`];
    const subs: Array<{ id: string; termEnd: string }> = [];
    for (const [i, name] of customers.entries()) {
      const res = await p.t
        .http()
        .post('/api/v1/orders')
        .set(bearer(buyer.token))
        .send({
          endCustomer: { name },
          lines: [{ sku: product.sku, quantity: 10 + i, startDate: addDays(today, 30 * i) }],
        })
        .expect(201);
      const sub = await p.t.http().get(`/api/v1/subscriptions/${res.body.lines[0].subscriptionId}`).set(bearer(buyer.token)).expect(200);
      subs.push({ id: sub.body.id, termEnd: sub.body.termEnd });
    }
    await p.t
      .http()
      .post('/api/v1/renewal-alerts/scan')
      .set(bearer(ADMIN_TOKEN))
      .send({ asOf: addDays(subs[0].termEnd, -20) })
      .expect(200);

    const page = await p.newPage();
    await signIn(page, admin.token);
    await openNav(page, 'Renewal pipeline');
    await page.getByRole('heading', { name: 'Renewal pipeline', level: 1 }).waitFor();
    const card = (name: string) => page.locator('.alert-card', { hasText: name });
    await card(customers[2]).waitFor();
    expect(await page.getByTestId('selected-count').textContent()).toBe('0 selected');

    // Select all visible, then keep two; assign them to the sales user.
    await page.getByLabel(/Select all visible/).check();
    expect(await page.getByTestId('selected-count').textContent()).toBe('3 selected');
    await page.getByLabel(`Select ${customers[2]} (${product.sku})`).uncheck();
    expect(await page.getByTestId('selected-count').textContent()).toBe('2 selected');
    await page.getByLabel('Assign to').selectOption({ label: salesEmail });
    await page.getByRole('button', { name: 'Assign selected' }).click();
    await page.getByText(`2 renewals assigned to ${salesEmail}.`).waitFor();
    await card(customers[0]).getByText(`Assignee: ${salesEmail}`).waitFor();
    expect(await card(customers[1]).getByTestId('assignee').textContent()).toBe(`Assignee: ${salesEmail}`);
    expect(await card(customers[2]).getByTestId('assignee').textContent()).toBe('Assignee: Unassigned');
    expect(await page.getByTestId('selected-count').textContent()).toBe('0 selected');
    const mine = (
      await p.t.http().get('/api/v1/renewal-alerts').query({ view: 'renewals', assigneeId: sales.id }).set(bearer(sales.token)).expect(200)
    ).body;
    expect(mine.items.map((c: { endCustomer: { name: string } }) => c.endCustomer.name).sort()).toEqual([customers[0], customers[1]]);
    await shot(page, 'desk-01-bulk-assigned');

    // Filters: the sales user's renewals (board and pipeline), then a search; "Clear" shows all again.
    const total = () => page.locator('table.compact tfoot tr').first().locator('td').first().textContent();
    await page.getByLabel('Assignee', { exact: true }).selectOption({ label: salesEmail });
    await card(customers[2]).waitFor({ state: 'detached' });
    expect(await card(customers[0]).count()).toBe(1);
    expect(await card(customers[1]).count()).toBe(1);
    await page.waitForLoadState('networkidle');
    expect(await total()).toBe('2');
    await page.getByRole('button', { name: 'Clear' }).click();
    await card(customers[2]).waitFor();
    await page.getByLabel('Search').fill(customers[2]);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await card(customers[0]).waitFor({ state: 'detached' });
    expect(await page.locator('.alert-card').count()).toBe(1);
    await page.getByRole('button', { name: 'Clear' }).click();
    await card(customers[0]).waitFor();
    expect(await page.locator('.alert-card').count()).toBe(3);

    // A renewal quote for the third customer, for 15 seats: 30.00 × 12 months × 15 = 5,400.00.
    await page.getByRole('button', { name: `Quote the renewal of ${customers[2]} (${product.sku})` }).click();
    await page.getByRole('heading', { name: `Renewal quote: ${customers[2]}` }).waitFor();
    await page.getByLabel('Quantity for the next term').fill('15');
    await page.getByRole('button', { name: 'Create quote' }).click();
    await page.getByTestId('quote').waitFor();
    const number = (await page.getByTestId('quote-number').textContent())!;
    expect(number).toMatch(/^Q-\d{4}-\d{6}$/);
    expect(await page.getByTestId('quote-status').textContent()).toBe('Open');
    expect(await page.getByTestId('quote-total').textContent()).toBe('$5,400.00');
    await page.locator('.quote-panel tbody tr', { hasText: product.sku }).getByText('$360.00').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download PDF' }).click()]);
    expect(download.suggestedFilename()).toBe(`${number}.pdf`);
    expect(
      readFileSync((await download.path())!)
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');

    await page.getByRole('button', { name: 'Accept quote' }).click();
    await page.getByTestId('quote-scheduled-change').waitFor();
    expect(await page.getByTestId('quote-status').textContent()).toBe('Accepted');
    expect(await page.getByTestId('quote-scheduled-change').textContent()).toContain('Scheduled at renewal: 15 seats');
    const changes = (await p.t.http().get(`/api/v1/subscriptions/${subs[2].id}/scheduled-changes`).set(bearer(admin.token)).expect(200))
      .body.items;
    expect(changes).toEqual([
      expect.objectContaining({
        status: 'PENDING',
        quantity: 15,
        effectiveDate: addDays(subs[2].termEnd, 1),
      }),
    ]);
    await shot(page, 'desk-02-quote-accepted');

    // Cards show the change at renewal (the accepted quote's, and one the buyer schedules for Bravo), auto-renew
    // and the window clock (a term starting in 60 days: its window runs 7 days from then).
    const charlie = card(customers[2]);
    await charlie.getByTestId('scheduled-change').waitFor();
    expect(await charlie.getByTestId('scheduled-change').textContent()).toBe('Scheduled at renewal: 15 seats');
    expect(await charlie.getByTestId('auto-renew').textContent()).toBe('Auto-renew on');
    expect(await charlie.getByTestId('window-clock').textContent()).toMatch(/^Window closes in 6[6-7]d \d{1,2}h$/);
    await p.t
      .http()
      .post(`/api/v1/subscriptions/${subs[1].id}/scheduled-changes`)
      .set(bearer(buyer.token))
      .send({ at: 'RENEWAL', quantity: 12, term: 'P1M' })
      .expect(201);
    await page.reload();
    await card(customers[1]).getByTestId('scheduled-change').waitFor();
    expect(await card(customers[1]).getByTestId('scheduled-change').textContent()).toBe('Scheduled at renewal: 12 seats, P1M');
    expect(await card(customers[0]).getByTestId('scheduled-change').count()).toBe(0);

    // A distributor admin picking another reseller's sales user: the API's reason is shown, nothing changes.
    const other = await createReseller(p.t, { name: `Other Cloud ${tag}` });
    const stranger = await p.t.user('sales', other.id);
    const strangerEmail = (await p.t.http().get('/api/v1/me').set(bearer(stranger.token)).expect(200)).body.email as string;
    const distributor = await p.newPage();
    await signIn(distributor, ADMIN_TOKEN);
    await openNav(distributor, 'Renewal pipeline');
    await distributor.getByLabel(`Select ${customers[2]} (${product.sku})`).check();
    await distributor.getByLabel('Assign to').selectOption({ label: strangerEmail });
    await distributor.getByRole('button', { name: 'Assign selected' }).click();
    const banner = distributor.getByRole('alert').filter({ hasText: 'The renewals were not assigned' });
    await banner.waitFor();
    expect(await banner.textContent()).toContain(`User ${stranger.id} is not a sales user of this reseller`);
    expect(await distributor.getByTestId('selected-count').textContent()).toBe('1 selected');
    const still = (
      await p.t.http().get('/api/v1/renewal-alerts').query({ view: 'renewals', q: customers[2] }).set(bearer(admin.token)).expect(200)
    ).body.items[0];
    expect(still.assigneeId).toBeNull();

    // The sales user cannot read the user list: it takes the card itself.
    const salesPage = await p.newPage();
    await signIn(salesPage, sales.token);
    await openNav(salesPage, 'Renewal pipeline');
    await salesPage.getByRole('heading', { name: 'Renewal pipeline', level: 1 }).waitFor();
    expect(await salesPage.getByLabel('Assign to').count()).toBe(0);
    await salesPage.getByLabel(`Select ${customers[2]} (${product.sku})`).check();
    await salesPage.getByRole('button', { name: 'Assign to me' }).click();
    await salesPage.getByText('1 renewal assigned to you.').waitFor();
    const salesCard = salesPage.locator('.alert-card', { hasText: customers[2] });
    await salesCard.getByText('Assignee: You').waitFor();
    expect(await salesCard.getByRole('button', { name: /^Quote the renewal/ }).count()).toBe(1);
    expect(p.pageErrors).toEqual([]);
  });
});
