import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { Client } from 'pg';
import { ConfigService } from '@nestjs/config';
import { Clock, PROJECT_ROOT, ReadDatabase } from '#disty/core';
import { AuthService, IdentityService, PasswordLinkOutbox } from '#disty/identity';
import { FxRateService, LedgerService, PeriodCloseChecks } from '#disty/ledger';
import { ResellerService } from '#disty/reseller';
import { supplierSettings, TaxService } from '#disty/tax';
import { ApiProcess, readStatusKiB, sampleRss, startApi } from './orders.bench';
import { BenchContext, BenchResult, resetStatementStats, timed, topStatements } from './support';

const ROWS = Number(process.env.BENCH_USAGE_ROWS ?? 1_000_000);
const TENANTS = Number(process.env.BENCH_USAGE_TENANTS ?? 2_000);
const RESELLERS = 10;
const MONTH = '2026-10';

/**
 * docs/consumption.md, "Performance": ROWS usage lines (October, TENANTS tenants of RESELLERS
 * resellers, two meters, one tiered) as one CSV file, imported and rated through the API
 * (POST /usage/imports, streamed) beside a plain COPY of the same file into an unindexed table
 * in the same run; their ratio of rows/s, and the API's peak RSS during the import.
 */
export async function usageBench(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const { ds, url, close } = await ctx.freshDatabase('usage');
  const file = path.join(PROJECT_ROOT, '.data', `bench-usage-${process.pid}.csv`);
  let api: ApiProcess | undefined;
  try {
    const identity = new IdentityService(ds, new AuthService(ds, new PasswordLinkOutbox()));
    const ledger = new LedgerService(
      ds,
      new Clock(),
      new PeriodCloseChecks(),
      new FxRateService(ds, new ConfigService()),
      new ReadDatabase(ds),
    );
    const resellers = new ResellerService(ds, ledger, identity, new TaxService(ds, supplierSettings()), new Clock());
    const resellerIds: string[] = [];
    for (let i = 0; i < RESELLERS; i++) {
      const r = await resellers.createReseller({
        name: `Usage bench reseller ${i + 1}`,
        currency: 'AUD',
        country: 'AU',
        paymentTermsDays: 30,
        creditLimits: { HARDWARE: '1000000000.00', CLOUD: '1000000000.00' },
      });
      resellerIds.push(r.id);
    }
    const admin = (await identity.createUser({ email: 'admin@usage-bench.disty.local', role: 'admin', resellerId: null })).token!;
    if (process.env.BENCH_USAGE_EXPLAIN) {
      // Opt-in profiling: the plans (with timings) of the import's statements over 200 ms, in the server's log.
      const su = new Client({ connectionString: ctx.adminUrl });
      await su.connect();
      const db = new URL(url).pathname.slice(1);
      await su.query(`ALTER DATABASE ${db} SET session_preload_libraries = 'auto_explain'`);
      await su.query(`ALTER DATABASE ${db} SET auto_explain.log_min_duration = '200ms'`);
      await su.query(`ALTER DATABASE ${db} SET auto_explain.log_analyze = on`);
      await su.query(`ALTER DATABASE ${db} SET auto_explain.log_nested_statements = on`);
      await su.end();
    }
    api = await startApi(url, ctx);
    const base = `http://127.0.0.1:${api.port}/api/v1`;
    const call = async (method: string, p: string, body: unknown) => {
      const res = await fetch(`${base}${p}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ id: string; sku: string }>;
    };
    const vendor = await call('POST', '/vendors', { name: 'Usage bench cloud' });
    await call('POST', '/catalog/consumption-products', {
      sku: 'BENCH-PLAN',
      name: 'Bench plan',
      vendorId: vendor.id,
      meters: [
        {
          meterId: 'VM',
          name: 'VM hours',
          unit: 'hour',
          prices: [{ currency: 'AUD', unitPrice: '0.0912', costPrice: '0.07' }],
        },
        {
          meterId: 'GB',
          name: 'Storage',
          unit: 'GB',
          prices: [
            {
              currency: 'AUD',
              tiers: [
                { upTo: '50000', unitPrice: '0.02' },
                { upTo: null, unitPrice: '0.015' },
              ],
              costPrice: '0.01',
            },
          ],
        },
      ],
    });
    // Tenants: end customers and their subscriptions, set up in SQL (not what is measured).
    await ds.query(
      `WITH c AS (
         INSERT INTO end_customers (reseller_id, name)
         SELECT ($1::uuid[])[1 + (g % $3)], 'Bench customer ' || g FROM generate_series(0, $2 - 1) g RETURNING id, reseller_id, name)
       INSERT INTO consumption_subscriptions (reseller_id, end_customer_id, sku, vendor_id, tenant_id, currency)
       SELECT reseller_id, id, 'BENCH-PLAN', $4, 'T' || substr(name, 16), 'AUD' FROM c`,
      [resellerIds, TENANTS, RESELLERS, vendor.id],
    );

    ctx.log(`usage: writing ${ROWS.toLocaleString('en')} usage lines to ${path.relative(PROJECT_ROOT, file)}`);
    await writeFile(file);
    const bytes = fs.statSync(file).size;

    // The floor: a plain COPY of the same file into an unindexed table (server-side read, same database).
    const admin2 = new Client({ connectionString: url });
    await admin2.connect();
    await admin2.query(`CREATE TABLE bench_usage_copy (record_id text, version text, tenant_id text, meter_id text, usage_date text,
                          quantity text, unit text, unit_cost text, currency text)`);
    const copy = await timed(() => admin2.query(`COPY bench_usage_copy FROM '${file}' WITH (FORMAT csv, HEADER true)`));
    await admin2.end();
    const copyRate = ROWS / (copy.ms / 1000);
    ctx.log(`usage: COPY ${(copy.ms / 1000).toFixed(1)} s`);

    const statements = await resetStatementStats(ds);
    const rss = sampleRss(api.child.pid!);
    const imported = await timed(() => postFile(`${base}/usage/imports?vendorId=${vendor.id}`, admin, file));
    const peakKiB = Math.max(rss.stop(), readStatusKiB(api.child.pid!, 'VmHWM') ?? 0);
    const body = JSON.parse(imported.value.body) as {
      rowsAccepted: number;
      rowsRejected: number;
      status: string;
    };
    if (imported.value.status !== 201 || body.rowsAccepted !== ROWS)
      throw new Error(`usage import: ${imported.value.status} ${imported.value.body.slice(0, 500)}`);
    const [{ phase_ms: steps }]: Array<{ phase_ms: Record<string, number> | null }> = await ds.query(
      `SELECT phase_ms FROM usage_imports ORDER BY created_at DESC LIMIT 1`,
    );
    ctx.log(`usage: import ${(imported.ms / 1000).toFixed(1)} s; ms per step ${JSON.stringify(steps)}`);
    if (statements) {
      ctx.log('usage: statements by total execution time (pg_stat_statements, nested included):');
      for (const line of await topStatements(ds, Number(process.env.BENCH_PG_STATEMENTS_TOP ?? 15))) ctx.log(line);
    }
    const apiRate = ROWS / (imported.ms / 1000);
    const ratio = apiRate / copyRate;
    const [{ rated }]: Array<{ rated: number }> = await ds.query(`SELECT count(*)::int AS rated FROM usage_records WHERE rated_net > 0`);
    const [{ entries }]: Array<{ entries: number }> = await ds.query(
      `SELECT count(*)::int AS entries FROM journal_entries WHERE source_type = 'usage'`,
    );
    const problems = await ledger.verify();

    const label = `${ROWS.toLocaleString('en')} rows (${(bytes / 2 ** 20).toFixed(0)} MiB CSV)`;
    results.push(
      {
        benchmark: 'usage',
        metric: `import + rate + post through the API, ${label}`,
        value: round(imported.ms / 1000, 2),
        unit: 's',
        goal: '< 20 s',
        pass: imported.ms < 20_000,
      },
      { benchmark: 'usage', metric: 'API import rows/s', value: Math.round(apiRate), unit: 'rows/s' },
      {
        benchmark: 'usage',
        metric: 'plain COPY of the same file into an unindexed table, rows/s',
        value: Math.round(copyRate),
        unit: 'rows/s',
      },
      {
        benchmark: 'usage',
        metric: 'API / COPY (rows/s)',
        value: round(ratio, 3),
        unit: '×',
        goal: '≥ 0.25',
        pass: ratio >= 0.25,
      },
      {
        benchmark: 'usage',
        metric: 'API peak RSS during the import',
        value: round(peakKiB / 1024, 1),
        unit: 'MiB',
        goal: '< 400 MiB',
        pass: peakKiB / 1024 < 400,
      },
      {
        benchmark: 'usage',
        metric: `records rated (of ${ROWS.toLocaleString('en')})`,
        value: rated,
        unit: 'records',
        goal: `${ROWS}`,
        pass: rated === ROWS,
      },
      { benchmark: 'usage', metric: 'daily ledger entries posted', value: entries, unit: 'entries' },
      {
        benchmark: 'usage',
        metric: 'ledger:verify differences after the import',
        value: problems.length,
        unit: '',
        goal: '0',
        pass: problems.length === 0,
      },
    );
  } finally {
    await api?.stop();
    fs.rmSync(file, { force: true });
    await close();
  }
  return results;
}

/** The bench file: line i is tenant i mod TENANTS, on day (i div TENANTS) mod 31 + 1, alternating meters. */
async function writeFile(file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('RecordId,RecordVersion,TenantId,MeterId,UsageDate,Quantity,Unit,VendorUnitCost,Currency\n');
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const tenant = i % TENANTS;
    const day = (Math.floor(i / TENANTS) % 31) + 1;
    const vm = i % 2 === 0;
    chunk +=
      `R${i},1,T${tenant},${vm ? 'VM' : 'GB'},${MONTH}-${String(day).padStart(2, '0')},${vm ? '24' : (100 + (i % 900)).toString()}.5,` +
      `${vm ? 'hour' : 'GB'},${vm ? '0.07' : '0.01'},AUD\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

/** Streams the file as the request body (never whole in this process either). */
function postFile(target: string, token: string, file: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    fs.createReadStream(file).pipe(req);
  });
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
