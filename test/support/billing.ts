import Stripe from 'stripe';
import type { TestApp } from './app';

/** Polls GET /billing-runs/:id until the run is no longer RUNNING (a deadline, not a sleep-timed assertion). */
export async function waitForRun(t: TestApp, id: string, auth: string, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http().get(`/api/v1/billing-runs/${id}`).set('Authorization', auth).expect(200);
    if (res.body.status !== 'RUNNING')
      return res.body as {
        id: string;
        periodEnd: string;
        status: string;
        resellersTotal: number;
        resellersDone: number;
        invoicesIssued: number;
        resellersFailed: number;
      };
    if (Date.now() > end) throw new Error(`billing run ${id} still RUNNING after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the run for a period end and waits for it. */
export async function billPeriod(t: TestApp, periodEnd: string, auth: string) {
  const res = await t.http().post('/api/v1/billing-runs').set('Authorization', auth).send({ periodEnd });
  if (res.status !== 202) throw new Error(`POST /billing-runs: ${res.status} ${JSON.stringify(res.body)}`);
  return waitForRun(t, res.body.id, auth);
}

export const STRIPE_TEST_SECRET = 'whsec_disty_test_secret';

/** A Stripe event as Stripe sends it, with its signed header (the package's own test helper). */
export function signedStripeEvent(
  type: string,
  object: Record<string, unknown>,
  opts: { id?: string; created?: number; secret?: string } = {},
): { payload: string; header: string; id: string } {
  const id = opts.id ?? `evt_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const payload = JSON.stringify({
    id,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: opts.created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  });
  const header = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? STRIPE_TEST_SECRET,
  });
  return { payload, header, id };
}

/** Signs a Stripe event and POSTs it to the webhook, as Stripe would (the response, whatever its status). */
export async function sendStripeEvent(
  t: TestApp,
  type: string,
  object: Record<string, unknown>,
  opts: { id?: string; created?: number; secret?: string } = {},
) {
  const e = signedStripeEvent(type, object, opts);
  const res = await t
    .http()
    .post('/api/v1/webhooks/stripe')
    .set('Content-Type', 'application/json')
    .set('Stripe-Signature', e.header)
    .send(e.payload);
  return Object.assign(res, { eventId: e.id });
}

/**
 * The body of a month close in tests about something else than the close: the month holds items
 * the close would report (shipped lines not invoiced, unmatched accruals), accepted here.
 */
export const FORCED_CLOSE = { force: true, reason: 'Test fixture: month-end items accepted' };

/** The real UTC date today: the database refuses entries dated later, whatever the test clock says. */
export const realToday = () => new Date().toISOString().slice(0, 10);

/** A money string as whole cents, and back (test arithmetic on 2-decimal currencies). */
export const cents = (s: string) => Math.round(Number(s) * 100);
export const money = (c: number) => (c / 100).toFixed(2);

/** A reseller's invoices in full (GET /invoices, then each one): as listed (newest first), or oldest first. */
export async function invoicesOf<T = Record<string, unknown>>(
  t: TestApp,
  resellerId: string,
  auth: string,
  opts: { oldestFirst?: boolean; pageSize?: number } = {},
): Promise<T[]> {
  const list = await t
    .http()
    .get('/api/v1/invoices')
    .query({ resellerId, ...(opts.pageSize ? { pageSize: opts.pageSize } : {}) })
    .set('Authorization', auth)
    .expect(200);
  const items = list.body.items as Array<{ id: string }>;
  const out: T[] = [];
  for (const i of opts.oldestFirst ? [...items].reverse() : items) {
    out.push((await t.http().get(`/api/v1/invoices/${i.id}`).set('Authorization', auth).expect(200)).body as T);
  }
  return out;
}

/** GET /ledger/reconciliation (now, or as of a date). */
export async function reconcile(t: TestApp, auth: string, asOf?: string) {
  return (
    await t
      .http()
      .get('/api/v1/ledger/reconciliation')
      .query(asOf ? { asOf } : {})
      .set('Authorization', auth)
      .expect(200)
  ).body;
}

/** Unix seconds of a calendar date at noon UTC. */
export const unixOf = (date: string) => Math.floor(new Date(`${date}T12:00:00Z`).getTime() / 1000);

/**
 * The app on a database of its own, with Stripe pointed at a local fake: what the billing test
 * files need, since billing runs and reconciliation look at every reseller.
 */
export async function startBillingTestApp(tag: string) {
  const { useOwnDatabase } = await import('./own-database.js');
  const { startFakeStripe } = await import('./fake-stripe.js');
  const db = await useOwnDatabase(tag);
  const stripe = await startFakeStripe();
  process.env.STRIPE_SECRET_KEY = 'sk_test_disty';
  process.env.STRIPE_WEBHOOK_SECRET = STRIPE_TEST_SECRET;
  process.env.STRIPE_API_BASE = stripe.url;
  const { createTestApp, ADMIN_TOKEN } = await import('./app.js');
  const f = await import('../factories/commerce.js');
  const t = await createTestApp();
  const finance = (await t.user('finance')).auth;
  return {
    t,
    f,
    stripe,
    admin: `Bearer ${ADMIN_TOKEN}`,
    finance,
    close: async () => {
      await t.close();
      await stripe.close();
      await db.drop();
    },
  };
}

/** ledger:verify's checks, service conservation included, on the test app's services (docs/money-integrity.md). */
export async function verifyAllBooks(t: { get<T>(type: new (...args: never[]) => T): T }): Promise<string[]> {
  const { LedgerService } = await import('#disty/ledger');
  const { ReconciliationService, verifyBooks } = await import('#disty/payments');
  const { ServiceConservationService } = await import('#disty/invoicing');
  return verifyBooks(t.get(LedgerService), t.get(ReconciliationService), t.get(ServiceConservationService));
}
