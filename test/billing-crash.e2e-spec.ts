import { tsNodeCommand } from './support/ts-node';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { Client } from 'pg';
import { generateBillingData } from '../bench/billing-data';
import type { TestApp } from './support/app';
import { waitForRun } from './support/billing';
import { OwnDatabase, useOwnDatabase } from './support/own-database';

const ROOT = path.join(__dirname, '..');
const RESELLERS = 2000;
const PERIOD_END = '2026-09-30';

/** Runs a script the way `npm run` does, from TypeScript (ts-node, transpile only: no build needed). */
function script(
  file: string,
  args: string[],
  url: string,
): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; out: string }> } {
  const cmd = tsNodeCommand(path.join('scripts', file), ...args);
  const child = spawn(process.execPath, cmd.argv, {
    cwd: ROOT,
    env: { ...process.env, ...cmd.env, DATABASE_URL: url, LOG_LEVEL: 'error', JOBS_ENABLED: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, done };
}

/**
 * A billing run over 2,000 resellers, started by the CLI in a child process, is killed with SIGKILL
 * part-way (its process gone, its open transaction rolled back by PostgreSQL). The app then
 * restarts (here, in this process, on the same database) and POST /billing-runs for the same
 * period resumes the run: every reseller ends with exactly one invoice for the period, numbers
 * are gapless, and ledger:verify's checks (ledger consistency, AR control = open invoices) pass.
 * Its own database: the run is global.
 */
describe('billing run killed part-way (crash test)', () => {
  let db: OwnDatabase;
  let c: Client;
  let t: TestApp | undefined;

  beforeAll(async () => {
    db = await useOwnDatabase('crash');
    c = new Client({ connectionString: db.url });
    await c.connect();
    await generateBillingData(async (sql, params) => (await c.query(sql, params as unknown[])).rows, {
      resellers: RESELLERS,
      subscriptionsPerReseller: 1,
      hardwarePerReseller: 1,
      periodStart: '2026-09-01',
      tag: 'CRASH',
    });
  });
  afterAll(async () => {
    await t?.close();
    await c?.end();
    await db?.drop();
  });

  const count = async (sql: string, params: unknown[] = []) => Number((await c.query(sql, params)).rows[0].n);

  it('resumes after SIGKILL: one invoice per reseller, gapless numbers, ledger:verify passes', async () => {
    const first = script('billing-run.ts', ['--period-end', PERIOD_END, '--concurrency', '4'], db.url);
    // Kill it once it has billed some resellers (well before the end); ts-node's start-up alone takes
    // tens of seconds on a busy machine.
    const deadline = Date.now() + 150_000;
    let billed = 0;
    while (Date.now() < deadline) {
      billed = await count(`SELECT count(*) AS n FROM billing_run_resellers WHERE status = 'DONE'`);
      if (billed >= 100) break;
      if (first.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');

    const [run] = (await c.query(`SELECT id, status FROM billing_runs WHERE period_end = $1`, [PERIOD_END])).rows;
    expect(run.status).toBe('RUNNING');
    const doneAtKill = await count(`SELECT count(*) AS n FROM billing_run_resellers WHERE status = 'DONE'`);
    expect(doneAtKill).toBeGreaterThanOrEqual(100);
    expect(doneAtKill).toBeLessThan(RESELLERS);
    // What committed is whole: each DONE reseller has its invoice and posting; nothing else exists.
    expect(await count(`SELECT count(*) AS n FROM invoices`)).toBe(doneAtKill);
    expect(await count(`SELECT count(*) AS n FROM journal_entries WHERE source_type = 'invoice'`)).toBe(doneAtKill);
    // PostgreSQL ends the dead process's sessions (and frees the run's lock) as it notices them gone.
    const lockedByOthers = `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()
                               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
    while (await count(lockedByOthers)) {
      await new Promise((r) => setTimeout(r, 20));
    }

    // The app restarts; asking for the same period again resumes the run where it stopped.
    const { createTestApp } = await import('./support/app.js');
    t = await createTestApp();
    const finance = (await t.user('finance')).auth;
    const again = await t.http().post('/api/v1/billing-runs').set('Authorization', finance).send({ periodEnd: PERIOD_END }).expect(202);
    expect(again.body).toEqual({ id: run.id, status: 'RUNNING' });
    // The rest of the run (about 1,900 resellers) takes about 25 s on a quiet machine; CI machines are not quiet.
    const resumed = await waitForRun(t, run.id, finance, 300_000);
    expect(resumed).toMatchObject({
      status: 'COMPLETED',
      resellersTotal: RESELLERS,
      resellersDone: RESELLERS,
      invoicesIssued: RESELLERS,
      resellersFailed: 0,
    });

    const [after] = (await c.query(`SELECT status FROM billing_runs WHERE id = $1`, [run.id])).rows;
    expect(after.status).toBe('COMPLETED');
    expect(
      await count(`SELECT count(*) AS n FROM billing_run_resellers WHERE run_id = $1 AND status = 'DONE' AND invoice_id IS NOT NULL`, [
        run.id,
      ]),
    ).toBe(RESELLERS);
    // Exactly one invoice per reseller for the period…
    const perReseller = (
      await c.query(
        `SELECT count(*)::int AS invoices, count(DISTINCT reseller_id)::int AS resellers, min(seq)::int AS lo, max(seq)::int AS hi
         FROM invoices WHERE period_end = $1`,
        [PERIOD_END],
      )
    ).rows[0];
    expect(perReseller).toEqual({ invoices: RESELLERS, resellers: RESELLERS, lo: 1, hi: RESELLERS });
    // …numbered without a gap or a duplicate, the counter at the last number…
    expect(await count(`SELECT count(DISTINCT number) AS n FROM invoices WHERE year = 2026`)).toBe(RESELLERS);
    expect(await count(`SELECT last_number AS n FROM document_counters WHERE series = 'INV' AND year = 2026`)).toBe(RESELLERS);
    // …each charge and shipped line on exactly one invoice, each reservation consumed.
    expect(await count(`SELECT count(*) AS n FROM invoice_lines`)).toBe(2 * RESELLERS);
    expect(
      await count(`SELECT count(*) AS n FROM subscription_charges WHERE billing_date <= $1 AND billed_invoice_id IS NULL`, [PERIOD_END]),
    ).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM order_lines WHERE status = 'SHIPPED' AND invoice_id IS NULL`)).toBe(0);
    expect(
      await count(
        `SELECT count(*) AS n FROM invoice_lines l JOIN subscription_charges s ON s.id = l.source_id WHERE s.billed_invoice_id <> l.invoice_id`,
      ),
    ).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM credit_reservations WHERE status = 'OPEN'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM credit_lines WHERE reserved <> 0`)).toBe(0);

    // ledger:verify's checks: the ledger is consistent and its control accounts equal the subledgers.
    const { LedgerService } = await import('#disty/ledger');
    const { ReconciliationService } = await import('#disty/payments');
    expect(await t.get(LedgerService).verify()).toEqual([]);
    const rec = await t.get(ReconciliationService).reconcile(null);
    expect(rec.differences).toEqual([]);
    expect(rec.receivables.totals.map((r) => [r.creditLine, r.ledger === r.subledger])).toEqual([
      ['CLOUD', true],
      ['HARDWARE', true],
    ]);
  }, 600_000);
});
