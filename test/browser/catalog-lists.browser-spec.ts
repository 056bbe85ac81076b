import { parse } from 'csv-parse/sync';
import { readFileSync } from 'fs';
import { createProduct, createReseller, uniq } from '../factories/commerce';
import { openNav, Portal, shot, signIn, startPortal } from './support/portal';

/**
 * Story: a buyer finds products by typing (no button), narrows them by vendor and kind, sorts by
 * price, exports the list as CSV (the rows shown, amounts unformatted), is told why a quantity is
 * refused, and on a 390 px phone still sees each product's price and Add button (docs/portal-ux.md).
 */
describe('Catalog: search as you type, filters, sorting, CSV, phone', () => {
  let p: Portal;
  beforeAll(async () => (p = await startPortal()));
  afterAll(() => p?.close());

  it('searches as the buyer types, filters by vendor and kind, sorts by price and exports what it lists', async () => {
    const tag = uniq();
    const reseller = await createReseller(p.t, { name: `Lists Pty ${tag}` });
    const buyer = await p.t.user('buyer', reseller.id);
    const vendor = `Ubiquiti${tag}`;
    await createProduct(p.t, {
      vendor,
      name: `Switch ${tag} Pro`,
      prices: [{ currency: 'AUD', unitPrice: '899.00' }],
    });
    await createProduct(p.t, {
      vendor,
      name: `Switch ${tag} Lite`,
      prices: [{ currency: 'AUD', unitPrice: '129.50' }],
    });
    await createProduct(p.t, {
      vendor,
      name: `=HYPERLINK ${tag} Cloud Key`,
      kind: 'CLOUD',
      prices: [{ currency: 'AUD', unitPrice: '15.00' }],
    });
    await createProduct(p.t, {
      vendor: `Other${tag}`,
      name: `Switch ${tag} Other`,
      prices: [{ currency: 'AUD', unitPrice: '5.00' }],
    });

    const page = await p.newPage();
    await signIn(page, buyer.token);
    // A buyer lands on the home page; the catalog is one link away.
    await openNav(page, 'Catalog');
    await page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
    const rows = page.getByRole('region', { name: 'Products' }).locator('tbody tr');

    // Typing alone searches (debounced): no Search button pressed.
    await page.getByRole('searchbox', { name: 'Search' }).pressSequentially(`Switch ${tag}`);
    await page.getByText('3 products match').waitFor();
    expect(await rows.count()).toBe(3);

    await page.getByLabel('Vendor').selectOption(vendor);
    await page.getByText('2 products match').waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await page.getByText('3 products match').waitFor();
    await page.getByLabel('Kind').selectOption('HARDWARE');
    await page.getByText('2 products match').waitFor();
    await page.getByLabel('Kind').selectOption('');
    await page.getByText('3 products match').waitFor();

    // Sort by unit price, cheapest first, then dearest first; the header says which way.
    const priceHeader = page.getByRole('columnheader', { name: /Unit price/ });
    expect(await priceHeader.getAttribute('aria-sort')).toBe('none');
    await priceHeader.getByRole('button').click();
    // Locators, not waitForFunction: its string predicates are evaluated in the page, which the
    // portal's Content-Security-Policy (no 'unsafe-eval') refuses.
    await page.locator('th[aria-sort="ascending"]').waitFor();
    const prices = () =>
      page
        .locator('tbody td.num .money')
        .evaluateAll((els) =>
          els.map((e) => (e as unknown as { getAttribute(name: string): string | null }).getAttribute('data-amount') ?? ''),
        );
    const pricesBecome = async (expected: string) => {
      for (let i = 0; i < 200 && (await prices()).join() !== expected; i++) await page.waitForTimeout(100);
      expect((await prices()).join()).toBe(expected);
    };
    await pricesBecome('15.00,129.50,899.00');
    await priceHeader.getByRole('button').click();
    await pricesBecome('899.00,129.50,15.00');
    expect(await priceHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await prices()).toEqual(['899.00', '129.50', '15.00']);
    await shot(page, 'catalog-01-filtered-sorted');

    // CSV of the rows as listed: header, three rows in the shown order, amounts unformatted, no control column.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV of products' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^catalog-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const records: string[][] = parse(csv);
    expect(records[0]).toEqual(['Product', 'Vendor', 'Kind', 'Terms', 'Unit price (AUD)']);
    expect(records.slice(1).map((r) => r[4])).toEqual(['899.00 AUD', '129.50 AUD', '15.00 AUD']);
    expect(records.slice(1).map((r) => r[1])).toEqual([vendor, vendor, vendor]);
    // A cell that a spreadsheet would run as a formula is defused.
    expect(records[3][0]).toMatch(new RegExp(`^'=HYPERLINK ${tag} Cloud Key \\(CL-`));

    // A quantity that is not a whole number from 1 says why, beside the field; nothing is added.
    const first = rows.first();
    const qty = first.getByRole('spinbutton');
    await qty.fill('0');
    await first.getByRole('button', { name: /^Add / }).click();
    await first.getByText('The quantity must be at least 1.').waitFor();
    expect(await qty.getAttribute('aria-invalid')).toBe('true');
    await qty.fill('12');
    expect(await qty.getAttribute('aria-invalid')).toBeNull();
    await first.getByRole('button', { name: /^Add / }).click();
    await page.getByRole('status').filter({ hasText: '12 × ' }).waitFor();

    // An empty result says what to do next, and its button clears the filters.
    await page.getByRole('searchbox', { name: 'Search' }).fill(`nothing-like-this-${tag}`);
    await page.getByText('No products match these filters.').waitFor();
    await page.getByRole('button', { name: 'clear the filters' }).click();
    await page.getByRole('region', { name: 'Products' }).waitFor();
    expect(await page.getByLabel('Vendor').inputValue()).toBe('');
    expect(p.pageErrors).toEqual([]);
  });

  it('on a 390 px phone shows each product as a card with its price and Add button on screen', async () => {
    const tag = uniq();
    const reseller = await createReseller(p.t, { name: `Phone Pty ${tag}` });
    const buyer = await p.t.user('buyer', reseller.id);
    await createProduct(p.t, {
      vendor: `Aruba${tag}`,
      name: `Access Point ${tag} with a rather long product name`,
      prices: [{ currency: 'AUD', unitPrice: '1234567.89' }],
    });
    const page = await p.newPage({ width: 390, height: 844 });
    // On a phone the navigation waits behind the Menu button: that button says we are in.
    await page.goto('/');
    await page.getByRole('button', { name: 'Use an API token' }).click();
    await page.getByLabel('API token').fill(buyer.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Menu' }).waitFor();
    await page.goto('/catalog');
    await page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill(tag);
    const row = page.getByRole('region', { name: 'Products' }).locator('tbody tr');
    await page.getByText('1 product matches').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    for (const el of [row.locator('.money'), row.getByRole('button', { name: /^Add / }), row.getByRole('spinbutton')]) {
      const box = (await el.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    // Each value is labelled by its column in the card.
    expect(await row.locator('td.num').getAttribute('data-label')).toBe('Unit price (AUD)');
    // The table region is reachable by keyboard.
    expect(await page.getByRole('region', { name: 'Products' }).getAttribute('tabindex')).toBe('0');
    await shot(page, 'catalog-02-phone-cards');
    expect(p.pageErrors).toEqual([]);
  });
});
