import { execFile } from 'child_process';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { Client } from 'pg';
import { PROJECT_ROOT } from '#disty/core';
import { waitForReplay } from '../../scripts/stack/replica';
import { Stack, startStack } from '../../scripts/stack/stack';

/**
 * The scale-out stack end to end (docs/operations.md §15): three API instances behind HAProxy,
 * through pgbouncer in transaction mode (Debian's 1.18, prepared statements off), sharing Redis.
 * Orders, a billing run and webhook delivery go through the proxy: no 5xx, each effect once, one
 * rate limit for the three, and ledger:verify clean. The reports are served by a streaming replica
 * (DATABASE_READ_URL), a few milliseconds behind the primary. Bounded: the stack starts in well under a
 * minute here, the whole file is capped by jest.stack.config.js.
 */
const INSTANCES = 3;
const RESELLERS = 4;
const ORDERS_PER_RESELLER = 8;
const LIMIT = 300;

describe('Three instances behind HAProxy and pgbouncer (transaction mode)', () => {
  let stack: Stack;
  let db: Client;
  let receiver: http.Server;
  const received: Array<{ id: string; type: string }> = [];
  const statuses: number[] = [];
  const today = new Date().toISOString().slice(0, 10);

  /** A request through the proxy; every status is kept for the no-5xx check. */
  const call = async (method: string, url: string, token: string, body?: unknown) => {
    const res = await fetch(`${stack.proxyUrl}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    statuses.push(res.status);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const ok = async (method: string, url: string, token: string, body?: unknown, want = [200, 201, 202]) => {
    const r = await call(method, url, token, body);
    if (!want.includes(r.status)) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    stack = await startStack({
      instances: INSTANCES,
      throttleLimit: LIMIT,
      env: {
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_DELIVERY_INTERVAL_MS: '300',
        WEBHOOK_BACKOFF_BASE_SECONDS: '0',
      },
      log: (l) => process.env.STACK_LOG && process.stderr.write(`[stack] ${l}\n`),
    });
    db = new Client({ connectionString: stack.appUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
    receiver?.close();
  });

  const count = async (sql: string) => (await db.query(sql)).rows[0].n as number;

  it('places orders, bills them once and delivers each webhook once, with no 5xx', async () => {
    const admin = stack.adminToken;
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const product = await ok('POST', '/api/v1/catalog/products', admin, {
      sku: `HW-STACK-${Date.now()}`,
      name: 'Stack test laptop',
      vendor: 'Dell',
      kind: 'HARDWARE',
      warrantyMonths: 12,
      prices: [{ currency: 'AUD', unitPrice: '100.00', costPrice: '70.00' }],
    });
    const buyers: string[] = [];
    for (let i = 0; i < RESELLERS; i++) {
      const r = await ok('POST', '/api/v1/resellers', admin, {
        name: `Stack reseller ${i + 1}`,
        currency: 'AUD',
        country: 'AU',
        paymentTermsDays: 30,
        creditLimits: { HARDWARE: '1000000.00', CLOUD: '1000000.00' },
      });
      const buyer = await ok('POST', `/api/v1/resellers/${r.id}/users`, admin, {
        email: `buyer${i}@stack.test`,
        role: 'buyer',
      });
      const radmin = await ok('POST', `/api/v1/resellers/${r.id}/users`, admin, {
        email: `admin${i}@stack.test`,
        role: 'reseller_admin',
      });
      await ok('POST', '/api/v1/webhooks', radmin.token, { url: hook, events: ['invoice.issued'] });
      buyers.push(buyer.token);
    }
    // Orders from every reseller at once, spread over the instances by the proxy.
    const orders = await Promise.all(
      buyers.flatMap((token) =>
        Array.from({ length: ORDERS_PER_RESELLER }, () =>
          ok('POST', '/api/v1/orders', token, {
            endCustomer: { name: 'Stack Co' },
            lines: [{ sku: product.sku, quantity: 1 }],
          }),
        ),
      ),
    );
    await Promise.all(orders.map((o) => ok('POST', `/api/v1/orders/${o.id}/lines/${o.lines[0].id}/ship`, admin, { shippedOn: today })));
    expect(await count(`SELECT count(*)::int AS n FROM orders`)).toBe(RESELLERS * ORDERS_PER_RESELLER);

    // The billing run asked for through three requests at once: one run, one invoice per reseller.
    const finance = (await ok('POST', '/api/v1/users', admin, { email: 'finance@stack.test', role: 'finance' })).token;
    const started = await Promise.all([0, 1, 2].map(() => ok('POST', '/api/v1/billing-runs', finance, { periodEnd: today })));
    expect(new Set(started.map((s) => s.id)).size).toBe(1);
    const end = Date.now() + 60_000;
    let run = started[0];
    while (run.status === 'RUNNING' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 500));
      run = await ok('GET', `/api/v1/billing-runs/${started[0].id}`, finance);
    }
    expect(run).toMatchObject({ status: 'COMPLETED', invoicesIssued: RESELLERS });
    expect(await count(`SELECT count(*)::int AS n FROM invoices`)).toBe(RESELLERS);
    expect(await count(`SELECT count(*)::int AS n FROM billing_runs`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM order_lines WHERE invoice_id IS NULL`)).toBe(0);

    // Webhooks: every instance's delivery loop runs, and deliveries are asked for by hand too.
    await Promise.all([0, 1, 2].map(() => ok('POST', '/api/v1/jobs/webhooks/deliver', admin, {})));
    const deadline = Date.now() + 30_000;
    while (received.length < RESELLERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up, were there one
    expect(received.filter((e) => e.type === 'invoice.issued')).toHaveLength(RESELLERS);
    expect(new Set(received.map((e) => e.id)).size).toBe(received.length);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status <> 'DELIVERED'`)).toBe(0);

    // The scheduled jobs ran no occurrence twice, whatever instance fired it.
    expect(await count(`SELECT count(*)::int AS n FROM (SELECT 1 FROM job_runs GROUP BY job, scheduled_for HAVING count(*) > 1) d`)).toBe(
      0,
    );
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  it('ledger:verify finds the books right', async () => {
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(PROJECT_ROOT, 'dist', 'scripts', 'ledger-verify.js')],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, DATABASE_URL: stack.appUrl, JOBS_ENABLED: 'false', LOG_LEVEL: 'warn' },
        },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, text: stdout + stderr }),
      );
    });
    expect(out.text).not.toMatch(/DIFFERENCE/);
    expect(out.code).toBe(0);
  });

  it('counts one client against one limit across the three instances (Redis)', async () => {
    const me = () => call('GET', '/api/v1/me', stack.adminToken);
    const answers: number[] = [];
    for (let i = 0; i < LIMIT + 5; i++) answers.push((await me()).status);
    expect(answers.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(answers.slice(LIMIT)).toEqual(Array(5).fill(429));
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
  it('serves the trial balance from the streaming replica, equal to the primary once caught up', async () => {
    const admin = stack.adminToken;
    const replica = new Client({ connectionString: stack.replicaAdminUrl });
    const primary = new Client({ connectionString: stack.primaryAdminUrl });
    await replica.connect();
    await primary.connect();
    try {
      // The instances' read connection is a standby.
      const reader = new Client({ connectionString: stack.readUrl });
      await reader.connect();
      expect((await reader.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(true);
      await reader.end();
      expect((await primary.query(`SELECT state FROM pg_stat_replication`)).rows).toEqual([{ state: 'streaming' }]);

      const tb = async () =>
        (await ok('GET', `/api/v1/ledger/trial-balance?asOf=${today}&currency=AUD`, admin)).totals as {
          debit: string;
          credit: string;
        };
      const onPrimary = async () =>
        (
          await db.query(
            `SELECT coalesce(sum(debit_total), 0)::numeric(20,2)::text AS debit, coalesce(sum(credit_total), 0)::numeric(20,2)::text AS credit
           FROM ledger_daily_totals WHERE currency = 'AUD' AND day <= $1`,
            [today],
          )
        ).rows[0];
      await waitForReplay(stack.primaryAdminUrl, stack.replicaAdminUrl!);
      const before = await tb();
      expect(before).toEqual(await onPrimary());
      expect(before.debit).not.toBe('0.00');
      for (let i = 0; i < INSTANCES * 2; i++) expect(await tb()).toEqual(before); // every instance, through the proxy
      const readers = (
        await replica.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'disty-read' AND usename = 'disty_app'`,
        )
      ).rows[0].n;
      expect(readers).toBeGreaterThanOrEqual(INSTANCES);

      // Replay paused: a shipment posts on the primary, the report (the replica) does not see it yet.
      await replica.query('SELECT pg_wal_replay_pause()');
      const product = await ok('POST', '/api/v1/catalog/products', admin, {
        sku: `HW-REPLICA-${Date.now()}`,
        name: 'Replica test dock',
        vendor: 'Dell',
        kind: 'HARDWARE',
        warrantyMonths: 12,
        prices: [{ currency: 'AUD', unitPrice: '250.00', costPrice: '150.00' }],
      });
      const r = await ok('POST', '/api/v1/resellers', admin, {
        name: 'Replica reseller',
        currency: 'AUD',
        country: 'AU',
        paymentTermsDays: 30,
        creditLimits: { HARDWARE: '10000.00', CLOUD: '10000.00' },
      });
      const order = await ok('POST', '/api/v1/orders', admin, {
        resellerId: r.id,
        endCustomer: { name: 'Replica Co' },
        lines: [{ sku: product.sku, quantity: 1 }],
      });
      await ok('POST', `/api/v1/orders/${order.id}/lines/${order.lines[0].id}/ship`, admin, {
        shippedOn: today,
      });
      const after = await onPrimary();
      expect(after).not.toEqual(before);
      expect(await tb()).toEqual(before); // a replica behind answers its own (older) figures
      await replica.query('SELECT pg_wal_replay_resume()');
      await waitForReplay(stack.primaryAdminUrl, stack.replicaAdminUrl!);
      expect(await tb()).toEqual(after);

      // The lag: a commit on the primary until the replica has replayed it (20 samples).
      const lags: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = process.hrtime.bigint();
        const { lsn } = (await primary.query(`SELECT pg_logical_emit_message(true, 'disty', 'lag probe')::text AS lsn`)).rows[0];
        while (!(await replica.query(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok`, [lsn])).rows[0].ok)
          await new Promise((res) => setTimeout(res, 1));
        lags.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      lags.sort((a, b) => a - b);
      process.stderr.write(
        `[stack] replica lag over ${lags.length} commits: median ${lags[10].toFixed(1)} ms, max ${lags[19].toFixed(1)} ms\n`,
      );
      expect(lags[19]).toBeLessThan(5_000);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
    } finally {
      await replica.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
      await replica.end();
      await primary.end();
    }
  });
});
