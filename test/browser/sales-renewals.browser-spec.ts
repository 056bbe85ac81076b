import { readFileSync } from 'fs';
import { addDays } from '../../libs/core/src/clock/calendar-date';
import { createProduct, createReseller, uniq } from '../factories/commerce';
import { ADMIN_TOKEN, bearer } from '../support/app';
import { openNav, Portal, shot, signIn, startPortal } from './support/portal';

/** Story: a sales user works the renewal pipeline (board by threshold, chart, CSV) and moves an alert to WON. */
describe('Sales: the renewal pipeline, and an alert moved to WON', () => {
  let p: Portal;
  beforeAll(async () => (p = await startPortal()));
  afterAll(() => p?.close());

  it('shows the 90/60/30 board with value totals and a chart, and takes an alert through contacted to won with notes', async () => {
    const tag = uniq();
    const reseller = await createReseller(p.t, { name: `Northwind Cloud ${tag}` });
    const product = await createProduct(p.t, {
      kind: 'CLOUD',
      name: `Acronis Cyber Protect ${tag}`,
      vendor: 'Acronis',
      prices: [{ currency: 'AUD', unitPrice: '30.00' }],
      term: 'P1Y',
      billingFrequency: 'ANNUAL',
    });
    const buyer = await p.t.user('buyer', reseller.id);
    const sales = await p.t.user('sales', reseller.id);
    const today = new Date().toISOString().slice(0, 10);

    // Three subscriptions starting 0, 30 and 60 days from today, for three end customers.
    const customers = ['Bayside Dental', 'Crown Legal', 'Delta Freight'];
    const subs: Array<{ customer: string; termEnd: string }> = [];
    for (const [i, name] of customers.entries()) {
      const res = await p.t
        .http()
        .post('/api/v1/orders')
        .set(bearer(buyer.token))
        .send({
          endCustomer: { name },
          lines: [{ sku: product.sku, quantity: 5 + i, startDate: addDays(today, 30 * i) }],
        })
        .expect(201);
      const sub = await p.t.http().get(`/api/v1/subscriptions/${res.body.lines[0].subscriptionId}`).set(bearer(buyer.token)).expect(200);
      subs.push({ customer: name, termEnd: sub.body.termEnd });
    }
    // Scan as of 20 days before the first term ends: 20, about 50 and about 80 days left → the 30, 60 and 90-day alerts.
    const asOf = addDays(subs[0].termEnd, -20);
    const scan = await p.t.http().post('/api/v1/renewal-alerts/scan').set(bearer(ADMIN_TOKEN)).send({ asOf }).expect(200);
    expect(scan.body.raised).toBeGreaterThanOrEqual(3);

    const page = await p.newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, sales.token);
    await openNav(page, 'Renewal pipeline');
    await page.getByRole('heading', { name: 'Renewal pipeline', level: 1 }).waitFor();
    expect(page.url()).toMatch(/\/renewals$/);

    const column = (t: number) => page.locator(`[data-threshold="${t}"]`);
    await column(30).getByText('Bayside Dental').waitFor();
    await column(60).getByText('Crown Legal').waitFor();
    await column(90).getByText('Delta Freight').waitFor();
    // Renewal value = next term at the catalog price × seats: 30.00 × 12 × 5, × 6, × 7.
    expect(await column(30).locator('.column-total').textContent()).toBe('1 alert · $1,800.00');
    expect(await column(60).locator('.column-total').textContent()).toBe('1 alert · $2,160.00');
    expect(await column(90).locator('.column-total').textContent()).toBe('1 alert · $2,520.00');
    // The chart: one bar per threshold.
    await page.locator('.recharts-bar-rectangle').nth(2).waitFor();
    await shot(page, 'sales-01-renewal-pipeline');

    // The 30-day alert: contacted with a note, then won.
    await column(30)
      .getByRole('link', { name: /Bayside Dental/ })
      .click();
    await page.getByRole('heading', { name: 'Renewal: Bayside Dental' }).waitFor();
    await page.getByLabel('Add a note').fill('Called the practice manager; renewal approved pending PO.');
    await page.getByRole('button', { name: 'Mark contacted' }).click();
    await page.getByText('Status changed to contacted.').waitFor();
    expect(await page.getByTestId('alert-status').textContent()).toBe('Contacted');
    await page.getByLabel('Add a note').fill('PO received.');
    await page.getByRole('button', { name: 'Mark won' }).click();
    await page.getByText('Status changed to won.').waitFor();
    expect(await page.getByTestId('alert-status').textContent()).toBe('Won');
    await page.getByText('This alert is closed (won). You can still add notes.').waitFor();
    await shot(page, 'sales-02-alert-won');

    const alertId = new URL(page.url()).pathname.split('/').pop()!;
    const alert = (await p.t.http().get(`/api/v1/renewal-alerts/${alertId}`).set(bearer(sales.token)).expect(200)).body;
    expect(alert.status).toBe('WON');
    expect(alert.notes.map((n: { body: string }) => n.body)).toEqual([
      'Called the practice manager; renewal approved pending PO.',
      'PO received.',
    ]);

    // Back on the board the won alert leaves the open pipeline, and shows with everything.
    await page.getByRole('link', { name: 'Back to the pipeline' }).click();
    await column(60).getByText('Crown Legal').waitFor();
    expect(await column(30).locator('.column-total').textContent()).toBe('0 alerts');
    await page.getByLabel(/All, including won/).check();
    await column(30).getByText('Bayside Dental').waitFor();
    expect(await column(30).locator('.status').first().textContent()).toBe('Won');
    await shot(page, 'sales-03-pipeline-with-closed');

    // CSV download of the same alerts.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^renewal-alerts-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const [header, ...rows] = csv.trim().split(/\r?\n/);
    expect(header.split(',')).toEqual(expect.arrayContaining(['id', 'sku', 'threshold', 'renewalValue', 'status']));
    const won = rows.find((r) => r.startsWith(alertId));
    expect(won).toContain('WON');
    expect(won).toContain('1800.00');
    expect(p.pageErrors).toEqual([]);
  });
});
