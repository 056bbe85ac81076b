// Owns no table: reads subscriptions, subscription_terms, subscription_changes and subscription_charges for the service record.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, Dec } from '#disty/core';
import { BillingFrequency, billingPeriods, BillingPeriod, Term } from './domain/schedule';
import { periodServiceValue, SeatStep } from './domain/service-value';

/** One billing period of one term, with the value its service provided and the charges made for it. */
export interface ServicePeriod {
  subscriptionId: string;
  resellerId: string;
  currency: Currency;
  termNo: number;
  period: BillingPeriod;
  /** Exact value of the service provided in the period (seat-days × period price / days). */
  value: Dec;
  /** Every charge for the period (its TERM charge, proration charges and credits), void ones excluded. */
  charges: Array<{ id: string; amount: Dec; billed: boolean }>;
}

/**
 * Reads the service record (subscriptions, terms, seat changes, charges; owned by this module) for
 * the service-conservation check of `ledger:verify` (docs/money-integrity.md). Read-only.
 */
@Injectable()
export class ServiceRecordService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Every billing period of every term started, of every subscription (of one reseller when given). */
  async periods(resellerId: string | null = null, em: EntityManager = this.db.manager): Promise<ServicePeriod[]> {
    const subs: Array<{ id: string; reseller_id: string; currency: Currency }> = await em.query(
      `SELECT id, reseller_id, currency
           FROM subscriptions WHERE $1::uuid IS NULL OR reseller_id = $1 ORDER BY id`,
      [resellerId],
    );
    // Each term keeps the length, anchoring and billing frequency it was created under (a change at
    // renewal may give later terms others: docs/commitments.md).
    const terms: Array<{
      id: string;
      subscription_id: string;
      term_no: number;
      start_date: string;
      unit_price: string;
      quantity: number;
      term: Term;
      billing_frequency: BillingFrequency;
      anchor: string;
      anchor_term_no: number;
    }> = await em.query(
      `SELECT t.id, t.subscription_id, t.term_no, to_char(t.start_date, 'YYYY-MM-DD') AS start_date, t.unit_price::text AS unit_price, t.quantity,
                t.term, t.billing_frequency, to_char(t.anchor_date, 'YYYY-MM-DD') AS anchor, t.anchor_term_no
           FROM subscription_terms t WHERE $1::uuid IS NULL OR t.reseller_id = $1 ORDER BY t.subscription_id, t.term_no`,
      [resellerId],
    );
    const changes: Array<{
      term_id: string;
      kind: string;
      effective_date: string;
      old_quantity: number | null;
      new_quantity: number | null;
    }> = await em.query(
      `SELECT c.term_id, c.kind, to_char(c.effective_date, 'YYYY-MM-DD') AS effective_date, c.old_quantity, c.new_quantity
           FROM subscription_changes c
          WHERE ($1::uuid IS NULL OR c.reseller_id = $1) AND c.kind IN ('QUANTITY', 'CANCEL_IMMEDIATE')
          ORDER BY c.term_id, c.effective_date, c.created_at, c.id`,
      [resellerId],
    );
    const charges: Array<{
      id: string;
      term_id: string;
      period_start: string;
      amount: string;
      billed: boolean;
    }> = await em.query(
      `SELECT c.id, c.term_id, to_char(c.period_start, 'YYYY-MM-DD') AS period_start, c.amount::text AS amount,
              c.billed_invoice_id IS NOT NULL AS billed
         FROM subscription_charges c
        WHERE ($1::uuid IS NULL OR c.subscription_id IN (SELECT s.id FROM subscriptions s WHERE s.reseller_id = $1)) AND c.voided_at IS NULL`,
      [resellerId],
    );
    const termsOf = groupBy(terms, (t) => t.subscription_id);
    const changesOf = groupBy(changes, (c) => c.term_id);
    const chargesOf = groupBy(charges, (c) => c.term_id);

    const out: ServicePeriod[] = [];
    for (const s of subs) {
      for (const t of termsOf.get(s.id) ?? []) {
        const steps = seatSteps(t, changesOf.get(t.id) ?? []);
        const termCharges = chargesOf.get(t.id) ?? [];
        for (const p of billingPeriods(t.anchor, t.term, t.billing_frequency, t.term_no - t.anchor_term_no)) {
          out.push({
            subscriptionId: s.id,
            resellerId: s.reseller_id,
            currency: s.currency,
            termNo: t.term_no,
            period: p,
            value: periodServiceValue(p, new Dec(t.unit_price), steps),
            charges: termCharges
              .filter((c) => p.start <= c.period_start && c.period_start <= p.end)
              .map((c) => ({ id: c.id, amount: new Dec(c.amount), billed: c.billed })),
          });
        }
      }
    }
    return out;
  }
}

/**
 * A term's seats over time: its quantity at the start (the first change's old quantity, else the
 * term's quantity), then each seat change from its effective date, and 0 from an immediate cancellation.
 */
function seatSteps(
  term: { start_date: string; quantity: number },
  changes: Array<{
    kind: string;
    effective_date: string;
    old_quantity: number | null;
    new_quantity: number | null;
  }>,
): SeatStep[] {
  const first = changes.find((c) => c.kind === 'QUANTITY');
  const steps: SeatStep[] = [{ from: term.start_date, quantity: first?.old_quantity ?? term.quantity }];
  for (const c of changes)
    steps.push({
      from: c.effective_date,
      quantity: c.kind === 'CANCEL_IMMEDIATE' ? 0 : (c.new_quantity ?? 0),
    });
  return steps;
}

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const list = m.get(key(r));
    if (list) list.push(r);
    else m.set(key(r), [r]);
  }
  return m;
}
