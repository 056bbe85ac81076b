import fc from 'fast-check';
import { randomUUID } from 'crypto';
import Decimal from 'decimal.js';
import type { TestApp } from './support/app';
import type { OwnDatabase } from './support/own-database';
import { realToday } from './support/billing';

/**
 * Property (docs/accounting.md §3, "revenue recognition"): over random charges (net, first service
 * day, length, invoice date), random credit notes and random `through` sequences (in any order),
 * the recognition run releases each charge exactly as the cumulative-rounding model says: never a
 * day twice, never backwards, and recognised + deferred = invoiced net − credited from 2400, to the
 * cent, with every charge fully served releasing exactly that. The ledger's 2400 debits from
 * recognition equal the subledger's releases. Its own database: the run is global.
 */
describe('revenue recognition property (E2E)', () => {
  let t: TestApp;
  let db: OwnDatabase;
  let svc: import('#disty/invoicing').RevenueRecognitionService;
  let audit: import('#disty/invoicing').RecognitionAuditService;
  let releasedThrough: typeof import('#disty/invoicing').releasedThrough;

  beforeAll(async () => {
    const { useOwnDatabase } = await import('./support/own-database.js');
    db = await useOwnDatabase('recprop');
    const { createTestApp } = await import('./support/app.js');
    t = await createTestApp();
    const inv = await import('#disty/invoicing');
    svc = t.get(inv.RevenueRecognitionService);
    audit = t.get(inv.RecognitionAuditService);
    releasedThrough = inv.releasedThrough;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const DAY = 86_400_000;
  const today = realToday();
  const dateAt = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const lo = Date.parse('2023-06-01');
  const hi = Date.parse(today) - DAY; // through defaults to yesterday at most
  const day = fc.integer({ min: 0, max: Math.floor((hi - lo) / DAY) }).map((n) => dateAt(lo + n * DAY));
  const dayIndex = (d: string, start: string) => Math.round((Date.parse(d) - Date.parse(start)) / DAY) + 1;

  interface Model {
    chargeId: string;
    lineId: string;
    resellerId: string;
    start: string;
    days: number;
    availableOn: string;
    net: Decimal;
    credited: Decimal;
    baseDays: number;
    baseAmount: Decimal;
    recognisedDays: number;
    recognised: Decimal;
  }
  const all: Model[] = [];

  const charge = fc.record({
    netCents: fc.oneof(fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: -300_000, max: -1 }), fc.constantFrom(1, 2, 99, 36_500)),
    start: day,
    days: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 28, max: 1100 }), fc.constantFrom(365, 366, 1095)),
    lag: fc.integer({ min: -20, max: 60 }),
  });
  const step = fc.oneof(
    { weight: 3, arbitrary: day.map((through) => ({ kind: 'run' as const, through })) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('credit' as const),
        which: fc.nat(),
        cents: fc.integer({ min: 1, max: 2_000_000 }),
      }),
    },
  );

  it('recognised + deferred = invoiced net per charge to the cent, no day twice, monotonic (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(charge, { minLength: 1, maxLength: 4 }),
        fc.array(step, { minLength: 1, maxLength: 6 }),
        async (charges, steps) => {
          const resellerId = randomUUID();
          const mine: Model[] = [];
          for (const c of charges) {
            const net = new Decimal(c.netCents).div(100);
            const end = dateAt(Date.parse(c.start) + (c.days - 1) * DAY);
            const avail = dateAt(Math.min(Math.max(Date.parse(c.start) + c.lag * DAY, lo), hi));
            const m: Model = {
              chargeId: randomUUID(),
              lineId: randomUUID(),
              resellerId,
              start: c.start,
              days: c.days,
              availableOn: avail,
              net,
              credited: new Decimal(0),
              baseDays: 0,
              baseAmount: new Decimal(0),
              recognisedDays: 0,
              recognised: new Decimal(0),
            };
            await t.db.query(
              `INSERT INTO revenue_schedules (charge_id, invoice_line_id, invoice_id, subscription_id, reseller_id, sku, vendor, currency, scale, quantity,
                                            period_start, period_end, days, net, cost, available_on, deferred_on)
             VALUES ($1, $2, gen_random_uuid(), gen_random_uuid(), $3, 'PROP', 'Vendor', 'AUD', 2, 1, $4, $5, $6, $7, 0, $8, $8)`,
              [m.chargeId, m.lineId, resellerId, c.start, end, c.days, net.toFixed(2), avail],
            );
            mine.push(m);
            all.push(m);
          }
          for (const s of steps) {
            if (s.kind === 'run') {
              await svc.run(s.through, null);
              for (const m of all) {
                if (m.availableOn > s.through) continue;
                const d = Math.min(Math.max(dayIndex(s.through, m.start), 0), m.days);
                if (d <= m.recognisedDays) continue;
                m.recognised = new Decimal(
                  releasedThrough(
                    {
                      netEff: m.net.minus(m.credited) as never,
                      baseDays: m.baseDays,
                      baseAmount: m.baseAmount as never,
                      days: m.days,
                      scale: 2,
                    },
                    d,
                  ).toFixed(),
                );
                m.recognisedDays = d;
              }
            } else {
              const m = mine[s.which % mine.length];
              const asked = new Decimal(s.cents).div(100);
              const part = await t.db.transaction((em) =>
                svc.creditDeferred(em, { id: randomUUID(), issueDate: today, resellerId, currency: 'AUD' }, [
                  { invoiceLineId: m.lineId, net: asked as never },
                ]),
              );
              const deferred = m.net.minus(m.credited).minus(m.recognised);
              const expected = m.net.gt(0) ? Decimal.max(0, Decimal.min(asked, deferred)) : new Decimal(0);
              expect(part.toFixed(2)).toBe(expected.toFixed(2));
              if (!expected.isZero()) {
                m.credited = m.credited.plus(expected);
                m.baseDays = m.recognisedDays;
                m.baseAmount = m.recognised;
              }
            }
          }
          // The database agrees with the model, charge by charge.
          const rows: Array<{
            charge_id: string;
            recognised_days: number;
            recognised_revenue: string;
            credited_deferred: string;
            net: string;
            days: number;
            rows_revenue: string | null;
            rows_days: number | null;
            n: number;
            contiguous: boolean;
          }> = await t.db.query(
            `SELECT s.charge_id, s.recognised_days, s.recognised_revenue::text, s.credited_deferred::text, s.net::text, s.days,
                  r.revenue::text AS rows_revenue, r.days AS rows_days, coalesce(r.n, 0) AS n, coalesce(r.contiguous, true) AS contiguous
             FROM revenue_schedules s
             LEFT JOIN LATERAL (
               SELECT sum(revenue) AS revenue, sum(days)::int AS days, count(*)::int AS n,
                      bool_and(prev_to IS NULL OR from_date = prev_to + 1) AS contiguous
                 FROM (SELECT revenue, days, from_date, lag(to_date) OVER (ORDER BY from_date) AS prev_to
                         FROM revenue_recognitions WHERE charge_id = s.charge_id) x) r ON true
            WHERE s.charge_id = ANY($1::uuid[])`,
            [all.map((m) => m.chargeId)],
          );
          const byId = new Map(rows.map((r) => [r.charge_id, r]));
          for (const m of all) {
            const r = byId.get(m.chargeId)!;
            expect([r.recognised_days, new Decimal(r.recognised_revenue).toFixed(2), new Decimal(r.credited_deferred).toFixed(2)]).toEqual([
              m.recognisedDays,
              m.recognised.toFixed(2),
              m.credited.toFixed(2),
            ]);
            // No day twice, in order: the rows cover exactly the first recognised_days days.
            expect([r.rows_days ?? 0, new Decimal(r.rows_revenue ?? 0).toFixed(2), r.contiguous]).toEqual([
              m.recognisedDays,
              m.recognised.toFixed(2),
              true,
            ]);
            const deferred = m.net.minus(m.credited).minus(m.recognised);
            expect(m.recognised.plus(deferred).plus(m.credited).toFixed(2)).toBe(m.net.toFixed(2));
            if (m.net.gte(0)) expect(deferred.gte(0) && m.recognised.gte(0)).toBe(true);
            else expect(deferred.lte(0) && m.recognised.lte(0)).toBe(true);
            if (m.recognisedDays === m.days) expect(deferred.toFixed(2)).toBe('0.00');
          }
          expect(await audit.findings()).toEqual([]);
          // The ledger: this reseller's 2400 debits from recognition (net of credits) = its releases.
          const [{ ledger }] = await t.db.query(
            `SELECT coalesce(sum(l.debit - l.credit), 0)::text AS ledger FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
            WHERE e.source_type = 'recognition' AND l.account_code = '2400' AND l.reseller_id = $1`,
            [resellerId],
          );
          expect(new Decimal(ledger).toFixed(2)).toBe(mine.reduce((s, m) => s.plus(m.recognised), new Decimal(0)).toFixed(2));
        },
      ),
      { numRuns: 40 },
    );
  });
});
