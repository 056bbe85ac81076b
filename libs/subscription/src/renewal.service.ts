import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, Dec, retryOnConflict } from '@disty/core';
import { CatalogService } from '@disty/catalog';
import { ReservationItem, ResellerService } from '@disty/reseller';
import { roundMoney, termNoContaining, termSchedule, termSpan } from './domain/schedule';
import { SubscriptionRow } from './dto/subscription.response';
import { NewCharge, SUBSCRIPTION_CHARGE_SOURCE, SubscriptionService, termChargeDescription } from './subscription.service';
import { SUBSCRIPTION_COLUMNS } from './subscription.sql';

export interface RenewalRunSummary {
  asOf: string;
  /** Subscriptions looked at (each due subscription once). */
  processed: number;
  /** New terms created (several per subscription when catching up missed terms). */
  renewed: number;
  /** Subscriptions that expired. */
  expired: number;
}

const BATCH = 250;

interface NewTerm {
  s: SubscriptionRow;
  termNo: number;
  start: string;
  end: string;
  unitPrice: Dec;
}

/**
 * Renews or expires every ACTIVE subscription whose current term ended before `asOf`; a
 * subscription CANCELLED at term end stays CANCELLED, its cancellation no longer pending.
 *
 * Safe with any number of concurrent runs: each batch claims its subscriptions with
 * `FOR UPDATE SKIP LOCKED` (two runs never process the same subscription at once), a processed
 * subscription no longer matches (its term now reaches `asOf`, or it expired), and
 * UNIQUE (subscription_id, term_no) forbids a second copy of any term whatever happens. Re-running
 * for the same `asOf` finds nothing to do. Work is set-based per batch: one INSERT for the terms,
 * one for all their charges, one UPDATE for the subscriptions, one credit reservation per reseller.
 */
@Injectable()
export class RenewalService {
  private readonly logger = new Logger('RenewalService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly subscriptions: SubscriptionService,
    private readonly catalog: CatalogService,
    private readonly resellers: ResellerService,
  ) {}

  async run(asOf: string): Promise<RenewalRunSummary> {
    const summary: RenewalRunSummary = { asOf, processed: 0, renewed: 0, expired: 0 };
    const prices = new Map<string, Dec | null>();
    const taxRates = new Map<string, Dec>();
    for (;;) {
      const r = await retryOnConflict(() => this.db.transaction((em) => this.batch(em, asOf, prices, taxRates)));
      summary.processed += r.processed;
      summary.renewed += r.renewed;
      summary.expired += r.expired;
      if (r.processed < BATCH) break;
    }
    if (summary.processed) this.logger.log(summary, 'renewal run');
    return summary;
  }

  private async batch(
    em: EntityManager,
    asOf: string,
    prices: Map<string, Dec | null>,
    taxRates: Map<string, Dec>,
  ): Promise<Omit<RenewalRunSummary, 'asOf'>> {
    // Ordered by reseller so credit lines are locked in one global order (no deadlocks between runs).
    const due: SubscriptionRow[] = await em.query(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions s
        WHERE (s.status = 'ACTIVE' OR (s.status = 'CANCELLED' AND s.cancel_at_term_end)) AND s.term_end < $1
        ORDER BY s.reseller_id, s.id LIMIT ${BATCH}
        FOR UPDATE SKIP LOCKED`,
      [asOf],
    );
    if (!due.length) return { processed: 0, renewed: 0, expired: 0 };

    const ended = due.filter((s) => s.status === 'CANCELLED');
    const active = due.filter((s) => s.status === 'ACTIVE');
    const renewing = active.filter((s) => s.auto_renew && !s.cancel_at_term_end);
    const expiring = active.filter((s) => !(s.auto_renew && !s.cancel_at_term_end));
    if (expiring.length) {
      await em.query(`UPDATE subscriptions SET status = 'EXPIRED', updated_at = now() WHERE id = ANY($1::uuid[])`, [
        expiring.map((s) => s.id),
      ]);
    }
    if (ended.length) {
      // A cancellation at term end has taken effect: no longer pending, service ended the day after the term.
      await em.query(
        `UPDATE subscriptions SET cancel_at_term_end = false, cancelled_on = term_end + 1, updated_at = now() WHERE id = ANY($1::uuid[])`,
        [ended.map((s) => s.id)],
      );
    }

    const newTerms: NewTerm[] = [];
    for (const s of renewing) {
      const price = (await this.price(em, prices, s.sku, s.currency)) ?? new Dec(s.unit_price);
      const target = termNoContaining(s.anchor_date, s.term, asOf);
      for (let n = s.term_no + 1; n <= target; n++) {
        newTerms.push({ s, termNo: n, ...termSpan(s.anchor_date, s.term, n), unitPrice: price });
      }
    }
    if (!newTerms.length) return { processed: due.length, renewed: 0, expired: expiring.length };

    const inserted: Array<{ id: string; subscription_id: string; term_no: number }> = await em.query(
      `INSERT INTO subscription_terms (subscription_id, reseller_id, term_no, start_date, end_date, unit_price, quantity, currency, billing_frequency)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::date[], $5::date[], $6::numeric[], $7::int[], $8::text[], $9::text[])
       ON CONFLICT (subscription_id, term_no) DO NOTHING
       RETURNING id, subscription_id, term_no`,
      [
        newTerms.map((t) => t.s.id), newTerms.map((t) => t.s.reseller_id), newTerms.map((t) => t.termNo),
        newTerms.map((t) => t.start), newTerms.map((t) => t.end), newTerms.map((t) => t.unitPrice.toFixed()),
        newTerms.map((t) => t.s.quantity), newTerms.map((t) => t.s.currency), newTerms.map((t) => t.s.billing_frequency),
      ],
    );
    const termIds = new Map(inserted.map((r) => [`${r.subscription_id}:${r.term_no}`, r.id]));
    const created = newTerms.filter((t) => termIds.has(`${t.s.id}:${t.termNo}`));

    const charges: NewCharge[] = [];
    const firstChargeIndex: Array<{ t: NewTerm; index: number }> = [];
    for (const t of created) {
      const schedule = termSchedule({
        anchor: t.s.anchor_date, term: t.s.term, billingFrequency: t.s.billing_frequency, termNo: t.termNo,
        unitPrice: t.unitPrice, quantity: t.s.quantity, currency: t.s.currency,
      });
      firstChargeIndex.push({ t, index: charges.length });
      for (const p of schedule) {
        charges.push({
          resellerId: t.s.reseller_id, subscriptionId: t.s.id, termId: termIds.get(`${t.s.id}:${t.termNo}`)!, kind: 'TERM',
          sku: t.s.sku, periodStart: p.start, periodEnd: p.end, quantity: t.s.quantity, unitPrice: t.unitPrice, amount: p.amount,
          currency: t.s.currency, description: termChargeDescription(t.s.sku, t.s.quantity, p.start, p.end),
        });
      }
    }
    const chargeIds = await this.subscriptions.insertCharges(em, charges);

    // The subscription now points at its latest term.
    const latest = new Map<string, NewTerm>();
    for (const t of created) if ((latest.get(t.s.id)?.termNo ?? 0) < t.termNo) latest.set(t.s.id, t);
    const last = [...latest.values()];
    await em.query(
      `UPDATE subscriptions s SET term_no = t.term_no, term_start = t.term_start, term_end = t.term_end, unit_price = t.unit_price,
              updated_at = now()
         FROM unnest($1::uuid[], $2::int[], $3::date[], $4::date[], $5::numeric[]) AS t(id, term_no, term_start, term_end, unit_price)
        WHERE s.id = t.id`,
      [last.map((t) => t.s.id), last.map((t) => t.termNo), last.map((t) => t.start), last.map((t) => t.end), last.map((t) => t.unitPrice.toFixed())],
    );

    // Each new term's first charge is reserved on CLOUD even past the limit: a renewal never cuts
    // off an end customer's service; the line then shows the excess and refuses new orders.
    const byReseller = new Map<string, ReservationItem[]>();
    for (const { t, index } of firstChargeIndex) {
      const id = chargeIds[index];
      const net = charges[index].amount;
      if (!id || !net.gt(0)) continue;
      const taxRate = await this.taxRate(em, taxRates, t.s.reseller_id);
      const items = byReseller.get(t.s.reseller_id) ?? [];
      items.push({ line: 'CLOUD', amount: net.plus(roundMoney(net.times(taxRate), t.s.currency)), source: { type: SUBSCRIPTION_CHARGE_SOURCE, id } });
      byReseller.set(t.s.reseller_id, items);
    }
    for (const [resellerId, items] of [...byReseller.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      await this.resellers.reserveCreditMany(em, resellerId, items, { allowOverLimit: true });
    }
    return { processed: due.length, renewed: created.length, expired: expiring.length };
  }

  private async price(em: EntityManager, cache: Map<string, Dec | null>, sku: string, currency: Currency): Promise<Dec | null> {
    const key = `${sku}\u0000${currency}`;
    if (!cache.has(key)) cache.set(key, await this.catalog.currentPrice(sku, currency, em));
    return cache.get(key)!;
  }

  private async taxRate(em: EntityManager, cache: Map<string, Dec>, resellerId: string): Promise<Dec> {
    if (!cache.has(resellerId)) cache.set(resellerId, (await this.resellers.getReseller(resellerId, em)).taxRate);
    return cache.get(resellerId)!;
  }
}
