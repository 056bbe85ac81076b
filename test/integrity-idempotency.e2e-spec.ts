import { tsNodeCommand } from './support/ts-node';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import request from 'supertest';
import { freePort } from '#disty/core';
import type { TestApp } from './support/app';
import { OwnDatabase, useOwnDatabase } from './support/own-database';

const ROOT = path.join(__dirname, '..');

interface Api {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>;
}

/**
 * The real API (apps/api/src/main.ts, ts-node transpile-only: no build) as a child process on the
 * test database. `crash` sets the test-only DISTY_TEST_CRASH point where it kills itself with SIGKILL.
 */
async function startApi(databaseUrl: string, crash?: 'idempotency-after-commit' | 'idempotency-before-commit'): Promise<Api> {
  const port = await freePort();
  const cmd = tsNodeCommand('apps/api/src/main.ts');
  const child = spawn(process.execPath, cmd.argv, {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      ...cmd.env,
      LOG_LEVEL: 'error',
      JOBS_ENABLED: 'false',
      SEED_DEMO: 'false',
      ...(crash ? { DISTY_TEST_CRASH: crash } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start in time:\n${out}`)), 90_000);
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('API listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`API exited before listening:\n${out}`));
    });
  });
  return { child, url: `http://127.0.0.1:${port}`, exited };
}

async function stopApi(api: Api | undefined): Promise<void> {
  if (!api || api.child.exitCode !== null || api.child.signalCode !== null) return;
  api.child.kill('SIGTERM');
  await api.exited;
}

/**
 * Issue 13, leak 6: with an Idempotency-Key, a process killed (SIGKILL) between the business
 * commit and its HTTP response used to leave the key IN_PROGRESS, and a retry ran the business
 * change a second time. The key's outcome now commits in the business change's transaction.
 * Each case kills a real API process at a test-only crash point, then retries the same request,
 * with the same key, on a fresh process. Its own database: it starts API processes on it.
 */
describe('issue 13 leak 6: retries after a crash run once (Idempotency-Key)', () => {
  let db: OwnDatabase;
  let t: TestApp;
  let fresh: Api | undefined;
  const crashed: Api[] = [];
  let f: typeof import('./factories/commerce.js');
  let finance: string;
  let today: string;

  beforeAll(async () => {
    db = await useOwnDatabase('idem');
    const { createTestApp } = await import('./support/app.js');
    f = await import('./factories/commerce.js');
    const { Clock } = await import('#disty/core');
    // The fresh process (no crash point) starts while this one sets up.
    const starting = startApi(db.url);
    t = await createTestApp();
    finance = (await t.user('finance')).auth;
    today = t.get(Clock).today();
    fresh = await starting;
  }, 180_000);
  afterAll(async () => {
    await stopApi(fresh);
    for (const a of crashed) await stopApi(a);
    await t?.close();
    await db?.drop();
  });

  const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query(sql, params))[0].n);

  /** Sends the request to a process that kills itself at `point`; the client sees no response. */
  async function sendAndCrash(point: 'idempotency-after-commit' | 'idempotency-before-commit', send: (api: request.Agent) => request.Test) {
    const api = await startApi(db.url, point);
    crashed.push(api);
    const err = await send(request.agent(api.url)).then(
      (r) => new Error(`expected no response, got ${r.status} ${JSON.stringify(r.body)}`),
      (e: Error) => e,
    );
    expect(err.message).toMatch(/socket hang up|ECONNRESET|ECONNREFUSED/);
    const exit = await api.exited;
    expect(exit.signal).toBe('SIGKILL');
  }

  async function shop() {
    const reseller = await f.createReseller(t);
    const buyer = await t.user('buyer', reseller.id);
    const hw = await f.createProduct(t, { prices: [{ currency: 'AUD', unitPrice: '100.00' }] });
    const cloud = await f.createProduct(t, {
      kind: 'CLOUD',
      term: 'P1Y',
      billingFrequency: 'MONTHLY',
      prices: [{ currency: 'AUD', unitPrice: '50.00' }],
    });
    return { reseller, buyer, hw, cloud };
  }

  // First: a billing run bills every reseller known when it starts, and its period must not precede issued invoices.
  it('leak 6: a billing run killed after its creation committed, retried on a fresh process, returns the original run and creates one', async () => {
    const { addDays } = await import('#disty/core');
    const periodEnd = addDays(today, -1);
    const key = `run-${f.uniq()}`;
    const start = (api: request.Agent) =>
      api.post('/api/v1/billing-runs').set('Authorization', finance).set('Idempotency-Key', key).send({ periodEnd });

    await sendAndCrash('idempotency-after-commit', start);
    const runs = await t.db.query(`SELECT id FROM billing_runs WHERE period_end = $1`, [periodEnd]);
    expect(runs).toHaveLength(1);
    const retry = await start(request.agent(fresh!.url)).expect(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual({ id: runs[0].id, status: 'RUNNING' });
    expect(await count(`SELECT count(*) AS n FROM billing_runs WHERE period_end = $1`, [periodEnd])).toBe(1);
    // The run the dead process never processed is resumed by asking for its period again.
    const { billPeriod } = await import('./support/billing.js');
    expect(await billPeriod(t, periodEnd, finance)).toMatchObject({ id: runs[0].id, status: 'COMPLETED' });
  });

  it('leak 6: an order killed after its commit, retried on a fresh process, returns the original order and creates one order, one reservation, one subscription', async () => {
    const { reseller, buyer, hw, cloud } = await shop();
    const key = `order-${f.uniq()}`;
    const body = {
      endCustomer: { name: 'Crash Co' },
      lines: [
        { sku: hw.sku, quantity: 2 },
        { sku: cloud.sku, quantity: 3 },
      ],
    };
    const place = (api: request.Agent) =>
      api.post('/api/v1/orders').set('Authorization', buyer.auth).set('Idempotency-Key', key).send(body);

    await sendAndCrash('idempotency-after-commit', place);
    // The business change and the key's outcome committed together.
    const [order] = await t.db.query(`SELECT id FROM orders WHERE reseller_id = $1`, [reseller.id]);
    expect(await count(`SELECT count(*) AS n FROM orders WHERE reseller_id = $1`, [reseller.id])).toBe(1);
    const [stored] = await t.db.query(`SELECT state, response_status, response_body->>'id' AS id FROM idempotency_keys WHERE key = $1`, [
      key,
    ]);
    expect(stored).toEqual({ state: 'DONE', response_status: 201, id: order.id });

    const retry = await place(request.agent(fresh!.url)).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ id: order.id, resellerId: reseller.id });
    // Once more on the in-process app (another process): still the same order.
    const again = await place(t.http() as unknown as request.Agent).expect(201);
    expect(again.body).toEqual(retry.body);

    expect(await count(`SELECT count(*) AS n FROM orders WHERE reseller_id = $1`, [reseller.id])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM subscriptions WHERE reseller_id = $1`, [reseller.id])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM credit_reservations WHERE reseller_id = $1`, [reseller.id])).toBe(2); // one per credit line
    const lines = await f.creditLines(t, reseller.id);
    expect([lines.HARDWARE.reserved, lines.CLOUD.reserved]).toEqual(['220.00', '165.00']);
  });

  it('leak 6: an order killed before its commit leaves nothing; the retry places it once', async () => {
    const { reseller, buyer, hw } = await shop();
    const key = `order-${f.uniq()}`;
    const body = { endCustomer: { name: 'Crash Early Co' }, lines: [{ sku: hw.sku, quantity: 1 }] };
    const place = (api: request.Agent) =>
      api.post('/api/v1/orders').set('Authorization', buyer.auth).set('Idempotency-Key', key).send(body);

    await sendAndCrash('idempotency-before-commit', place);
    expect(await count(`SELECT count(*) AS n FROM orders WHERE reseller_id = $1`, [reseller.id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = $1`, [key])).toBe(0);
    expect((await f.creditLines(t, reseller.id)).HARDWARE.reserved).toBe('0.00');

    const first = await place(request.agent(fresh!.url)).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const replay = await place(request.agent(fresh!.url)).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await count(`SELECT count(*) AS n FROM orders WHERE reseller_id = $1`, [reseller.id])).toBe(1);
    expect((await f.creditLines(t, reseller.id)).HARDWARE.reserved).toBe('110.00');
  });

  it('leak 6: a payment killed after its commit, retried on a fresh process, returns the original payment and records one', async () => {
    const { reseller } = await shop();
    const key = `pay-${f.uniq()}`;
    const body = {
      resellerId: reseller.id,
      amount: '1234.56',
      currency: 'AUD',
      method: 'BANK_TRANSFER',
      reference: `crash ${key}`,
      receivedOn: today,
    };
    const pay = (api: request.Agent) => api.post('/api/v1/payments').set('Authorization', finance).set('Idempotency-Key', key).send(body);

    await sendAndCrash('idempotency-after-commit', pay);
    const payments = await t.db.query(`SELECT id FROM payments WHERE reseller_id = $1`, [reseller.id]);
    expect(payments).toHaveLength(1);

    const retry = await pay(request.agent(fresh!.url)).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ id: payments[0].id, amount: '1234.56', unapplied: '1234.56' });
    expect(await count(`SELECT count(*) AS n FROM payments WHERE reseller_id = $1`, [reseller.id])).toBe(1);
    expect(
      await count(`SELECT count(*) AS n FROM journal_entries WHERE source_type = 'payment' AND source_id = $1`, [payments[0].id]),
    ).toBe(1);
    // The same key with another body is still refused.
    const other = await request(fresh!.url)
      .post('/api/v1/payments')
      .set('Authorization', finance)
      .set('Idempotency-Key', key)
      .send({ ...body, amount: '1.00' })
      .expect(409);
    expect(other.body.type).toBe('https://disty.dev/problems/idempotency-key-reuse');
  });

  it('leak 6: a credit note killed after its commit, retried on a fresh process, returns the original credit note and issues one', async () => {
    const { reseller, buyer, hw } = await shop();
    const order = (
      await t
        .http()
        .post('/api/v1/orders')
        .set('Authorization', buyer.auth)
        .send({ endCustomer: { name: 'Credit Co' }, lines: [{ sku: hw.sku, quantity: 1 }] })
        .expect(201)
    ).body;
    await t
      .http()
      .post(`/api/v1/orders/${order.id}/lines/${order.lines[0].id}/ship`)
      .set('Authorization', `Bearer ${(await import('./support/app.js')).ADMIN_TOKEN}`)
      .send({ shippedOn: today })
      .expect(200);
    const { billPeriod } = await import('./support/billing.js');
    await billPeriod(t, today, finance);
    const list = await t.http().get(`/api/v1/invoices?resellerId=${reseller.id}`).set('Authorization', finance).expect(200);
    expect(list.body.total).toBe(1);
    const invoice = (await t.http().get(`/api/v1/invoices/${list.body.items[0].id}`).set('Authorization', finance).expect(200)).body;

    const key = `cn-${f.uniq()}`;
    const body = { lines: [{ invoiceLineId: invoice.lines[0].id, amount: '10.00' }], reason: 'Crash test' };
    const credit = (api: request.Agent) =>
      api.post(`/api/v1/invoices/${invoice.id}/credit-notes`).set('Authorization', finance).set('Idempotency-Key', key).send(body);

    await sendAndCrash('idempotency-after-commit', credit);
    const notes = await t.db.query(`SELECT id, number FROM credit_notes WHERE invoice_id = $1`, [invoice.id]);
    expect(notes).toHaveLength(1);

    const retry = await credit(request.agent(fresh!.url)).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ id: notes[0].id, number: notes[0].number });
    expect(await count(`SELECT count(*) AS n FROM credit_notes WHERE invoice_id = $1`, [invoice.id])).toBe(1);
    const after = (await t.http().get(`/api/v1/invoices/${invoice.id}`).set('Authorization', finance).expect(200)).body;
    expect(after.amountDue).toBe('99.00'); // 110.00 − 11.00 credited once
  });

  it('leak 6: a manual ledger entry killed after its commit, retried on a fresh process, returns the original entry and posts one', async () => {
    const key = `entry-${f.uniq()}`;
    const body = {
      entryDate: today,
      memo: key,
      lines: [
        { accountCode: '1000', currency: 'AUD', debit: '12.34' },
        { accountCode: '4000', currency: 'AUD', credit: '12.34' },
      ],
    };
    const post = (api: request.Agent) =>
      api.post('/api/v1/ledger/entries').set('Authorization', finance).set('Idempotency-Key', key).send(body);

    await sendAndCrash('idempotency-after-commit', post);
    const entries = await t.db.query(`SELECT id FROM journal_entries WHERE memo = $1`, [key]);
    expect(entries).toHaveLength(1);
    const retry = await post(request.agent(fresh!.url)).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(entries[0].id);
    expect(await count(`SELECT count(*) AS n FROM journal_entries WHERE memo = $1`, [key])).toBe(1);
  });

  it('leak 6: concurrent replays still create one thing, and a refused request does not burn the key', async () => {
    const { reseller } = await shop();
    const key = `pay-${f.uniq()}`;
    const body = {
      resellerId: reseller.id,
      amount: '5.00',
      currency: 'AUD',
      method: 'BANK_TRANSFER',
      reference: 'concurrent',
      receivedOn: today,
    };
    const send = (b: object) => t.http().post('/api/v1/payments').set('Authorization', finance).set('Idempotency-Key', key).send(b);
    // Refused (future date): nothing stored under the key.
    await send({ ...body, receivedOn: '2999-01-01' }).expect(400);
    expect(await count(`SELECT count(*) AS n FROM idempotency_keys WHERE key = $1`, [key])).toBe(0);
    // Ten at once, half of them to the other process: one payment, one id.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2
          ? send(body)
          : request(fresh!.url).post('/api/v1/payments').set('Authorization', finance).set('Idempotency-Key', key).send(body),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM payments WHERE reseller_id = $1`, [reseller.id])).toBe(1);
  });
});
