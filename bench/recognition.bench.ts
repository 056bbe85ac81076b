import { ConfigService } from '@nestjs/config';
import { Clock, Dec, ReadDatabase } from '#disty/core';
import { RecognitionAuditService, RevenueRecognitionService } from '#disty/invoicing';
import { AccountCode, FxRateService, LedgerBatchService, LedgerService, PeriodCloseChecks } from '#disty/ledger';
import { CostAccrualService } from '#disty/purchasing';
import { MARGIN_GROUPS, MarginGroup, MarginReportService } from '#disty/reporting';
import { generateBillingData } from './billing-data';
import { BenchContext, BenchResult, timed } from './support';

const RESELLERS = 1_000;
const CHARGES = Number(process.env.BENCH_RECOGNITION_CHARGES ?? 100_000);
const CATCH_UP = '2025-08-31';
const MONTH_END = '2025-09-30';
/** A year of recognised data after the month end, for the margin report. */
const YEAR_FROM = '2025-10-01';
const YEAR_TO = '2026-09-30';

/**
 * Revenue recognition at size: 100,000 invoiced cloud charges (1,000 resellers) open in September
 * 2025: a quarter monthly (starting 1–15 September), half 12-month and a quarter 36-month prepaid
 * (starting any day from 2025-06-01 to 2025-09-30), each invoiced (into 2400) at the end of the
 * month it starts, with a cost of 70% of its net. Generated in SQL into the owning tables (charges
 * through billing-data, invoices, lines and their 2400 postings here). A catch-up run through
 * August releases everything before September; the month-end run through September releases one
 * month of every charge (the measured figure), a re-run releases nothing, and 2400 equals the
 * subledger afterwards. Then a run through the next twelve months (October 2025 to September 2026) gives a
 * year of recognised revenue and cost, over which the gross-margin report is timed per grouping.
 */
export async function recognitionBench(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const { ds, close } = await ctx.freshDatabase('recognition');
  try {
    ctx.log(`recognition: generating ${CHARGES.toLocaleString('en')} invoiced cloud charges in SQL`);
    const qr = ds.createQueryRunner();
    await qr.connect();
    const gen = await timed(async () => {
      await generateBillingData((sql, params) => qr.query(sql, params as unknown[]), {
        resellers: RESELLERS,
        subscriptionsPerReseller: Math.round(CHARGES / RESELLERS),
        hardwarePerReseller: 0,
        periodStart: '2025-09-01',
        tag: 'REC',
      });
      await qr.query(`INSERT INTO products (sku, name, vendor, kind, term, billing_frequency)
                      SELECT 'REC-M365-' || g, 'Bench cloud ' || g, 'Microsoft', 'CLOUD', 'P1Y', 'UPFRONT' FROM generate_series(0, 19) g`);
      // One charge per subscription (its second month dropped), reshaped: monthly, 12- or 36-month prepaid.
      await qr.query(`DELETE FROM subscription_charges WHERE period_start > '2025-09-01'`);
      await qr.query(`
        WITH c AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM subscription_charges)
        UPDATE subscription_charges s SET
               period_start = x.start, billing_date = x.start,
               period_end = (x.start + make_interval(months => x.months) - interval '1 day')::date,
               amount = s.unit_price * s.quantity * x.months, unit_cost = round(s.unit_price * 0.7, 4),
               cost = round(s.unit_price * s.quantity * x.months * 0.7, 2)
          FROM c CROSS JOIN LATERAL (SELECT CASE WHEN c.k % 4 = 0 THEN ('2025-09-01'::date + (c.k % 15)::int)
                                                 ELSE ('2025-06-01'::date + (c.k % 122)::int) END AS start,
                                            CASE c.k % 4 WHEN 0 THEN 1 WHEN 3 THEN 36 ELSE 12 END AS months) x
         WHERE s.id = c.id`);
      // One invoice per reseller and month the charges start in, issued at that month's end.
      await qr.query(`
        CREATE TEMP TABLE rec_inv AS
        SELECT gen_random_uuid() AS id, reseller_id, (date_trunc('month', period_start) + interval '1 month' - interval '1 day')::date AS issue_date,
               sum(amount) AS net, sum(round(amount * 0.1, 2)) AS tax
          FROM subscription_charges GROUP BY 2, 3`);
      await qr.query(`
        INSERT INTO invoices (id, year, seq, number, reseller_id, reseller_name, period_end, currency, tax_rate, issue_date, due_date,
                              hardware_net, hardware_tax, hardware_gross, cloud_net, cloud_tax, cloud_gross, creditable_net)
        SELECT id, y, n, 'INV-' || y || '-' || lpad(n::text, 6, '0'), reseller_id, 'Bench reseller', issue_date, 'AUD', 0.1, issue_date, issue_date + 30, 0, 0, 0, net, tax, net + tax, net
          FROM (SELECT *, extract(year FROM issue_date)::int AS y,
                       row_number() OVER (PARTITION BY extract(year FROM issue_date) ORDER BY issue_date, id)::int AS n FROM rec_inv) r`);
      await qr.query(`
        INSERT INTO invoice_lines (invoice_id, reseller_id, line_no, credit_line, source_type, source_id, sku, description, quantity,
                                   period_start, period_end, net, tax, gross, tax_rate, unit_cost, cost)
        SELECT i.id, c.reseller_id, row_number() OVER (PARTITION BY i.id ORDER BY c.id), 'CLOUD', 'subscription_charge', c.id, c.sku, c.description,
               c.quantity, c.period_start, c.period_end, c.amount, round(c.amount * 0.1, 2), c.amount + round(c.amount * 0.1, 2), 0.1, c.unit_cost, c.cost
          FROM subscription_charges c
          JOIN rec_inv i ON i.reseller_id = c.reseller_id AND i.issue_date = (date_trunc('month', c.period_start) + interval '1 month' - interval '1 day')::date`);
      await qr.query(
        `UPDATE subscription_charges c SET billed_invoice_id = l.invoice_id, billed_at = now() FROM invoice_lines l WHERE l.source_id = c.id`,
      );
      // Each invoice's entry: 1110 gross / 2400 net + 2100 tax (as InvoiceService posts it).
      await qr.query('BEGIN');
      await qr.query(`
        WITH e AS (
          INSERT INTO journal_entries (entry_date, memo, source_type, source_id)
          SELECT issue_date, 'Invoice (bench) ' || id, 'invoice', id::text FROM rec_inv RETURNING id, source_id, entry_date)
        INSERT INTO journal_lines (entry_id, line_no, account_code, reseller_id, currency, debit, credit, base_debit, base_credit, entry_date)
        SELECT e.id, v.n, v.code, i.reseller_id, 'AUD', v.debit, v.credit, v.debit, v.credit, e.entry_date
          FROM e JOIN rec_inv i ON i.id::text = e.source_id
          CROSS JOIN LATERAL (VALUES (1, '1110', i.net + i.tax, 0::numeric), (2, '2400', 0, i.net), (3, '2100', 0, i.tax)) v(n, code, debit, credit)`);
      await qr.query('COMMIT');
      await qr.query('DROP TABLE rec_inv');
      await qr.query('VACUUM ANALYZE');
      await qr.query('CHECKPOINT');
    });
    await qr.release();
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM invoice_lines WHERE credit_line = 'CLOUD'`);
    ctx.log(`recognition: ${n.toLocaleString('en')} invoiced charges generated in ${(gen.ms / 1000).toFixed(1)} s`);

    const clock = new Clock();
    const ledger = new LedgerService(ds, clock, new PeriodCloseChecks(), new FxRateService(ds, new ConfigService()), new ReadDatabase(ds));
    const service = new RevenueRecognitionService(ds, ledger, new CostAccrualService(), clock, new LedgerBatchService(ledger, clock));
    const catchUp = await timed(() => service.run(CATCH_UP, null));
    ctx.log(
      `recognition: catch-up through ${CATCH_UP}: ${catchUp.value.slices.toLocaleString('en')} slices in ${(catchUp.ms / 1000).toFixed(2)} s`,
    );
    await ds.query('ANALYZE revenue_schedules, revenue_recognitions, cost_accruals');
    const monthEnd = await timed(() => service.run(MONTH_END, null));
    const again = await timed(() => service.run(MONTH_END, null));
    ctx.log(`recognition: month end: ${monthEnd.value.slices.toLocaleString('en')} slices in ${(monthEnd.ms / 1000).toFixed(2)} s`);

    // 2400 per reseller = the subledger's deferred part, and the subledger explains itself.
    const audit = new RecognitionAuditService(ds);
    const expected = await audit.deferredBalances(null, null);
    const actual = await ledger.balances([AccountCode.DeferredRevenue]);
    const key = (r: string | null, c: string) => `${r}|${c}`;
    const diff = new Map<string, Dec>();
    for (const e of expected) diff.set(key(e.resellerId, e.currency), e.amount);
    for (const a of actual)
      diff.set(key(a.resellerId, a.currency), (diff.get(key(a.resellerId, a.currency)) ?? new Dec(0)).minus(a.credit.minus(a.debit)));
    const differences = [...diff.values()].filter((d) => !d.isZero()).length + (await audit.findings()).length;

    // A year of recognised data, then the margin report over it, per grouping.
    const year = await timed(() => service.run(YEAR_TO, null));
    ctx.log(`recognition: a year through ${YEAR_TO}: ${year.value.slices.toLocaleString('en')} slices in ${(year.ms / 1000).toFixed(2)} s`);
    await ds.query('ANALYZE revenue_recognitions');
    const margins = new MarginReportService(new ReadDatabase(ds));
    const marginRuns: Array<{ groupBy: MarginGroup; ms: number; rows: number }> = [];
    for (const groupBy of MARGIN_GROUPS) {
      await margins.report({ from: YEAR_FROM, to: YEAR_TO, groupBy }); // warm
      const r = await timed(() => margins.report({ from: YEAR_FROM, to: YEAR_TO, groupBy }));
      marginRuns.push({ groupBy, ms: r.ms, rows: r.value.items.length });
      ctx.log(`margin: a year by ${groupBy}: ${r.value.items.length} rows in ${r.ms.toFixed(0)} ms`);
    }

    const s = (ms: number) => Math.round(ms / 10) / 100;
    const label = `${n.toLocaleString('en')} charges`;
    results.push(
      {
        benchmark: 'recognition',
        metric: `catch-up run through ${CATCH_UP} (${catchUp.value.slices.toLocaleString('en')} slices)`,
        value: s(catchUp.ms),
        unit: 's',
      },
      {
        benchmark: 'recognition',
        metric: `month-end run over ${label} (${monthEnd.value.slices.toLocaleString('en')} slices)`,
        value: s(monthEnd.ms),
        unit: 's',
        goal: '< 10 s',
        pass: monthEnd.ms < 10_000 && monthEnd.value.slices === n,
      },
      {
        benchmark: 'recognition',
        metric: 're-run of the same through (slices released)',
        value: again.value.slices,
        unit: 'slices',
        goal: '0',
        pass: again.value.slices === 0,
      },
      {
        benchmark: 'recognition',
        metric: 're-run of the same through (seconds)',
        value: s(again.ms),
        unit: 's',
      },
      {
        benchmark: 'recognition',
        metric: '2400 vs recognition subledger differences',
        value: differences,
        unit: '',
        goal: '0',
        pass: differences === 0,
      },
      {
        benchmark: 'recognition',
        metric: `a year of recognition through ${YEAR_TO} (${year.value.slices.toLocaleString('en')} slices)`,
        value: s(year.ms),
        unit: 's',
      },
      ...marginRuns.map((m) => ({
        benchmark: 'margin',
        metric: `margin report over a year (${year.value.slices.toLocaleString('en')} recognised slices) by ${m.groupBy} (${m.rows} rows)`,
        value: Math.round(m.ms),
        unit: 'ms',
        goal: '< 1 s',
        pass: m.ms < 1_000,
      })),
    );
  } finally {
    await close();
  }
  return results;
}
