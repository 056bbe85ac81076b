import { readFileSync } from 'fs';
import { createProduct, createReseller, uniq } from '../factories/commerce';
import { ADMIN_TOKEN, bearer } from '../support/app';
import { openNav, Portal, shot, signIn, startPortal } from './support/portal';

/**
 * Story: distributor finance runs billing, watches its progress and sees the ledger `reconciled`;
 * then reads the invoice, trial balance, reconciliation, AR aging, margin and credit lines on hold; the
 * reseller's finance user downloads the invoice PDF and is told card payments are not configured.
 */
describe('Finance: a billing run, reconciled, and the books behind it', () => {
  let p: Portal;
  beforeAll(async () => (p = await startPortal()));
  afterAll(() => p?.close());

  it('runs billing, follows its progress to completed, sees reconciled, and reads the consolidated invoice and reports', async () => {
    const tag = uniq();
    const today = new Date().toISOString().slice(0, 10);
    const reseller = await createReseller(p.t, {
      name: `Southern Cross IT ${tag}`,
      hardwareLimit: '50000.00',
      cloudLimit: '20000.00',
    });
    const held = await createReseller(p.t, { name: `Held Back Pty ${tag}` });
    const server = await createProduct(p.t, {
      kind: 'HARDWARE',
      name: `PowerEdge R760 ${tag}`,
      vendor: 'Dell',
      prices: [{ currency: 'AUD', unitPrice: '8450.00' }],
      warrantyMonths: 36,
    });
    const backup = await createProduct(p.t, {
      kind: 'CLOUD',
      name: `Veeam Data Cloud ${tag}`,
      vendor: 'Veeam',
      prices: [{ currency: 'AUD', unitPrice: '12.00' }],
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
    });
    const buyer = await p.t.user('buyer', reseller.id);
    const order = await p.t
      .http()
      .post('/api/v1/orders')
      .set(bearer(buyer.token))
      .send({
        endCustomer: { name: 'Harbourside Clinic' },
        lines: [
          { sku: server.sku, quantity: 2 },
          { sku: backup.sku, quantity: 25 },
        ],
      })
      .expect(201);
    const hwLine = order.body.lines.find((l: { kind: string }) => l.kind === 'HARDWARE');
    await p.t
      .http()
      .post(`/api/v1/orders/${order.body.id}/lines/${hwLine.id}/ship`)
      .set(bearer(ADMIN_TOKEN))
      .send({ shippedOn: today, serialNumbers: [`SN-${tag}-1`, `SN-${tag}-2`] })
      .expect(200);
    await p.t.http().put(`/api/v1/resellers/${held.id}/credit-lines/HARDWARE`).set(bearer(ADMIN_TOKEN)).send({ onHold: true }).expect(200);
    const finance = await p.t.user('finance');

    const page = await p.newPage();
    await signIn(page, finance.token);
    await openNav(page, 'Billing runs');
    await page.getByRole('heading', { name: 'Billing runs', level: 1 }).waitFor();
    await page.getByLabel('Bill everything up to').fill(today);
    await page.getByRole('button', { name: 'Run billing' }).click();
    const run = page.getByTestId('current-run');
    await run.locator('[data-run-status="COMPLETED"]').waitFor({ timeout: 60_000 });
    await run.getByTestId('reconciled').waitFor();
    expect(await run.getByTestId('reconciled').textContent()).toContain('Reconciled');
    expect(await run.locator('progress').getAttribute('value')).toBe('100');
    expect(await run.locator('.run-progress-head').textContent()).toMatch(/[1-9]\d* of [1-9]\d* resellers · [1-9]\d* invoices? issued/);
    await shot(page, 'finance-01-billing-run-reconciled');

    // The reseller's consolidated invoice: hardware and cloud lines together.
    await openNav(page, 'Invoices');
    await page.getByLabel('Reseller').selectOption({ label: reseller.name });
    const row = page.getByRole('row').filter({ hasText: reseller.name });
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    await shot(page, 'finance-02a-invoices');
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: /^Invoice INV-\d{4}-\d{6}$/ }).waitFor();
    // 2 × 8,450.00 + 10 % = 18,590.00 hardware; 25 × 12.00 + 10 % = 330.00 cloud (the first month).
    const totals = page.locator('tfoot');
    expect(await totals.getByRole('row', { name: /Hardware subtotal/ }).textContent()).toContain('$18,590.00');
    expect(await totals.getByRole('row', { name: /Cloud subtotal/ }).textContent()).toContain('$330.00');
    expect(await totals.getByRole('row', { name: /^Total/ }).textContent()).toContain('$18,920.00');
    await shot(page, 'finance-02-consolidated-invoice');
    const invoiceId = new URL(page.url()).pathname.split('/').pop()!;

    await openNav(page, 'Reconciliation');
    await page.getByTestId('reconciled').waitFor();
    expect(await page.locator('[data-difference="yes"]').count()).toBe(0);
    await shot(page, 'finance-03-reconciliation');

    await openNav(page, 'Trial balance');
    await page.getByText('Debits equal credits.').waitFor();
    expect(await page.getByRole('row', { name: /1100 Accounts receivable — hardware/ }).textContent()).toMatch(/\$[\d,]+\.\d\d/);
    await shot(page, 'finance-04-trial-balance');

    await openNav(page, 'AR aging');
    const aging = page.getByRole('row').filter({ hasText: reseller.name });
    await aging.first().waitFor();
    expect(await aging.filter({ hasText: 'Hardware' }).textContent()).toContain('$18,590.00');
    expect(await aging.filter({ hasText: 'Cloud' }).textContent()).toContain('$330.00');
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await shot(page, 'finance-05-ar-aging');

    // Gross margin by reseller: the two servers were revenue when shipped today, at their 70 % cost.
    await openNav(page, 'Margin');
    await page.getByLabel('By', { exact: true }).selectOption('reseller');
    await page.getByRole('button', { name: 'Show' }).click();
    const margin = page.getByRole('row').filter({ hasText: reseller.name });
    await margin.first().waitFor();
    expect(await margin.first().textContent()).toMatch(/\$16,900\.00.*\$11,830\.00.*\$5,070\.00.*30\.00%/);
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await shot(page, 'finance-05b-margin');

    await openNav(page, 'Credit lines');
    await page.getByLabel('Only lines on hold').check();
    const heldRow = page.getByRole('row').filter({ hasText: held.name });
    await heldRow.waitFor();
    expect(await heldRow.getAttribute('class')).toBe('row-danger');
    expect(await heldRow.textContent()).toContain('On hold');
    await shot(page, 'finance-06-credit-lines-on-hold');
    expect(p.pageErrors).toEqual([]);

    // The reseller's finance user: the same invoice, its PDF, and no card payments without Stripe keys.
    const resellerFinance = await p.t.user('reseller_finance', reseller.id);
    const rf = await p.newPage();
    await signIn(rf, resellerFinance.token);
    await openNav(rf, 'Invoices');
    await rf.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor();
    await rf.getByRole('link', { name: /^INV-/ }).first().click();
    await rf.getByTestId('card-not-configured').waitFor();
    expect(await rf.getByTestId('card-not-configured').textContent()).toContain('Card payments are not configured.');
    expect(new URL(rf.url()).pathname).toBe(`/invoices/${invoiceId}`);
    const [pdf] = await Promise.all([rf.waitForEvent('download'), rf.getByRole('button', { name: 'Download PDF' }).click()]);
    expect(pdf.suggestedFilename()).toMatch(/^INV-\d{4}-\d{6}\.pdf$/);
    expect(
      readFileSync((await pdf.path())!)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    await shot(rf, 'reseller-finance-01-invoice');
    expect(p.pageErrors).toEqual([]);
  });
  it('highlights a difference when the AR control account and the open invoices disagree, until a correcting entry posts', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const reseller = await createReseller(p.t, { name: `Mismatch Traders ${uniq()}` });
    const finance = await p.t.user('finance');
    // A posting to 1100 for the reseller with no invoice behind it. Manual entries to control
    // accounts are refused (docs/money-integrity.md), so it is written below the API, as a faulty
    // integration with database access would.
    const post = (ar: 'debit' | 'credit') =>
      p.t.db.query(
        `WITH e AS (INSERT INTO journal_entries (entry_date, memo, source_type, source_id)
                    VALUES ($1, 'Mistaken AR posting', 'integration', gen_random_uuid()::text) RETURNING id)
         INSERT INTO journal_lines (entry_id, line_no, account_code, reseller_id, currency, debit, credit, base_debit, base_credit, entry_date)
         SELECT e.id, l.n, l.code, l.reseller_id, 'AUD', l.debit, l.credit, l.debit, l.credit, $1
           FROM e, (VALUES (1, '1100', $2::uuid, $3::numeric, $4::numeric), (2, '4000', NULL::uuid, $4, $3)) AS l(n, code, reseller_id, debit, credit)`,
        [today, reseller.id, ar === 'debit' ? 125 : 0, ar === 'debit' ? 0 : 125],
      );
    await post('debit');

    const page = await p.newPage();
    await signIn(page, finance.token);
    await openNav(page, 'Reconciliation');
    await page.getByTestId('not-reconciled').waitFor();
    const differences = page.locator('.card-danger').filter({ has: page.getByRole('heading', { name: 'Differences' }) });
    const diffRow = differences.locator('tr[data-difference="yes"]');
    expect(await diffRow.count()).toBe(1);
    // Reseller names arrive with the reseller list, just after the reconciliation.
    await diffRow.filter({ hasText: reseller.name }).waitFor();
    expect(await diffRow.locator('td.diff').textContent()).toBe('$125.00');
    await shot(page, 'finance-07-reconciliation-difference');

    await post('credit');
    await page.getByRole('button', { name: 'Reconcile' }).click();
    await page.getByTestId('reconciled').waitFor();
    expect(p.pageErrors).toEqual([]);
  });
});
