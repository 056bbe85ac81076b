import { readFileSync } from 'fs';
import { createReseller, uniq } from '../factories/commerce';
import { ADMIN_TOKEN, bearer } from '../support/app';
import { consumptionCatalog, consumptionSubscription, UsageLine, usageCsv } from '../support/usage';
import { openNav, Portal, shot, signIn, startPortal } from './support/portal';

/**
 * Story (docs/consumption.md): distributor finance uploads a vendor's usage file, follows it to its
 * counts and the rejected line (downloaded as CSV), reconciles the vendor's invoice file, finds the
 * one difference and accepts it as the bill; the reseller's finance user sees the subscription's
 * month to date, run-rate forecast over its budget, and the forecast alert.
 */
describe('Cloud usage: import, reconcile, forecast', () => {
  let p: Portal;
  beforeAll(async () => (p = await startPortal()));
  afterAll(() => p?.close());

  it('imports usage with a rejected line, reconciles the vendor invoice, and shows the forecast over budget', async () => {
    p.t.clock.set('2026-11-21');
    const tag = uniq();
    const admin = `Bearer ${ADMIN_TOKEN}`;
    const cat = await consumptionCatalog(p.t, admin, tag);
    const reseller = await createReseller(p.t, { name: `Cumulus Partners ${tag}`, cloudLimit: '100000.00' });
    const tenant = `TEN-${tag}`;
    const sub = await consumptionSubscription(p.t, admin, reseller.id, cat.sku, tenant);
    await p.t
      .http()
      .put(`/api/v1/consumption-subscriptions/${sub.id}/budget`)
      .set(bearer(ADMIN_TOKEN))
      .send({ monthlyAmount: '50.00' })
      .expect(200);
    // 20 days of 24 VM hours (2.40 a day at 0.10): 48.00 to date, 72.00 forecast for November.
    const lines: UsageLine[] = Array.from({ length: 20 }, (_, i) => {
      const d = `2026-11-${String(i + 1).padStart(2, '0')}`;
      return {
        recordId: `${tenant}-${d}`,
        tenantId: tenant,
        meterId: cat.vm,
        usageDate: d,
        quantity: '24',
        unit: 'hour',
      };
    });
    lines.push({
      recordId: `${tenant}-stray`,
      tenantId: 'NO-SUCH-TENANT',
      meterId: cat.vm,
      usageDate: '2026-11-02',
      quantity: '1',
    });
    const finance = await p.t.user('finance');

    const page = await p.newPage();
    await signIn(page, finance.token);
    await openNav(page, 'Usage imports');
    await page.getByLabel('Vendor', { exact: true }).selectOption({ label: cat.vendor.name });
    await page
      .getByLabel('Usage file', { exact: true })
      .setInputFiles({ name: 'daily-usage.csv', mimeType: 'text/csv', buffer: Buffer.from(usageCsv(lines)) });
    await page.getByRole('button', { name: 'Import' }).click();
    const result = page.getByTestId('usage-import-result');
    await result.waitFor();
    await result.getByText('COMPLETED', { exact: false }).first().waitFor();
    await result.getByRole('cell', { name: 'unknown-tenant' }).waitFor();
    expect(await result.locator('.stat').allTextContents()).toEqual([
      'Lines read21',
      'Imported20',
      'Corrections0',
      'Already imported0',
      'Rejected1',
    ]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      result.getByRole('button', { name: 'Download rejected lines (CSV)' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toBe('line,recordId,reason,detail');
    expect(csv).toContain(`22,${tenant}-stray,unknown-tenant`);
    await shot(page, 'cloud-01-usage-import');

    await openNav(page, 'Vendor reconciliation');
    await page.getByLabel('Vendor', { exact: true }).selectOption({ label: cat.vendor.name });
    await page.getByLabel('Month invoiced', { exact: true }).fill('2026-11');
    // Accrued: 480 h × 0.07 = 33.60; the vendor bills 34.10.
    const invoice = `Tenant,MeterOrSku,Quantity,Cost\n${tenant},${cat.vm},480,34.10\n`;
    await page
      .getByLabel('Invoice file (CSV)', { exact: true })
      .setInputFiles({ name: 'vendor-november.csv', mimeType: 'text/csv', buffer: Buffer.from(invoice) });
    await page.getByRole('button', { name: 'Reconcile' }).click();
    const recon = page.getByTestId('vendor-reconciliation');
    await recon.getByRole('cell', { name: 'Price differs' }).waitFor();
    expect(await recon.locator('.stat').allTextContents()).toEqual([
      'Vendor invoice$34.10',
      'Accrued in Disty$33.60',
      'Difference+$0.50',
      'Differences1',
    ]);
    await shot(page, 'cloud-02-vendor-reconciliation');
    await recon.getByLabel('Vendor invoice number', { exact: true }).fill(`VEND-${tag}`);
    await recon.getByLabel('Bill date', { exact: true }).fill('2026-11-21');
    await recon.getByLabel('Input tax %', { exact: true }).fill('10');
    await recon.getByRole('button', { name: 'Accept and record the bill' }).click();
    await recon.getByText('Accepted: the vendor bill is recorded').waitFor();

    const rfinance = await p.t.user('reseller_finance', reseller.id);
    const rpage = await p.newPage();
    await signIn(rpage, rfinance.token);
    await openNav(rpage, 'Cloud usage');
    await rpage.getByLabel('Month', { exact: true }).fill('2026-11');
    const summary = rpage.getByTestId('usage-summary');
    await summary.getByText('At this rate the month comes to').waitFor();
    expect(await summary.locator('.stat').allTextContents()).toEqual([
      'Month to date$48.00',
      'Forecast (20 of 30 days)$72.00',
      'Budget$50.00',
    ]);
    await rpage.getByText('forecast $72.00 against $50.00', { exact: false }).waitFor();
    await shot(rpage, 'cloud-03-usage-forecast');
    expect(p.pageErrors).toEqual([]);
  });
});
