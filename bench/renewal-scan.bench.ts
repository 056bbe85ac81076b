import { Clock } from '#disty/core';
import { AuthService, IdentityService, PasswordLinkOutbox } from '#disty/identity';
import { parseThresholds, RenewalAlertService } from '#disty/renewal-alert';
import { BenchContext, BenchResult, timed } from './support';

const TERMS = Number(process.env.BENCH_RENEWAL_TERMS ?? 1_000_000);
const RESELLERS = 1_000;
const SKUS = 50;
/** Resellers (of RESELLERS) with a webhook subscribed to renewal_alert.raised: their alerts also write outbox rows. */
const HOOKED = 100;
const AS_OF = '2027-01-01';

/**
 * The renewal-alert scan over 1,000,000 subscription terms generated in SQL: P1Y terms whose ends
 * spread evenly over the year after AS_OF (about a quarter fall inside the 90-day window), 3% cancelled
 * at term end, 2% expired; 1,000 resellers, 100 of them with a webhook. First scan (raises every
 * due alert and its outbox rows), a re-scan of the same day (raises nothing), and the next day's scan.
 */
export async function renewalScanBench(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const { ds, close } = await ctx.freshDatabase('renewal');
  try {
    ctx.log(`renewal scan: generating ${TERMS.toLocaleString('en')} subscription terms in SQL`);
    const gen = await timed(async () => {
      await ds.query(
        `CREATE TEMP TABLE bench_resellers AS SELECT g AS n, gen_random_uuid() AS id FROM generate_series(0, ${RESELLERS - 1}) g`,
      );
      await ds.query(`
        INSERT INTO products (sku, name, vendor, kind, term, billing_frequency)
        SELECT 'BENCH-CLOUD-' || g, 'Bench cloud ' || g, 'Bench', 'CLOUD', 'P1Y', 'MONTHLY' FROM generate_series(0, ${SKUS - 1}) g`);
      await ds.query(`
        INSERT INTO product_prices (sku, currency, unit_price, unit_cost)
        SELECT 'BENCH-CLOUD-' || g, 'AUD', 5 + g, round((5 + g) * 0.8, 2) FROM generate_series(0, ${SKUS - 1}) g`);
      await ds.query(`
        INSERT INTO subscriptions (reseller_id, order_line_id, sku, currency, term, billing_frequency, anchor_date, quantity, status,
                                   cancel_at_term_end, term_no, term_start, term_end, unit_price, end_customer_name)
        SELECT r.id, gen_random_uuid(), 'BENCH-CLOUD-' || (g % ${SKUS}), 'AUD', 'P1Y', 'MONTHLY', s.start, 1 + g % 20,
               CASE WHEN g % 100 < 3 THEN 'CANCELLED' WHEN g % 100 < 5 THEN 'EXPIRED' ELSE 'ACTIVE' END,
               g % 100 < 3, 1, s.start, (s.start + interval '1 year')::date - 1, 4 + g % ${SKUS}, 'End customer ' || g
          FROM generate_series(0, ${TERMS - 1}) g
          JOIN bench_resellers r ON r.n = g % ${RESELLERS}
          CROSS JOIN LATERAL (SELECT ('${AS_OF}'::date - 364 + (g % 365)) AS start) s`);
      await ds.query(`
        INSERT INTO subscription_terms (subscription_id, reseller_id, term_no, start_date, end_date, unit_price, quantity, currency, billing_frequency, tax_rate,
                                        term, anchor_date, anchor_term_no)
        SELECT id, reseller_id, 1, term_start, term_end, unit_price, quantity, currency, billing_frequency, 0.10, term, anchor_date, 0 FROM subscriptions`);
      await ds.query(`
        INSERT INTO webhooks (reseller_id, url, events, secret)
        SELECT id, 'http://127.0.0.1:9/bench', ARRAY['renewal_alert.raised'], 'whsec_bench' FROM bench_resellers WHERE n < ${HOOKED}`);
      // The state of a database whose subscriptions were not written a second ago: vacuumed and
      // analysed (autovacuum's work), and the load's dirty pages flushed, so the scan's timing is
      // the scan's and not the bulk load's hint-bit and checkpoint writes.
      await ds.query('VACUUM ANALYZE');
      await ds.query('CHECKPOINT');
    });
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM subscription_terms`);
    ctx.log(`renewal scan: ${n.toLocaleString('en')} terms generated in ${(gen.ms / 1000).toFixed(1)} s`);

    const service = new RenewalAlertService(
      ds,
      {
        jobsEnabled: false,
        scanCron: '0 0 0 * * *',
        thresholds: parseThresholds(process.env.RENEWAL_THRESHOLDS ?? '90,60,30'),
      },
      new IdentityService(ds, new AuthService(ds, new PasswordLinkOutbox())),
      new Clock(),
    );
    const first = await timed(() => service.scan(AS_OF));
    const rescan = await timed(() => service.scan(AS_OF));
    const nextDay = await timed(() => service.scan('2027-01-02'));
    const [{ alerts, outbox }] = await ds.query(
      `SELECT (SELECT count(*) FROM renewal_alerts)::int AS alerts, (SELECT count(*) FROM webhook_deliveries)::int AS outbox`,
    );
    const label = `${n.toLocaleString('en')} terms`;
    const s = (ms: number) => Math.round(ms / 10) / 100;
    results.push(
      {
        benchmark: 'renewalScan',
        metric: `first scan, ${label} (seconds)`,
        value: s(first.ms),
        unit: 's',
        goal: '< 5 s',
        pass: first.ms < 5000,
      },
      {
        benchmark: 'renewalScan',
        metric: 'first scan: alerts raised',
        value: first.value.raised,
        unit: 'alerts',
      },
      {
        benchmark: 'renewalScan',
        metric: 'first scan: webhook outbox rows written',
        value: first.value.webhookDeliveries,
        unit: 'rows',
      },
      {
        benchmark: 'renewalScan',
        metric: `re-scan of the same day, ${label} (seconds)`,
        value: s(rescan.ms),
        unit: 's',
        goal: '< 2 s',
        pass: rescan.ms < 2000,
      },
      {
        benchmark: 'renewalScan',
        metric: 're-scan: alerts raised',
        value: rescan.value.raised,
        unit: 'alerts',
        goal: '0',
        pass: rescan.value.raised === 0,
      },
      {
        benchmark: 'renewalScan',
        metric: `next day's scan, ${label} (seconds)`,
        value: s(nextDay.ms),
        unit: 's',
      },
      {
        benchmark: 'renewalScan',
        metric: "next day's scan: alerts raised",
        value: nextDay.value.raised,
        unit: 'alerts',
      },
      {
        benchmark: 'renewalScan',
        metric: 'alerts in the table = sum raised',
        value: alerts,
        unit: 'alerts',
        pass:
          alerts === first.value.raised + nextDay.value.raised &&
          outbox === first.value.webhookDeliveries + nextDay.value.webhookDeliveries,
      },
    );
  } finally {
    await close();
  }
  return results;
}
