// Owns subscriptions, subscription_terms and subscription_charges as read, and charge inserts and billing marks.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, Dec, notFound, page, Page, preparedStatement, queryPrepared } from '#disty/core';
import {
  ChargeView,
  mapCharge,
  mapScheduledChange,
  mapSubscription,
  SubscriptionStatus,
  SubscriptionView,
} from './dto/subscription.response';
import {
  CHARGE_COLUMNS,
  ChargeRow,
  ScheduledChangeRow,
  SUBSCRIPTION_COLUMNS,
  SubscriptionRow,
  TERM_COLUMNS,
  TermRow,
  UUID,
} from './subscription.sql';

// Prepared (parsed and planned once per connection): the billing run runs them for every reseller
// (docs/performance.md, "Billing run").
const TAKE_UNBILLED_CHARGES = preparedStatement(
  'subscription.take-unbilled-charges',
  `WITH c AS (
     UPDATE subscription_charges SET billed_invoice_id = $3, billed_at = now()
      WHERE reseller_id = $1 AND billing_date <= $2 AND billed_invoice_id IS NULL AND voided_at IS NULL
     RETURNING *)
   SELECT ${CHARGE_COLUMNS}, c.tax_rate::text AS tax_rate, c.tax_code,
          (SELECT s.end_customer_id FROM subscriptions s WHERE s.id = c.subscription_id) AS end_customer_id
     FROM c
    ORDER BY c.billing_date, c.subscription_id, c.period_start, c.created_at, c.id`,
);
/** An unbilled charge as invoicing consumes it (net amount; tax is invoicing's business). */
export interface UnbilledCharge {
  id: string;
  resellerId: string;
  subscriptionId: string;
  termId: string;
  kind: 'TERM' | 'PRORATION' | 'CANCELLATION_CREDIT';
  sku: string;
  description: string;
  quantity: number;
  billingDate: string;
  periodStart: string;
  periodEnd: string;
  net: Dec;
  currency: Currency;
  creditLine: 'CLOUD';
  /** The tax rate in force for the charge's term (its order's, or the renewal's): the one its invoice uses. */
  taxRate: Dec;
  /** The tax code of the charge's term (null on terms written before tax codes). */
  taxCode: string | null;
  /** The source an invoice line (and the credit reservation) refers to. */
  source: { type: 'subscription_charge'; id: string };
  /** The unit cost and the charge's cost in force (null: not known), copied onto its invoice line. */
  unitCost: Dec | null;
  cost: Dec | null;
  /** The subscription's end customer record (null on subscriptions from before the records). */
  endCustomerId: string | null;
}

/** A term the renewal-alert scan looks at: running, and either renewing or cancelled at its end. */
export interface ListQuery {
  resellerId: string | null;
  status?: SubscriptionStatus;
  endsBefore?: string;
  sku?: string;
  page: number;
  pageSize: number;
}

/** A charge row ready for insertion. */
export interface NewCharge {
  resellerId: string;
  subscriptionId: string;
  termId: string;
  changeId?: string | null;
  kind: 'TERM' | 'PRORATION' | 'CANCELLATION_CREDIT';
  sku: string;
  periodStart: string;
  periodEnd: string;
  quantity: number;
  unitPrice: Dec;
  amount: Dec;
  currency: Currency;
  description: string;
  /** The term's unit cost (null: not known) and the charge's cost: same months, seats and sign as `amount`. */
  unitCost: Dec | null;
  cost: Dec | null;
}

export const SUBSCRIPTION_CHARGE_SOURCE = 'subscription_charge';

export function termChargeDescription(sku: string, quantity: number, start: string, end: string): string {
  return `${sku} × ${quantity}, ${start} to ${end}`;
}

/**
 * Subscriptions: reads, charge inserts and the charge ledger invoicing consumes. Provisioning lives
 * in SubscriptionProvisioningService; seat changes, cancellation and renewals in
 * SubscriptionChangeService and RenewalService, which reuse `insertCharges` and the row loaders.
 */
@Injectable()
export class SubscriptionService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Inserts charges set-based (one statement); a charge that already exists (same unique key) is
   * skipped. Returns the new ids in input order (null where skipped).
   */
  async insertCharges(em: EntityManager, charges: NewCharge[]): Promise<Array<string>> {
    if (!charges.length) return [];
    const cols = {
      ord: charges.map((_, i) => i),
      reseller: charges.map((c) => c.resellerId),
      sub: charges.map((c) => c.subscriptionId),
      term: charges.map((c) => c.termId),
      change: charges.map((c) => c.changeId ?? null),
      kind: charges.map((c) => c.kind),
      sku: charges.map((c) => c.sku),
      start: charges.map((c) => c.periodStart),
      end: charges.map((c) => c.periodEnd),
      qty: charges.map((c) => c.quantity),
      price: charges.map((c) => c.unitPrice.toFixed()),
      amount: charges.map((c) => c.amount.toFixed()),
      currency: charges.map((c) => c.currency),
      description: charges.map((c) => c.description),
      unitCost: charges.map((c) => c.unitCost?.toFixed() ?? null),
      cost: charges.map((c) => c.cost?.toFixed() ?? null),
    };
    const rows: Array<{ id: string; ord: number }> = await em.query(
      `WITH input AS (
         SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::date[],
                              $9::date[], $10::int[], $11::numeric[], $12::numeric[], $13::text[], $14::text[], $15::numeric[], $16::numeric[])
           AS i(ord, reseller_id, subscription_id, term_id, change_id, kind, sku, period_start, period_end, quantity,
                unit_price, amount, currency, description, unit_cost, cost)
       ), ins AS (
         INSERT INTO subscription_charges (reseller_id, subscription_id, term_id, change_id, kind, sku, billing_date, period_start,
                                           period_end, quantity, unit_price, amount, currency, description, tax_rate, tax_code, unit_cost, cost)
         SELECT i.reseller_id, i.subscription_id, i.term_id, i.change_id, i.kind, i.sku, i.period_start, i.period_start, i.period_end,
                i.quantity, i.unit_price, i.amount, i.currency, i.description, t.tax_rate, t.tax_code, i.unit_cost, i.cost
           FROM input i JOIN subscription_terms t ON t.id = i.term_id ORDER BY i.ord
         ON CONFLICT DO NOTHING
         RETURNING id, term_id, change_id, kind, period_start, subscription_id
       )
       SELECT ins.id, input.ord FROM ins JOIN input
         ON input.term_id = ins.term_id AND input.kind = ins.kind AND input.period_start = ins.period_start
        AND input.subscription_id = ins.subscription_id AND input.change_id IS NOT DISTINCT FROM ins.change_id`,
      [
        cols.ord,
        cols.reseller,
        cols.sub,
        cols.term,
        cols.change,
        cols.kind,
        cols.sku,
        cols.start,
        cols.end,
        cols.qty,
        cols.price,
        cols.amount,
        cols.currency,
        cols.description,
        cols.unitCost,
        cols.cost,
      ],
    );
    const out: string[] = new Array(charges.length).fill(null);
    for (const r of rows) out[r.ord] = r.id;
    return out;
  }

  // ---------------------------------------------------------------- reads

  async get(id: string, resellerScope: string | null, em: EntityManager = this.db.manager): Promise<SubscriptionView> {
    const s = await this.findRow(em, id, resellerScope);
    if (!s) throw notFound(`Subscription ${id}`);
    // One after the other: inside a transaction they share one connection, which runs one query at a time.
    const terms = await this.termsOf(em, [id]);
    const charges = await this.chargesOf(em, id);
    const scheduled = await this.scheduledChangesOf(em, id);
    return {
      ...mapSubscription(s, terms.get(id) ?? [], charges),
      scheduledChanges: scheduled.map(mapScheduledChange),
    };
  }

  /** The subscription's scheduled changes, pending first (by effective date), then resolved ones. */
  async scheduledChangesOf(em: EntityManager, subscriptionId: string): Promise<ScheduledChangeRow[]> {
    return em.query(
      `SELECT id, kind, new_quantity, new_sku, new_term, new_billing_frequency, to_char(effective_date, 'YYYY-MM-DD') AS effective_date,
              status, failure_reason, created_by,
              created_at, resolved_at
         FROM subscription_scheduled_changes WHERE subscription_id = $1
        ORDER BY (status = 'PENDING') DESC, effective_date, created_at, id`,
      [subscriptionId],
    );
  }

  async list(q: ListQuery): Promise<Page<SubscriptionView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.resellerId) add('s.reseller_id = ?', q.resellerId);
    if (q.status) add('s.status = ?', q.status);
    if (q.endsBefore) add('s.term_end < ?', q.endsBefore);
    if (q.sku) add('s.sku = ?', q.sku);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM subscriptions s ${cond}`, params);
    const rows: SubscriptionRow[] = await this.db.query(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions s ${cond}
        ORDER BY s.term_end, s.created_at, s.id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    const terms = await this.termsOf(
      this.db.manager,
      rows.map((r) => r.id),
    );
    return page(
      rows.map((r) => mapSubscription(r, terms.get(r.id) ?? [])),
      total,
      q,
    );
  }

  /** The subscription row, or null if unknown or (with a scope) another reseller's. */
  async findRow(em: EntityManager, id: string, resellerScope: string | null, lock = false): Promise<SubscriptionRow | null> {
    if (!UUID.test(id)) return null;
    const rows: SubscriptionRow[] = await em.query(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscriptions s WHERE s.id = $1 AND ($2::uuid IS NULL OR s.reseller_id = $2::uuid)
       ${lock ? 'FOR UPDATE' : ''}`,
      [id, resellerScope],
    );
    return rows[0] ?? null;
  }

  async termsOf(em: EntityManager, subscriptionIds: string[]): Promise<Map<string, TermRow[]>> {
    const out = new Map<string, TermRow[]>();
    if (!subscriptionIds.length) return out;
    const rows: TermRow[] = await em.query(
      `SELECT ${TERM_COLUMNS} FROM subscription_terms t WHERE t.subscription_id = ANY($1::uuid[]) ORDER BY t.subscription_id, t.term_no`,
      [subscriptionIds],
    );
    for (const r of rows) {
      const list = out.get(r.subscription_id) ?? [];
      list.push(r);
      out.set(r.subscription_id, list);
    }
    return out;
  }

  async chargesOf(em: EntityManager, subscriptionId: string): Promise<ChargeRow[]> {
    return em.query(
      `SELECT ${CHARGE_COLUMNS} FROM subscription_charges c WHERE c.subscription_id = $1
        ORDER BY c.period_start, c.created_at, c.kind, c.id`,
      [subscriptionId],
    );
  }

  async charges(subscriptionId: string, resellerScope: string | null): Promise<ChargeView[]> {
    const s = await this.findRow(this.db.manager, subscriptionId, resellerScope);
    if (!s) throw notFound(`Subscription ${subscriptionId}`);
    return (await this.chargesOf(this.db.manager, subscriptionId)).map(mapCharge);
  }

  // ---------------------------------------------------------------- for invoicing

  /**
   * The billing run's take: every unbilled (and not voided) charge of the reseller whose billing
   * date is on or before `periodEnd`, oldest first, marked billed on `invoiceId` by the statement
   * that locks it (each row written once, billed once: a second take finds nothing), in the caller's
   * transaction. Amounts are net, already rounded to minor units; credits are negative. A
   * concurrent seat change waits for that transaction, so it never alters a charge being invoiced;
   * if the transaction rolls back (nothing issued), the charges are unbilled again.
   */
  async takeUnbilledCharges(em: EntityManager, resellerId: string, periodEnd: string, invoiceId: string): Promise<UnbilledCharge[]> {
    return (await queryPrepared<UnbilledChargeRow>(em, TAKE_UNBILLED_CHARGES, [resellerId, periodEnd, invoiceId])).map(unbilledCharge);
  }
}

type UnbilledChargeRow = ChargeRow & { tax_rate: string; tax_code: string | null; end_customer_id: string | null };

function unbilledCharge(c: UnbilledChargeRow): UnbilledCharge {
  return {
    id: c.id,
    resellerId: c.reseller_id,
    subscriptionId: c.subscription_id,
    termId: c.term_id,
    kind: c.kind,
    sku: c.sku,
    description: c.description,
    quantity: c.quantity,
    billingDate: c.billing_date,
    periodStart: c.period_start,
    periodEnd: c.period_end,
    net: new Dec(c.amount),
    currency: c.currency,
    creditLine: 'CLOUD',
    taxRate: new Dec(c.tax_rate),
    taxCode: c.tax_code,
    source: { type: SUBSCRIPTION_CHARGE_SOURCE, id: c.id },
    unitCost: c.unit_cost == null ? null : new Dec(c.unit_cost),
    cost: c.cost == null ? null : new Dec(c.cost),
    endCustomerId: c.end_customer_id,
  };
}
