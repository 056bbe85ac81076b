import { execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import { Clock, Dec, ReadDatabase } from '#disty/core';
import { FxRateService, LedgerService, PeriodCloseChecks } from '#disty/ledger';
import { ConfigService } from '@nestjs/config';
import { BenchContext, BenchResult, median, timed } from './support';

const ENTRIES = Number(process.env.BENCH_LEDGER_ENTRIES ?? 20_000);
const POSTERS = 8;
const TB_LINES = Number(process.env.BENCH_TB_LINES ?? 1_000_000);

/** Ledger postings/s (4 lines, 8 concurrent posters) beside pgbench TPC-B; trial balance at 1M lines. */
export async function ledgerBench(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const { ds, url, close } = await ctx.freshDatabase('ledger');
  try {
    const ledger = new LedgerService(ds, new Clock(), new PeriodCloseChecks(), new FxRateService(ds, new ConfigService()), new ReadDatabase(ds));
    const resellers = Array.from({ length: 200 }, () => randomUUID());
    let next = 0;
    const poster = async () => {
      for (;;) {
        const i = next++;
        if (i >= ENTRIES) return;
        const reseller = resellers[i % resellers.length];
        const net = new Dec(100 + (i % 997)).plus('0.45');
        const tax = net.times('0.1').toDecimalPlaces(2);
        await ledger.inTransaction((em) =>
          ledger.post(em, {
            entryDate: `2026-0${1 + (i % 9)}-15`,
            memo: 'bench invoice',
            source: { type: 'bench', id: String(i) },
            lines: [
              { accountCode: '1100', resellerId: reseller, currency: 'AUD', debit: net.plus(tax) },
              { accountCode: '1110', resellerId: reseller, currency: 'AUD', debit: net },
              { accountCode: '4000', resellerId: reseller, currency: 'AUD', credit: net.plus(net) },
              { accountCode: '2100', resellerId: reseller, currency: 'AUD', credit: tax },
            ],
          }),
        );
      }
    };
    ctx.log(`ledger: posting ${ENTRIES} entries with ${POSTERS} posters`);
    const { ms } = await timed(() => Promise.all(Array.from({ length: POSTERS }, poster)));
    const ledgerTps = ENTRIES / (ms / 1000);
    results.push({ benchmark: 'ledger', metric: 'entries posted/s (4 lines, 8 posters)', value: round(ledgerTps), unit: 'entries/s' });

    const pgbenchTps = runPgbench(ctx, url);
    if (pgbenchTps === null) {
      results.push({ benchmark: 'ledger', metric: 'pgbench TPC-B-like tps (8 clients)', value: null, unit: 'tps', note: 'pgbench not found: row skipped' });
    } else {
      results.push({ benchmark: 'ledger', metric: 'pgbench TPC-B-like tps (8 clients)', value: round(pgbenchTps), unit: 'tps' });
      const ratio = ledgerTps / pgbenchTps;
      results.push({ benchmark: 'ledger', metric: 'ledger / pgbench', value: round(ratio, 2), unit: '×', goal: '≥ 0.5', pass: ratio >= 0.5 });
    }

    const problems = await ledger.verify();
    results.push({ benchmark: 'ledger', metric: 'ledger:verify differences after the run', value: problems.length, unit: '', goal: '0', pass: problems.length === 0 });

    // Trial balance at 1,000,000 lines: bulk entries generated in SQL (4 lines each).
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM journal_lines');
    const missing = Math.max(0, TB_LINES - n);
    ctx.log(`ledger: generating ${missing} more lines in SQL for the trial balance`);
    await bulkLines(ds, Math.ceil(missing / 4));
    const [{ total }] = await ds.query('SELECT count(*)::int AS total FROM journal_lines');
    const times: number[] = [];
    for (let i = 0; i < 25; i++) times.push((await timed(() => ledger.trialBalance('2026-12-31', 'AUD'))).ms);
    const tb = await ledger.trialBalance('2026-12-31', 'AUD');
    const tbMs = median(times);
    results.push({
      benchmark: 'ledger',
      metric: `trial balance at ${total.toLocaleString('en')} lines (median of 25)`,
      value: round(tbMs, 1),
      unit: 'ms',
      goal: '< 50 ms',
      pass: tbMs < 50 && tb.totals.debit === tb.totals.credit,
    });
  } finally {
    await close();
  }
  return results;
}

async function bulkLines(ds: import('typeorm').DataSource, entries: number): Promise<void> {
  const batch = 50_000;
  for (let done = 0; done < entries; done += batch) {
    const n = Math.min(batch, entries - done);
    await ds.transaction(async (em) => {
      await em.query(
        `WITH e AS (
           INSERT INTO journal_entries (entry_date, memo, source_type, source_id)
           SELECT DATE '2026-01-01' + (g % 330), 'bulk', 'bulk', $1 || '-' || g FROM generate_series(1, $2) g
           RETURNING id, entry_date, source_id)
         INSERT INTO journal_lines (entry_id, line_no, account_code, reseller_id, currency, debit, credit, base_debit, base_credit, entry_date)
         SELECT e.id, l.n, l.code, NULL, 'AUD', l.d, l.c, l.d, l.c, e.entry_date
           FROM e CROSS JOIN (VALUES (1, '1100', 110.00, 0), (2, '1110', 55.00, 0), (3, '4000', 0, 150.00), (4, '2100', 0, 15.00))
             AS l(n, code, d, c)`,
        [`b${done}`, n],
      );
    });
  }
}

function runPgbench(ctx: BenchContext, url: string): number | null {
  const u = new URL(url);
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(u.password), PGHOST: u.hostname, PGPORT: u.port || '5432', PGUSER: decodeURIComponent(u.username) };
  const db = u.pathname.slice(1);
  try {
    execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  ctx.log('pgbench: initialising (scale 1) and running 20 s with 8 clients');
  execFileSync('pgbench', ['-i', '-q', '-s', '1', db], { env, stdio: 'ignore' });
  const out = execFileSync('pgbench', ['-c', '8', '-j', '2', '-T', '20', '-n', db], { env }).toString();
  const m = /tps = ([\d.]+)/.exec(out);
  return m ? Number(m[1]) : null;
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
