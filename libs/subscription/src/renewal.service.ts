// Owns renewals: new subscription_terms and their subscription_charges, expiries (subscriptions.status), and applying due subscription_scheduled_changes (what a renewed term takes: RenewalTermsService).
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Dec, ProblemError, retryOnConflict, roundMoney } from '#disty/core';
import { CreditReservationService, ReservationItem } from '#disty/reseller';
import { AppliedTaxCode } from '#disty/tax';
import { periodCost, periodMonths, termMonths, termNoContaining, termSchedule, termSpan } from './domain/schedule';
import { PriceInForce, RenewalTermsService } from './renewal-terms.service';
import { DueScheduledChange, SubscriptionChangeService } from './subscription-change.service';
import { SubscriptionRow } from './subscription.sql';
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
  /** Scheduled changes applied on their effective date. */
  scheduledApplied: number;
  /** Scheduled changes that could not be applied (marked FAILED with the reason). */
  scheduledFailed: number;
}

const BATCH = 250;
/**
 * Catch-up is bounded: at most this many new terms per subscription, and about this many new
 * charges, per transaction. A subscription further behind stays due and is continued by the next
 * batch (each batch commits), so a run that dies half-way resumes where it stopped.
 */
export const MAX_TERMS_PER_SUBSCRIPTION_PER_BATCH = 24;
export const MAX_CHARGES_PER_BATCH = 5000;

interface NewTerm {
  s: SubscriptionRow;
  termNo: number;
  start: string;
  end: string;
  unitPrice: Dec;
  /** The catalog's cost beside the price the term takes (null: not known). */
  unitCost: Dec | null;
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
    private readonly credit: CreditReservationService,
    private readonly changes: SubscriptionChangeService,
    private readonly terms: RenewalTermsService,
  ) {}

  /**
   * Renews and expires what is due before `asOf`, and applies the scheduled changes dated on or
   * before it, in date order: terms are renewed up to each change's date first, so the change
   * lands in the term that contains it.
   */
  async run(asOf: string): Promise<RenewalRunSummary> {
    const summary: RenewalRunSummary = {
      asOf,
      processed: 0,
      renewed: 0,
      expired: 0,
      scheduledApplied: 0,
      scheduledFailed: 0,
    };
    const prices = new Map<string, PriceInForce>();
    const taxRates = new Map<string, AppliedTaxCode>();
    const dates: Array<{ d: string }> = await this.db.query(
      `SELECT DISTINCT to_char(effective_date, 'YYYY-MM-DD') AS d FROM subscription_scheduled_changes
        WHERE status = 'PENDING' AND kind <> 'RENEWAL' AND effective_date <= $1 ORDER BY 1`,
      [asOf],
    );
    for (const { d } of dates) {
      await this.renewUpTo(d, summary, prices, taxRates);
      await this.applyScheduled(d, summary);
    }
    await this.renewUpTo(asOf, summary, prices, taxRates);
    if (summary.processed || summary.scheduledApplied || summary.scheduledFailed) this.logger.log(summary, 'renewal run');
    return summary;
  }

  private async renewUpTo(
    asOf: string,
    summary: RenewalRunSummary,
    prices: Map<string, PriceInForce>,
    taxRates: Map<string, AppliedTaxCode>,
  ) {
    for (;;) {
      const r = await retryOnConflict(() => this.db.transaction((em) => this.batch(em, asOf, prices, taxRates)));
      summary.processed += r.processed;
      summary.renewed += r.renewed;
      summary.expired += r.expired;
      if (r.processed < BATCH && !r.more) break;
    }
  }

  /**
   * Applies the PENDING scheduled changes dated `date`, each in its own transaction (claimed with
   * SKIP LOCKED, so concurrent runs never apply one twice). A change that cannot be applied (the
   * CLOUD credit line is short for an increase, the subscription ended…) is marked FAILED with the
   * reason and changes nothing else.
   */
  private async applyScheduled(date: string, summary: RenewalRunSummary) {
    for (;;) {
      const claimed = await retryOnConflict(() =>
        this.db.transaction(async (em) => {
          const [c]: DueScheduledChange[] = await em.query(
            `SELECT id, subscription_id, kind, new_quantity, to_char(effective_date, 'YYYY-MM-DD') AS effective_date, created_by
               FROM subscription_scheduled_changes WHERE status = 'PENDING' AND kind <> 'RENEWAL' AND effective_date = $1
              ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
            [date],
          );
          if (!c) return null;
          try {
            await em.query('SAVEPOINT scheduled_change');
            await this.changes.applyScheduled(em, c);
            await em.query(`UPDATE subscription_scheduled_changes SET status = 'APPLIED', resolved_at = now() WHERE id = $1`, [c.id]);
            summary.scheduledApplied++;
          } catch (err) {
            if (!(err instanceof ProblemError) || err.status >= 500) throw err;
            await em.query('ROLLBACK TO SAVEPOINT scheduled_change');
            await em.query(
              `UPDATE subscription_scheduled_changes SET status = 'FAILED', failure_reason = $2, resolved_at = now() WHERE id = $1`,
              [c.id, `${err.slug}: ${err.message}`.slice(0, 1000)],
            );
            summary.scheduledFailed++;
          }
          return c;
        }),
      );
      if (!claimed) break;
    }
  }

  private async batch(
    em: EntityManager,
    asOf: string,
    prices: Map<string, PriceInForce>,
    taxRates: Map<string, AppliedTaxCode>,
  ): Promise<{ processed: number; renewed: number; expired: number; more: boolean }> {
    // Ordered by reseller so credit lines are locked in one global order (no deadlocks between runs).
    const due: SubscriptionRow[] = await em.query(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions s
        WHERE (s.status = 'ACTIVE' OR (s.status = 'CANCELLED' AND s.cancel_at_term_end)) AND s.term_end < $1
        ORDER BY s.reseller_id, s.id LIMIT ${BATCH}
        FOR UPDATE SKIP LOCKED`,
      [asOf],
    );
    if (!due.length) return { processed: 0, renewed: 0, expired: 0, more: false };

    const ended = due.filter((s) => s.status === 'CANCELLED');
    const active = due.filter((s) => s.status === 'ACTIVE');
    const renewing = active.filter((s) => s.auto_renew && !s.cancel_at_term_end);
    const expiring = active.filter((s) => !(s.auto_renew && !s.cancel_at_term_end));
    if (expiring.length) {
      await em.query(`UPDATE subscriptions SET status = 'EXPIRED', updated_at = now() WHERE id = ANY($1::uuid[])`, [
        expiring.map((s) => s.id),
      ]);
    }
    const notRenewed = [...expiring, ...ended].map((s) => s.id);
    if (notRenewed.length) {
      // A change asked for at a renewal that does not happen can never apply.
      await em.query(
        `UPDATE subscription_scheduled_changes SET status = 'FAILED', failure_reason = 'not-renewed: the subscription ended at term end',
                resolved_at = now()
          WHERE subscription_id = ANY($1::uuid[]) AND kind = 'RENEWAL' AND status = 'PENDING'`,
        [notRenewed],
      );
    }
    if (ended.length) {
      // A cancellation at term end has taken effect: no longer pending, service ended the day after the term.
      await em.query(
        `UPDATE subscriptions SET cancel_at_term_end = false, cancelled_on = term_end + 1, updated_at = now() WHERE id = ANY($1::uuid[])`,
        [ended.map((s) => s.id)],
      );
    }

    // Bounded catch-up: a subscription many terms behind gets at most
    // MAX_TERMS_PER_SUBSCRIPTION_PER_BATCH of them here, and the batch stops adding terms past
    // MAX_CHARGES_PER_BATCH charges; what is left stays due for the next batch (`more`).
    const newTerms: NewTerm[] = [];
    let budget = MAX_CHARGES_PER_BATCH;
    let more = false;
    const atRenewal = await this.terms.changesAtRenewal(em, renewing);
    const appliedAtRenewal = new Map<string, string>();
    for (const current of renewing) {
      const s = await this.terms.withChangeAtRenewal(em, prices, current, atRenewal.get(current.id), appliedAtRenewal);
      // The catalog's price and cost in force; without a price in the currency the term keeps its own.
      const inForce = await this.terms.price(em, prices, s.sku, s.currency, s.term);
      const price = inForce?.unitPrice ?? new Dec(s.unit_price);
      const cost = inForce ? inForce.unitCost : s.unit_cost == null ? null : new Dec(s.unit_cost);
      const target = s.anchor_term_no + termNoContaining(s.anchor_date, s.term, asOf);
      const perTerm = termMonths(s.term) / periodMonths(s.term, s.billing_frequency);
      const room = Math.max(0, Math.min(MAX_TERMS_PER_SUBSCRIPTION_PER_BATCH, Math.floor(budget / perTerm)));
      const last = Math.min(target, s.term_no + room);
      if (last < target) more = true;
      for (let n = s.term_no + 1; n <= last; n++) {
        newTerms.push({
          s,
          termNo: n,
          ...termSpan(s.anchor_date, s.term, n - s.anchor_term_no),
          unitPrice: price,
          unitCost: cost,
        });
        budget -= perTerm;
      }
    }
    if (!newTerms.length) return { processed: due.length, renewed: 0, expired: expiring.length, more };

    // A renewed term takes the tax code (and its rate) the rules give on its first day, for the
    // product's category and the reseller's country and registration then (docs/accounting.md §8).
    const termTax: AppliedTaxCode[] = [];
    for (const t of newTerms) termTax.push(await this.terms.taxCode(em, taxRates, t.s, t.start));
    const termRates = termTax.map((x) => x.rate.toFixed());
    const inserted: Array<{ id: string; subscription_id: string; term_no: number }> = await em.query(
      `INSERT INTO subscription_terms (subscription_id, reseller_id, term_no, start_date, end_date, unit_price, quantity, currency, billing_frequency,
                                       tax_rate, tax_code, unit_cost, term, anchor_date, anchor_term_no)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::date[], $5::date[], $6::numeric[], $7::int[], $8::text[], $9::text[],
                            $10::numeric[], $11::text[], $12::numeric[], $13::text[], $14::date[], $15::int[])
       ON CONFLICT (subscription_id, term_no) DO NOTHING
       RETURNING id, subscription_id, term_no`,
      [
        newTerms.map((t) => t.s.id),
        newTerms.map((t) => t.s.reseller_id),
        newTerms.map((t) => t.termNo),
        newTerms.map((t) => t.start),
        newTerms.map((t) => t.end),
        newTerms.map((t) => t.unitPrice.toFixed()),
        newTerms.map((t) => t.s.quantity),
        newTerms.map((t) => t.s.currency),
        newTerms.map((t) => t.s.billing_frequency),
        termRates,
        termTax.map((x) => x.code || null),
        newTerms.map((t) => t.unitCost?.toFixed() ?? null),
        newTerms.map((t) => t.s.term),
        newTerms.map((t) => t.s.anchor_date),
        newTerms.map((t) => t.s.anchor_term_no),
      ],
    );
    const termIds = new Map(inserted.map((r) => [`${r.subscription_id}:${r.term_no}`, r.id]));
    const created = newTerms.filter((t) => termIds.has(`${t.s.id}:${t.termNo}`));

    const charges: NewCharge[] = [];
    const firstChargeIndex: Array<{ t: NewTerm; index: number }> = [];
    for (const t of created) {
      const schedule = termSchedule({
        anchor: t.s.anchor_date,
        term: t.s.term,
        billingFrequency: t.s.billing_frequency,
        termNo: t.termNo - t.s.anchor_term_no,
        unitPrice: t.unitPrice,
        quantity: t.s.quantity,
        currency: t.s.currency,
      });
      firstChargeIndex.push({ t, index: charges.length });
      for (const p of schedule) {
        charges.push({
          resellerId: t.s.reseller_id,
          subscriptionId: t.s.id,
          termId: termIds.get(`${t.s.id}:${t.termNo}`)!,
          kind: 'TERM',
          sku: t.s.sku,
          periodStart: p.start,
          periodEnd: p.end,
          quantity: t.s.quantity,
          unitPrice: t.unitPrice,
          amount: p.amount,
          currency: t.s.currency,
          description: termChargeDescription(t.s.sku, t.s.quantity, p.start, p.end),
          unitCost: t.unitCost,
          cost: periodCost(t.unitCost, p.months, t.s.quantity, t.s.currency),
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
              unit_cost = t.unit_cost, sku = t.sku, quantity = t.quantity, billing_frequency = t.billing_frequency, term = t.term,
              anchor_date = t.anchor_date, anchor_term_no = t.anchor_term_no, updated_at = now()
         FROM unnest($1::uuid[], $2::int[], $3::date[], $4::date[], $5::numeric[], $6::numeric[], $7::text[], $8::int[], $9::text[],
                     $10::text[], $11::date[], $12::int[])
           AS t(id, term_no, term_start, term_end, unit_price, unit_cost, sku, quantity, billing_frequency, term, anchor_date, anchor_term_no)
        WHERE s.id = t.id`,
      [
        last.map((t) => t.s.id),
        last.map((t) => t.termNo),
        last.map((t) => t.start),
        last.map((t) => t.end),
        last.map((t) => t.unitPrice.toFixed()),
        last.map((t) => t.unitCost?.toFixed() ?? null),
        last.map((t) => t.s.sku),
        last.map((t) => t.s.quantity),
        last.map((t) => t.s.billing_frequency),
        last.map((t) => t.s.term),
        last.map((t) => t.s.anchor_date),
        last.map((t) => t.s.anchor_term_no),
      ],
    );
    // Changes at renewal: APPLIED in the transaction that created their term, under the
    // subscription's row lock (exactly once, however many runs race).
    const applied = created.map((t) => appliedAtRenewal.get(t.s.id)).filter((x): x is string => !!x);
    if (applied.length) {
      await em.query(
        `UPDATE subscription_scheduled_changes SET status = 'APPLIED', resolved_at = now() WHERE id = ANY($1::uuid[]) AND status = 'PENDING'`,
        [[...new Set(applied)]],
      );
    }

    // Each new term's first charge is reserved on CLOUD even past the limit: a renewal never cuts
    // off an end customer's service; the line then shows the excess and refuses new orders.
    const byReseller = new Map<string, ReservationItem[]>();
    for (const { t, index } of firstChargeIndex) {
      const id = chargeIds[index];
      const net = charges[index].amount;
      if (!id || !net.gt(0)) continue;
      const taxRate = (await this.terms.taxCode(em, taxRates, t.s, t.start)).rate;
      const items = byReseller.get(t.s.reseller_id) ?? [];
      items.push({
        line: 'CLOUD',
        amount: net.plus(roundMoney(net.times(taxRate), t.s.currency)),
        source: { type: SUBSCRIPTION_CHARGE_SOURCE, id },
      });
      byReseller.set(t.s.reseller_id, items);
    }
    for (const [resellerId, items] of [...byReseller.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      await this.credit.reserveCreditMany(em, resellerId, items, { allowOverLimit: true });
    }
    return { processed: due.length, renewed: created.length, expired: expiring.length, more };
  }
}
