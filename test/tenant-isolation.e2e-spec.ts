import type { TestApp } from './support/app';
import { tableChecksums } from './support/checksums';
import { createOwnDatabase } from './support/own-database';

/**
 * The tenant-isolation sweep: every operation of the OpenAPI document that takes an id is called
 * with reseller B's tokens of each role against reseller A's resources. The answer is 404 (or 403
 * where the role may not call it at all), never A's data, and nothing of A's changes. Every list
 * B may read holds none of A's rows. An operation added later with an id and no entry below
 * fails this test until it is covered.
 */
const B_ROLES = ['reseller_admin', 'buyer', 'sales', 'reseller_finance'] as const;
// Vendors and vendor bills are the distributor's own purchasing (finance/admin only; a reseller's role is 403, test/vendor-bills.e2e-spec.ts).
const NOT_TENANT_OWNED = [
  /^\/api\/v1\/catalog\/products\/\{sku\}$/,
  /^\/api\/v1\/catalog\/consumption-products\/\{sku\}$/,
  /^\/api\/v1\/ledger\/accounts\/\{code\}\/statement$/,
  /^\/api\/v1\/vendors\//,
  /^\/api\/v1\/vendor-bills\//,
  // Vendor invoice reconciliations are distributor finance's, like vendor bills (docs/consumption.md §9).
  /^\/api\/v1\/vendor-reconciliations\//,
  // Tax codes and rules are the distributor's reference data (admin-only writes), like the catalog.
  /^\/api\/v1\/tax-codes\/(rules\/\{id\}|\{code\})$/,
];

describe('Tenant isolation sweep', () => {
  let t: TestApp;
  let drop: () => Promise<void>;
  const A: Record<string, string> = {};
  const secrets: string[] = [];
  let doc: { paths: Record<string, Record<string, unknown>> };
  const b: Record<string, string> = {};

  beforeAll(async () => {
    const db = await createOwnDatabase('tenancy');
    drop = db.drop;
    process.env.DATABASE_URL = db.url;
    const { createTestApp, ADMIN_TOKEN } = await import('./support/app.js');
    const { createProduct, createReseller } = await import('./factories/commerce.js');
    t = await createTestApp();
    const admin = `Bearer ${ADMIN_TOKEN}`;
    const finance = (await t.user('finance')).auth;

    const a = await createReseller(t, { name: 'Tenant A Secret Pty Ltd' });
    const bR = await createReseller(t, { name: 'Tenant B Pty Ltd' });
    A.reseller = a.id;
    for (const role of B_ROLES) b[role] = (await t.user(role, bR.id)).auth;
    const aBuyer = await t.user('buyer', a.id);
    const aAdmin = await t.user('reseller_admin', a.id);
    const aSales = await t.user('sales', a.id);
    A.salesUser = aSales.id;

    const hw = await createProduct(t, { warrantyMonths: 12 });
    const cl = await createProduct(t, { kind: 'CLOUD', term: 'P1Y', billingFrequency: 'MONTHLY' });
    t.clock.set('2026-01-10'); // a buyer starts a subscription from today on
    const order = await t
      .http()
      .post('/api/v1/orders')
      .set('Authorization', aBuyer.auth)
      .send({
        endCustomer: { name: 'Secret End Customer of A', reference: 'A-REF-42' },
        lines: [
          { sku: hw.sku, quantity: 2 },
          { sku: cl.sku, quantity: 3, startDate: '2026-01-10' },
        ],
      })
      .expect(201);
    const scheduled = await t
      .http()
      .patch(`/api/v1/subscriptions/${order.body.lines[1].subscriptionId}`)
      .set('Authorization', aBuyer.auth)
      .send({ quantity: 4, asOf: '2026-06-01' })
      .expect(200);
    A.scheduledChange = scheduled.body.scheduledChanges[0].id;
    A.endCustomer = order.body.endCustomer.id;
    t.clock.reset();
    A.order = order.body.id;
    A.hardwareLine = order.body.lines[0].id;
    A.subscription = order.body.lines[1].subscriptionId;
    await t
      .http()
      .post(`/api/v1/orders/${A.order}/lines/${A.hardwareLine}/ship`)
      .set('Authorization', admin)
      .send({ shippedOn: '2026-01-12', serialNumbers: ['SN-A-1'] })
      .expect(200);
    await t.http().post('/api/v1/renewal-alerts/scan').set('Authorization', admin).send({ asOf: '2026-12-01' }).expect(200);
    const alerts = await t.http().get('/api/v1/renewal-alerts').set('Authorization', aSales.auth).expect(200);
    A.alert = alerts.body.items[0].id;
    const quote = await t.http().post(`/api/v1/renewal-alerts/${A.alert}/quote`).set('Authorization', aSales.auth).send({}).expect(201);
    A.quote = quote.body.id;
    const hook = await t
      .http()
      .post('/api/v1/webhooks')
      .set('Authorization', aAdmin.auth)
      .send({ url: 'http://127.0.0.1:9/a-secret-hook', events: ['renewal_alert.raised'] })
      .expect(201);
    A.webhook = hook.body.id;
    // Cloud consumption (docs/consumption.md): A's consumption subscription and a usage import of it, billed below.
    const vendor = (await t.http().post('/api/v1/vendors').set('Authorization', finance).send({ name: 'Tenant sweep cloud' }).expect(201))
      .body;
    await t
      .http()
      .post('/api/v1/catalog/consumption-products')
      .set('Authorization', admin)
      .send({
        sku: 'SWEEP-PLAN',
        name: 'Sweep plan',
        vendorId: vendor.id,
        meters: [
          {
            meterId: 'SWEEP-VM',
            name: 'VM hours',
            unit: 'hour',
            prices: [{ currency: 'AUD', unitPrice: '0.10', costPrice: '0.07' }],
          },
        ],
      })
      .expect(201);
    const consumption = await t
      .http()
      .post('/api/v1/consumption-subscriptions')
      .set('Authorization', aAdmin.auth)
      .send({ endCustomerId: A.endCustomer, sku: 'SWEEP-PLAN', tenantId: 'A-SECRET-TENANT' })
      .expect(201);
    A.consumptionSubscription = consumption.body.id;
    const usage = await t
      .http()
      .post('/api/v1/usage/imports')
      .query({ vendorId: vendor.id })
      .set('Authorization', finance)
      .set('Content-Type', 'text/csv')
      .send('RecordId,TenantId,MeterId,UsageDate,Quantity\nA-1,A-SECRET-TENANT,SWEEP-VM,2026-01-15,10\nA-2,UNKNOWN,SWEEP-VM,2026-01-15,1\n')
      .expect(201);
    A.usageImport = usage.body.id;
    secrets.push('A-SECRET-TENANT');
    // Billing on A's behalf (docs/billing-on-behalf.md): its branding, a price rule, end-customer invoices issued by the run.
    await t
      .http()
      .put('/api/v1/reseller-billing/profile')
      .set('Authorization', aAdmin.auth)
      .send({
        endCustomerBilling: true,
        autoIssue: true,
        collectionOnBehalf: true,
        legalName: 'A-SECRET-LEGAL-NAME',
        numberPrefix: 'ASECRET',
      })
      .expect(200);
    await t
      .http()
      .post('/api/v1/price-rules')
      .set('Authorization', aAdmin.auth)
      .send({ endCustomerId: A.endCustomer, markupPercent: '37.5', effectiveFrom: '2026-01-01' })
      .expect(201);
    const { billPeriod } = await import('./support/billing.js');
    const run = await billPeriod(t, '2026-01-31', finance);
    const ecInvoices = await t
      .http()
      .get(`/api/v1/end-customer-invoices?resellerId=${A.reseller}`)
      .set('Authorization', finance)
      .expect(200);
    A.endCustomerInvoice = ecInvoices.body.items[0].id;
    secrets.push('A-SECRET-LEGAL-NAME', 'ASECRET-2026');
    A.billingRun = run.id;
    const invoices = await t.http().get(`/api/v1/invoices?resellerId=${A.reseller}`).set('Authorization', finance).expect(200);
    A.invoice = invoices.body.items[0].id;
    const full = await t.http().get(`/api/v1/invoices/${A.invoice}`).set('Authorization', finance).expect(200);
    const note = await t
      .http()
      .post(`/api/v1/invoices/${A.invoice}/credit-notes`)
      .set('Authorization', finance)
      .send({
        lines: [{ invoiceLineId: full.body.lines[0].id, amount: '1.00' }],
        reason: 'A-SECRET-CN-REASON',
      })
      .expect(201);
    A.creditNote = note.body.id;
    secrets.push('A-SECRET-CN-REASON');
    const payment = await t
      .http()
      .post('/api/v1/payments')
      .set('Authorization', finance)
      .send({
        resellerId: A.reseller,
        amount: '10.00',
        currency: 'AUD',
        method: 'BANK_TRANSFER',
        reference: 'A-SECRET-PAYREF',
        receivedOn: '2026-02-02',
      })
      .expect(201);
    A.payment = payment.body.id;
    secrets.push('A-SECRET-PAYREF');
    const ecInvoice = (
      await t.http().get(`/api/v1/end-customer-invoices/${A.endCustomerInvoice}`).set('Authorization', finance).expect(200)
    ).body;
    await t
      .http()
      .post('/api/v1/collections')
      .set('Authorization', finance)
      .send({
        endCustomerInvoiceId: A.endCustomerInvoice,
        amount: ecInvoice.gross,
        currency: 'AUD',
        reference: 'A-SECRET-COLLECTION',
        receivedOn: '2026-02-03',
      })
      .expect(201);
    const settlement = await t
      .http()
      .post('/api/v1/settlements')
      .set('Authorization', finance)
      .send({ resellerId: A.reseller, currency: 'AUD', settledOn: '2026-02-04' })
      .expect(201);
    A.settlement = settlement.body.id;
    secrets.push('A-SECRET-COLLECTION');
    const entries = await t.http().get(`/api/v1/ledger/entries?resellerId=${A.reseller}`).set('Authorization', finance).expect(200);
    A.ledgerEntry = entries.body.items[0]?.id ?? '00000000-0000-4000-8000-000000000000';
    await t
      .http()
      .put(`/api/v1/consumption-subscriptions/${A.consumptionSubscription}/budget`)
      .set('Authorization', admin)
      .send({ monthlyAmount: '123.00' })
      .expect(200);
    // Credit requests (docs/portal.md): A's buyer asks for more hardware credit.
    const creditRequest = await t
      .http()
      .post('/api/v1/credit-requests')
      .set('Authorization', aBuyer.auth)
      .send({ line: 'HARDWARE', amount: '5000.00', reason: 'A-SECRET-CREDIT-REASON' })
      .expect(201);
    A.creditRequest = creditRequest.body.id;
    secrets.push('A-SECRET-CREDIT-REASON');
    // Sign-in (docs/security.md §10, §11): A's admin's API token, and a limit change with its reason.
    A.apiToken = (
      await t.http().post('/api/v1/me/tokens').set('Authorization', aAdmin.auth).send({ name: 'A-SECRET-TOKEN-NAME' }).expect(201)
    ).body.id;
    await t
      .http()
      .put(`/api/v1/resellers/${A.reseller}/credit-lines/HARDWARE`)
      .set('Authorization', admin)
      .send({ limit: '9000.00', reason: 'A-SECRET-LIMIT-REASON' })
      .expect(200);
    secrets.push('A-SECRET-TOKEN-NAME', 'A-SECRET-LIMIT-REASON');
    secrets.push('Tenant A Secret', 'Secret End Customer of A', 'A-REF-42', 'SN-A-1', 'a-secret-hook');
    doc = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  /** A's resource for each path parameter, by the path's resource segment. */
  const idFor = (path: string, param: string): string | undefined => {
    const seg = path.replace('/api/v1/', '').split('/')[0];
    if (param === 'lineId') return A.hardwareLine;
    if (param === 'line') return 'HARDWARE';
    if (param === 'changeId') return A.scheduledChange;
    return (
      {
        resellers: A.reseller,
        orders: A.order,
        subscriptions: A.subscription,
        'renewal-alerts': A.alert,
        webhooks: A.webhook,
        ledger: A.ledgerEntry,
        invoices: A.invoice,
        payments: A.payment,
        'billing-runs': A.billingRun,
        'credit-notes': A.creditNote,
        'end-customers': A.endCustomer,
        'renewal-quotes': A.quote,
        'consumption-subscriptions': A.consumptionSubscription,
        usage: A.usageImport,
        'credit-requests': A.creditRequest,
        'end-customer-invoices': A.endCustomerInvoice,
        settlements: A.settlement,
        users: A.salesUser,
        me: A.apiToken,
      } as Record<string, string | undefined>
    )[seg];
  };

  /** A valid body for each mutating operation, so that validation passes and the tenant check decides. */
  const bodies: Record<string, object> = {
    'PATCH /api/v1/resellers/{id}': { name: 'Hijacked' },
    'POST /api/v1/resellers/{id}/users': { email: 'intruder@b.example', role: 'buyer' },
    'PUT /api/v1/resellers/{id}/credit-lines/{line}': { limit: '1.00', reason: 'cross-tenant probe' },
    'PATCH /api/v1/subscriptions/{id}': { quantity: 1, asOf: '2026-02-01' },
    'POST /api/v1/subscriptions/{id}/cancel': { when: 'IMMEDIATE', asOf: '2026-02-01' },
    'POST /api/v1/subscriptions/{id}/scheduled-changes/{changeId}/cancel': {},
    'POST /api/v1/subscriptions/{id}/scheduled-changes': { at: 'RENEWAL', quantity: 1 },
    'DELETE /api/v1/subscriptions/{id}/scheduled-changes/{changeId}': {},
    'PATCH /api/v1/renewal-alerts/{id}': { status: 'CONTACTED', note: 'hijack' },
    'POST /api/v1/renewal-alerts/{id}/quote': {},
    'POST /api/v1/renewal-quotes/{id}/accept': {},
    'DELETE /api/v1/webhooks/{id}': {},
    'POST /api/v1/orders/{id}/lines/{lineId}/ship': { shippedOn: '2026-02-01' },
    'POST /api/v1/orders/{id}/cancel': {},
    'POST /api/v1/ledger/entries/{id}/reverse': {},
    'POST /api/v1/ledger/periods/{period}/close': {},
    'POST /api/v1/invoices/{id}/credit-notes': { lines: [], reason: 'hijack' },
    'POST /api/v1/invoices/{id}/write-off': { amount: '1.00', reason: 'hijack' },
    'POST /api/v1/invoices/{id}/payment-intents': {},
    'POST /api/v1/payments/{id}/allocations': { allocations: [] },
    'PATCH /api/v1/end-customers/{id}': { name: 'Hijacked' },
    'PUT /api/v1/consumption-subscriptions/{id}/budget': { monthlyAmount: '1.00' },
    'POST /api/v1/credit-requests/{id}/approve': { reason: 'hijack' },
    'POST /api/v1/credit-requests/{id}/decline': { reason: 'hijack' },
    'POST /api/v1/end-customer-invoices/{id}/issue': {},
    'POST /api/v1/end-customer-invoices/{id}/payment-intents': {},
    'PATCH /api/v1/users/{id}': { role: 'buyer' },
    'DELETE /api/v1/me/tokens/{id}': {},
  };

  it("never lets reseller B's users reach reseller A's resources", async () => {
    const before = await tableChecksums((sql) => t.db.query(sql));
    const uncovered: string[] = [];
    const leaks: string[] = [];
    let calls = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.includes('{') || NOT_TENANT_OWNED.some((r) => r.test(path))) continue;
      for (const method of Object.keys(ops)) {
        const op = `${method.toUpperCase()} ${path}`;
        let url = path;
        for (const [, param] of path.matchAll(/\{(\w+)\}/g)) {
          const id = param === 'period' ? '2026-01' : idFor(path, param);
          if (!id) uncovered.push(`${op}: no resource of A for {${param}}`);
          url = url.replace(`{${param}}`, id ?? 'missing');
        }
        if (method !== 'get' && !(op in bodies)) uncovered.push(`${op}: no valid body in the sweep`);
        for (const role of B_ROLES) {
          let req = (t.http() as unknown as Record<string, (u: string) => import('supertest').Test>)
            [method](url)
            .set('Authorization', b[role]);
          if (method !== 'get') req = req.send(bodies[op] ?? {});
          const res = await req;
          calls++;
          const text = JSON.stringify(res.body) + (res.text ?? '');
          if (![403, 404].includes(res.status)) leaks.push(`${op} as B ${role} → ${res.status} ${text.slice(0, 200)}`);
          for (const s of secrets) if (text.includes(s)) leaks.push(`${op} as B ${role} revealed "${s}"`);
        }
      }
    }
    expect(uncovered).toEqual([]);
    expect(leaks).toEqual([]);
    expect(calls).toBeGreaterThan(20);
    expect(await tableChecksums((sql) => t.db.query(sql))).toEqual(before);
  });

  it("shows reseller B's users none of A's rows in any list, JSON or CSV", async () => {
    const leaks: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (path.includes('{') || !('get' in ops)) continue;
      for (const role of B_ROLES) {
        for (const accept of ['application/json', 'text/csv']) {
          const res = await t
            .http()
            .get(path)
            .set('Authorization', b[role])
            .set('Accept', accept)
            .query(path.includes('trial-balance') ? { currency: 'AUD' } : {});
          if (res.status >= 500) leaks.push(`GET ${path} as ${role} → ${res.status}`);
          const text = res.text ?? JSON.stringify(res.body);
          for (const s of [
            ...secrets,
            A.endCustomer,
            A.order,
            A.subscription,
            A.alert,
            A.quote,
            A.webhook,
            A.reseller,
            A.invoice,
            A.payment,
            A.endCustomerInvoice,
            A.settlement,
          ]) {
            if (s && text.includes(s)) leaks.push(`GET ${path} (${accept}) as B ${role} revealed ${s}`);
          }
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});
