// Owns the creation of subscriptions with their first term and charges (subscriptions, subscription_terms, subscription_charges).
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { EntityManager } from 'typeorm';
import { Currency, Dec, isCurrency, isValidCalendarDate, queryPrepared } from '#disty/core';
import { BILLING_FREQUENCIES, BillingFrequency, periodCost, termSchedule, termSpan, Term, TERMS } from './domain/schedule';
import { subscriptionError, SubscriptionErrorCode } from './errors';
import { termChargeDescription } from './subscription.service';
import { PROVISION, UUID } from './subscription.sql';

export interface ProvisionInput {
  resellerId: string;
  orderLineId: string;
  sku: string;
  quantity: number;
  /** Monthly unit price. */
  unitPrice: Dec;
  /** The vendor's monthly unit cost in force (null: not known); the term and its charges keep it. */
  unitCost?: Dec | null;
  /** The tax rate in force when ordered (the order's); its term and charges keep it. */
  taxRate: Dec;
  /** The tax code chosen when ordered (docs/accounting.md §8); its term and charges keep it. */
  taxCode?: string | null;
  currency: Currency;
  term: Term;
  billingFrequency: BillingFrequency;
  startDate: string;
  /** The end customer; `id` links its record (ordering resolves it, docs/architecture.md). */
  endCustomer: { id?: string | null; name: string; reference?: string };
}

export interface ProvisionResult {
  subscriptionId: string;
  firstCharge: { id: string; net: Dec; cost: Dec | null; periodStart: string; periodEnd: string };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(v: unknown): v is string {
  return typeof v === 'string' && DATE.test(v) && isValidCalendarDate(v);
}

/** Provisioning: called by ordering inside the order's transaction, one subscription per cloud order line. */
@Injectable()
export class SubscriptionProvisioningService {
  /**
   * Creates the subscription, its first term and that term's unbilled charges, in the caller's
   * transaction. Idempotent per order line: provisioning the same order line again returns the
   * existing subscription and its first charge.
   */
  async provision(em: EntityManager, input: ProvisionInput): Promise<ProvisionResult> {
    return (await this.provisionMany(em, [input]))[0];
  }

  /**
   * provision() for several order lines at once (an order's cloud lines), results in input order:
   * every subscription, first term and charge is written by one statement. An order line that
   * already has a subscription (an earlier call, or a repeat in `inputs`) gets the existing one.
   */
  async provisionMany(em: EntityManager, inputs: ProvisionInput[]): Promise<ProvisionResult[]> {
    for (const input of inputs) this.assertProvisionInput(input);
    const firstOfLine = new Map<string, number>();
    inputs.forEach((input, i) => firstOfLine.set(input.orderLineId.toLowerCase(), firstOfLine.get(input.orderLineId.toLowerCase()) ?? i));
    const planned = inputs.map((input, i) => {
      const unitPrice = new Dec(input.unitPrice.toString());
      const schedule = termSchedule({
        anchor: input.startDate,
        term: input.term,
        billingFrequency: input.billingFrequency,
        termNo: 1,
        unitPrice,
        quantity: input.quantity,
        currency: input.currency,
      });
      const unitCost = input.unitCost == null ? null : new Dec(input.unitCost.toString());
      const charges = schedule.map((p) => ({
        id: randomUUID(),
        period: p,
        cost: periodCost(unitCost, p.months, input.quantity, input.currency),
      }));
      const fresh = firstOfLine.get(input.orderLineId.toLowerCase()) === i;
      return {
        input,
        unitPrice,
        unitCost,
        span: termSpan(input.startDate, input.term, 1),
        subscriptionId: randomUUID(),
        termId: randomUUID(),
        schedule,
        charges,
        fresh,
      };
    });
    const writes = planned.filter((p) => p.fresh);
    const subscriptions = writes.map((p, ord) => ({
      ord,
      id: p.subscriptionId,
      term_id: p.termId,
      reseller_id: p.input.resellerId,
      order_line_id: p.input.orderLineId,
      sku: p.input.sku,
      currency: p.input.currency,
      term: p.input.term,
      billing_frequency: p.input.billingFrequency,
      start_date: p.span.start,
      term_end: p.span.end,
      quantity: p.input.quantity,
      unit_price: p.unitPrice.toFixed(),
      tax_rate: p.input.taxRate.toFixed(),
      unit_cost: p.unitCost?.toFixed() ?? null,
      tax_code: p.input.taxCode ?? null,
      end_customer_id: p.input.endCustomer.id ?? null,
      end_customer_name: p.input.endCustomer.name,
      end_customer_reference: p.input.endCustomer.reference ?? null,
    }));
    const charges = writes
      .flatMap((p) =>
        p.charges.map((c) => ({
          id: c.id,
          reseller_id: p.input.resellerId,
          subscription_id: p.subscriptionId,
          term_id: p.termId,
          sku: p.input.sku,
          period_start: c.period.start,
          period_end: c.period.end,
          quantity: p.input.quantity,
          unit_price: p.unitPrice.toFixed(),
          amount: c.period.amount.toFixed(),
          currency: p.input.currency,
          unit_cost: p.unitCost?.toFixed() ?? null,
          cost: c.cost?.toFixed() ?? null,
          description: termChargeDescription(p.input.sku, p.input.quantity, c.period.start, c.period.end),
        })),
      )
      .map((c, ord) => ({ ord, ...c }));
    // One round trip: the subscriptions (skipping order lines already provisioned), the first term
    // of each one inserted, and that term's charges. Ids are made here, so nothing is read back.
    const inserted: Array<{ id: string }> = writes.length
      ? await queryPrepared<{ id: string }>(em, PROVISION, [JSON.stringify(subscriptions), JSON.stringify(charges)])
      : [];
    const done = new Set(inserted.map((r) => r.id));
    const out: ProvisionResult[] = [];
    for (const p of planned) {
      if (!done.has(p.subscriptionId)) {
        out.push(await this.existingProvision(em, p.input));
        continue;
      }
      const first = p.schedule[0];
      out.push({
        subscriptionId: p.subscriptionId,
        firstCharge: {
          id: p.charges[0].id,
          net: first.amount,
          cost: p.charges[0].cost,
          periodStart: first.start,
          periodEnd: first.end,
        },
      });
    }
    return out;
  }

  private async existingProvision(em: EntityManager, input: ProvisionInput): Promise<ProvisionResult> {
    const rows: Array<{
      subscription_id: string;
      id: string;
      amount: string;
      cost: string | null;
      period_start: string;
      period_end: string;
      reseller_id: string;
    }> = await em.query(
      `SELECT s.id AS subscription_id, s.reseller_id, c.id, c.amount::text AS amount, c.cost::text AS cost,
                to_char(c.period_start, 'YYYY-MM-DD') AS period_start, to_char(c.period_end, 'YYYY-MM-DD') AS period_end
           FROM subscriptions s
           JOIN subscription_terms t ON t.subscription_id = s.id AND t.term_no = 1
           JOIN subscription_charges c ON c.term_id = t.id AND c.kind = 'TERM'
          WHERE s.order_line_id = $1
          ORDER BY c.period_start LIMIT 1`,
      [input.orderLineId],
    );
    const r = rows[0];
    if (!r || r.reseller_id !== input.resellerId) {
      throw subscriptionError(SubscriptionErrorCode.InvalidSubscription, `Order line ${input.orderLineId} already has a subscription`);
    }
    return {
      subscriptionId: r.subscription_id,
      firstCharge: {
        id: r.id,
        net: new Dec(r.amount),
        cost: r.cost == null ? null : new Dec(r.cost),
        periodStart: r.period_start,
        periodEnd: r.period_end,
      },
    };
  }

  private assertProvisionInput(input: ProvisionInput): void {
    const bad = (detail: string) => subscriptionError(SubscriptionErrorCode.InvalidSubscription, detail);
    if (!UUID.test(input.resellerId ?? '')) throw bad('resellerId must be a UUID');
    if (!UUID.test(input.orderLineId ?? '')) throw bad('orderLineId must be a UUID');
    if (typeof input.sku !== 'string' || !input.sku) throw bad('sku is required');
    if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > 1_000_000) {
      throw bad('quantity must be a positive integer');
    }
    if (!isCurrency(input.currency)) throw bad(`Unknown currency ${String(input.currency)}`);
    if (!TERMS.includes(input.term)) throw bad(`Product ${input.sku} has no valid term (P1M, P1Y or P3Y)`);
    if (!BILLING_FREQUENCIES.includes(input.billingFrequency)) {
      throw bad(`Product ${input.sku} has no valid billing frequency (MONTHLY, ANNUAL or UPFRONT)`);
    }
    if (!isCalendarDate(input.startDate)) throw bad('startDate must be a calendar date YYYY-MM-DD');
    let price: Dec;
    try {
      price = new Dec(input.unitPrice.toString());
    } catch {
      throw bad('unitPrice must be a decimal');
    }
    if (!price.isFinite() || price.isNegative() || price.decimalPlaces() > 4) throw bad('unitPrice must be a non-negative decimal');
    if (!input.endCustomer || typeof input.endCustomer.name !== 'string' || !input.endCustomer.name.trim()) {
      throw bad('endCustomer.name is required');
    }
  }
}
