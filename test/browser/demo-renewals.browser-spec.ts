import { seedDemoData } from '../../apps/api/src/seed/demo-seed';
import { runStartupRenewalScan } from '../../apps/api/src/seed/startup-scan';
import type { OwnDatabase } from '../support/own-database';
import type * as PortalSupport from './support/portal';

/**
 * Story: the first look of a sales user at a fresh demo. On a database of its own (the demo seed
 * loads only into an empty one), loaded and scanned as `npm start` does (seed, then the start-up
 * renewal scan); the harbour sales user sees a populated pipeline, filters it, wins a renewal
 * straight from OPEN, and the open pipeline value drops by exactly that renewal's value.
 */
describe('Sales: a fresh demo shows a working renewal pipeline', () => {
  const sharedUrl = process.env.DATABASE_URL!;
  let db: OwnDatabase;
  let support: typeof PortalSupport;
  let p: PortalSupport.Portal;
  let salesToken: string;

  beforeAll(async () => {
    db = await (await import('../support/own-database.js')).createOwnDatabase('demo_browser');
    process.env.DATABASE_URL = db.url;
    // Imported only now: the app reads DATABASE_URL when its module is first loaded.
    support = await import('./support/portal.js');
    p = await support.startPortal();
    const seeded = await seedDemoData(p.t.app);
    expect(seeded.created).toBe(true);
    // Demo tokens are random per database: the seed's result is the one place they are known.
    salesToken = seeded.tokens.find((x) => x.email === 'sales@harbour.demo')!.token;
    const said: string[] = [];
    await runStartupRenewalScan(p.t.app, (l) => said.push(l));
    expect(said[0]).toMatch(/9 alert\(s\) raised/);
  });
  afterAll(async () => {
    await p?.close();
    process.env.DATABASE_URL = sharedUrl;
    await db?.drop();
  });

  it('shows one card per renewal by threshold, filters by status, and wins a renewal from OPEN: the open value drops by its value', async () => {
    const { openNav, shot, signIn } = support;
    const page = await p.newPage();
    page.on('dialog', (d) => void d.accept());
    await signIn(page, salesToken);
    await openNav(page, 'Renewal pipeline');
    await page.getByRole('heading', { name: 'Renewal pipeline', level: 1 }).waitFor();

    const column = (t: number) => page.locator(`[data-threshold="${t}"]`);
    const statusValue = (label: string) => page.locator('table.compact tbody tr', { hasText: label }).locator('td').last();
    await column(30).getByText('Manly Physiotherapy').waitFor();
    await column(60).getByText('Parramatta Legal').waitFor();
    await column(60).getByText('Chatswood Medical Centre').waitFor();
    await column(90).getByText('Bondi Dental Group').waitFor();
    await column(90).getByText('Surry Hills Creative').waitFor();
    // The month-to-month subscription (Coogee Cafe Co, Microsoft seats on the NCE-like pack) raises no
    // threshold alert, only a window reminder while its 7-day window is open; the annual ones show their closed window.
    const reminder = column(0).locator('.alert-card', { hasText: 'Coogee Cafe Co' });
    expect(await page.locator('#col-0').textContent()).toBe('Window reminders');
    expect(await reminder.getByTestId('window-clock').textContent()).toMatch(/^Window closes in 6d (2[0-3]|1\d)h$/);
    expect(await reminder.getByTestId('auto-renew').textContent()).toBe('Auto-renew on');
    expect(await column(0).locator('.column-total').textContent()).toBe('1 alert · $136.20');
    const manly = column(30).locator('.alert-card', { hasText: 'Manly Physiotherapy' });
    expect(await manly.getByTestId('window-clock').textContent()).toMatch(/^Window closed \d{1,2} [A-Z][a-z]{2}( \d{4})?$/);
    expect(await column(90).locator('.alert-card', { hasText: 'Bondi Dental Group' }).getByTestId('window-clock').count()).toBe(0); // Adobe: no commitment
    expect(await column(30).locator('.column-total').textContent()).toBe('1 alert · $6,534.00');
    expect(await column(60).locator('.column-total').textContent()).toBe('2 alerts · $6,632.00');
    expect(await column(90).locator('.column-total').textContent()).toBe('3 alerts · $22,625.04');
    expect(await statusValue('Open').textContent()).toBe('$35,927.24');
    await shot(page, 'demo-01-fresh-pipeline');

    // Filter by status: with everything shown nothing changes yet (all open); back to the open ones.
    await page.getByLabel(/All, including won/).check();
    await column(90).getByText('Bondi Dental Group').waitFor();
    expect(await column(90).locator('.column-total').textContent()).toBe('3 alerts · $22,625.04');
    await page.getByLabel(/Open and contacted/).check();

    // The 30-day renewal, won straight from OPEN.
    await column(30)
      .getByRole('link', { name: /Manly Physiotherapy/ })
      .click();
    await page.getByRole('heading', { name: 'Renewal: Manly Physiotherapy' }).waitFor();
    expect(await page.getByTestId('alert-status').textContent()).toBe('Open');
    await page.getByLabel('Add a note').fill('Renewed for another year on the phone.');
    await page.getByRole('button', { name: 'Mark won' }).click();
    await page.getByText('Status changed to won.').waitFor();
    expect(await page.getByTestId('alert-status').textContent()).toBe('Won');

    // The open pipeline drops by exactly that renewal's value (36.30 × 12 × 15 = 6,534.00).
    await page.getByRole('link', { name: 'Back to the pipeline' }).click();
    await column(60).getByText('Parramatta Legal').waitFor();
    await page.waitForLoadState('networkidle');
    expect(await column(30).locator('.column-total').textContent()).toBe('0 alerts');
    expect(await statusValue('Open').textContent()).toBe('$29,393.24');
    expect(await statusValue('Won').textContent()).toBe('$6,534.00');
    // The status filter shows the won card again with everything.
    await page.getByLabel(/All, including won/).check();
    await column(30).getByText('Manly Physiotherapy').waitFor();
    expect(await column(30).locator('.status').first().textContent()).toBe('Won');
    await shot(page, 'demo-02-pipeline-after-won');

    const pipeline = (
      await p.t
        .http()
        .get('/api/v1/renewal-alerts/pipeline')
        .set({ Authorization: `Bearer ${salesToken}` })
        .expect(200)
    ).body;
    const open = pipeline.byStatus.find((b: { status: string }) => b.status === 'OPEN');
    expect(open).toEqual({ status: 'OPEN', currency: 'AUD', count: 6, value: '29393.24' });
    expect(p.pageErrors).toEqual([]);
  });
});
