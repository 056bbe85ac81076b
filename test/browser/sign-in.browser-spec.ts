import { createProduct, createReseller, uniq } from '../factories/commerce';
import { ADMIN_TOKEN } from '../support/app';
import { userWithPassword } from '../support/sign-in';
import { openNav, Portal, shot, signInWithPassword, startPortal } from './support/portal';

/** Stories of issue 20's sign-in and admin parts (docs/security.md §6–§11). */
describe('Sign-in like a product, and the admin’s credit limits', () => {
  let p: Portal;
  beforeAll(async () => (p = await startPortal()));
  afterAll(() => p?.close());

  it('signs in with email and password, and a second tab is still signed in; sign-out ends both', async () => {
    const reseller = await createReseller(p.t);
    const buyer = await userWithPassword(p.t, 'buyer', reseller.id);
    const page = await p.newPage();
    await page.goto('/');
    await page.getByLabel('Email').fill(buyer.email);
    await page.getByLabel('Password').fill('not the right password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The email, password or code is not right' }).waitFor();
    await shot(page, 'signin-01-refused');

    await signInWithPassword(page, buyer.email, buyer.password);
    // Every role starts on its home page (docs/portal.md, "Home").
    expect(new URL(page.url()).pathname).toBe('/');
    // No token in the tab: the session is the httpOnly cookie.
    expect(await page.evaluate("sessionStorage.getItem('disty.token')")).toBeNull();
    expect(await page.evaluate('document.cookie')).not.toContain('disty_session');

    const second = await page.context().newPage();
    await second.goto('/orders');
    await second.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    await second.getByText(buyer.email).waitFor();
    await shot(second, 'signin-02-second-tab');

    await second.getByRole('button', { name: 'Sign out' }).click();
    await second.getByLabel('Email').waitFor();
    await page.reload();
    await page.getByLabel('Email').waitFor(); // the session ended for every tab
    expect(p.pageErrors).toEqual([]);
  });

  it('sets a password from the link the admin got, with the reset page, and then signs in', async () => {
    const reseller = await createReseller(p.t);
    const email = `new.${uniq().toLowerCase()}@signin.example`;
    const created = await p.t
      .http()
      .post(`/api/v1/resellers/${reseller.id}/users`)
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ email, role: 'reseller_finance' })
      .expect(201);
    const link = new URL(created.body.setPasswordLink as string);
    const page = await p.newPage();
    await page.goto(`/set-password${link.hash}`);
    await page.getByLabel('New password', { exact: true }).fill('a long enough passphrase');
    await page.getByLabel('New password again').fill('a long enough passphrase');
    await shot(page, 'signin-03-set-password');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is set.').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signInWithPassword(page, email, 'a long enough passphrase');
    await openNav(page, 'My account');
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByLabel('Name').fill('ERP integration');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = await page.getByLabel('New API token').textContent();
    expect(shown).toMatch(/^dst_/);
    await shot(page, 'signin-04-account');
    await p.t.http().get('/api/v1/me').set('Authorization', `Bearer ${shown}`).expect(200);
    await page.getByRole('button', { name: 'Revoke ERP integration' }).click();
    await page.getByRole('cell', { name: 'Revoked' }).waitFor();
    await p.t.http().get('/api/v1/me').set('Authorization', `Bearer ${shown}`).expect(401);
    expect(p.pageErrors).toEqual([]);
  });

  it('the admin changes a limit with a reason; the history shows it and the buyer’s cart shows the new available amount', async () => {
    const tag = uniq();
    const reseller = await createReseller(p.t, {
      name: `Limits ${tag}`,
      hardwareLimit: '1000.00',
      cloudLimit: '500.00',
    });
    const laptop = await createProduct(p.t, {
      kind: 'HARDWARE',
      name: `Limit laptop ${tag}`,
      prices: [{ currency: 'AUD', unitPrice: '1500.00' }],
    });
    const admin = await userWithPassword(p.t, 'admin');
    const buyer = await userWithPassword(p.t, 'buyer', reseller.id);

    const buyerPage = await p.newPage();
    await signInWithPassword(buyerPage, buyer.email, buyer.password);
    await buyerPage.goto('/catalog');
    await buyerPage.getByLabel('Search', { exact: true }).fill(tag);
    await buyerPage.getByRole('button', { name: 'Search', exact: true }).click();
    const row = buyerPage.locator(`tr[data-sku="${laptop.sku}"]`);
    await row.getByRole('button', { name: /^Add / }).click();
    await buyerPage.getByRole('status').filter({ hasText: 'added to the cart' }).waitFor();
    await openNav(buyerPage, 'Cart');
    const hardware = buyerPage.locator('[data-line="HARDWARE"]');
    await hardware.getByText('This cart needs').waitFor();
    expect(await hardware.textContent()).toContain('Available$1,000.00');
    expect(await hardware.textContent()).toContain('Short by');

    const page = await p.newPage();
    await signInWithPassword(page, admin.email, admin.password);
    await page.goto(`/admin/credit-limits?reseller=${reseller.id}`);
    await page.getByRole('heading', { name: 'Hardware line' }).waitFor();
    await page.getByLabel('New limit (AUD)').first().fill('5000.00');
    const save = page.getByRole('button', { name: 'Change limit' }).first();
    expect(await save.isDisabled()).toBe(true); // no reason, no change
    await page.getByLabel('Reason (required)').first().fill(`Raised for the laptop refresh ${tag}`);
    await save.click();
    await page.getByText('Hardware limit changed.').waitFor();
    const history = page.getByRole('region', { name: 'Hardware limit history' });
    await history.getByText(`Raised for the laptop refresh ${tag}`).waitFor();
    expect(await history.textContent()).toContain(admin.email);
    expect(await history.textContent()).toContain('$1,000.00 → $5,000.00');
    await shot(page, 'admin-01-credit-limit-history');

    await buyerPage.reload();
    await buyerPage.locator('[data-line="HARDWARE"]').getByText('This cart needs').waitFor();
    expect(await buyerPage.locator('[data-line="HARDWARE"]').textContent()).toContain('Available$5,000.00');
    await shot(buyerPage, 'admin-02-buyer-cart-new-limit');
    expect(p.pageErrors).toEqual([]);
  });

  it('lets the admin create a reseller and a user of it, who gets a set-password link', async () => {
    const tag = uniq();
    const admin = await userWithPassword(p.t, 'admin');
    const page = await p.newPage();
    await signInWithPassword(page, admin.email, admin.password);
    await openNav(page, 'Resellers');
    await page.getByRole('button', { name: 'New reseller' }).click();
    await page.getByLabel('Legal name').fill(`Admin Made ${tag} Pty Ltd`);
    await page.getByLabel('Tax registration number').fill('51 824 753 556');
    await page.getByLabel('Hardware credit limit').fill('10000');
    await page.getByLabel('Cloud credit limit').fill('2000');
    await page.getByRole('button', { name: 'Create reseller' }).click();
    await page.getByText(`Admin Made ${tag} Pty Ltd created.`).waitFor();
    await shot(page, 'admin-03-resellers');
    await page
      .getByRole('row', { name: new RegExp(`Admin Made ${tag}`) })
      .getByRole('link', { name: 'Users' })
      .click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const email = `buyer.${tag.toLowerCase()}@admin.example`;
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Create user' }).click();
    const link = await page.getByLabel('Set-password link').textContent();
    expect(link).toMatch(/\/set-password#token=/);
    await page.getByRole('cell', { name: email, exact: true }).waitFor();
    await shot(page, 'admin-04-users');
    expect(p.pageErrors).toEqual([]);
  });
});
