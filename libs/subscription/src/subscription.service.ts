import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, Dec, isCurrency, isValidCalendarDate, notFound, page, Page, preparedStatement, queryPrepared } from '@disty/core';
import { BILLING_FREQUENCIES, BillingFrequency, termSchedule, termSpan, Term, TERMS } from './domain/schedule';
import {
  ChargeRow, mapCharge, mapScheduledChange, mapSubscription, ScheduledChangeRow, SubscriptionRow, SubscriptionStatus, SubscriptionView, TermRow, ChargeView,
} from './dto/subscription.response';
import { subscriptionError, SubscriptionErrorCode } from './errors';
import { CHARGE_COLUMNS, returnedRows, SUBSCRIPTION_COLUMNS, TERM_COLUMNS } from './subscription.sql';

export interface ProvisionInput {
  resellerId: string;
  orderLineId: string;
  sku: string;
  quantity: number;
  /** Monthly unit price. */
  unitPrice: Dec;
  currency: Currency;
  term: Term;
  billingFrequency: BillingFrequency;
  startDate: string;
  endCustomer: { name: string; reference?: string };
}

export interface ProvisionResult {
  subscriptionId: string;
  firstCharge: { id: string; net: Dec; periodStart: string; periodEnd: string };
}

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
  /** The source an invoice line (and the credit reservation) refers to. */
  source: { type: 'subscription_charge'; id: string };
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
}

export const SUBSCRIPTION_CHARGE_SOURCE = 'subscription_charge';

/** provisionMany's statement: subscriptions (skipping order lines already provisioned), first terms and their charges. */
const PROVISION = preparedStatement(
  'subscription.provision',
  `WITH s AS (
     INSERT INTO subscriptions (id, reseller_id, order_line_id, sku, currency, term, billing_frequency, anchor_date, quantity,
                                term_no, term_start, term_end, unit_price, end_customer_name, end_customer_reference)
     SELECT i.id, i.reseller_id, i.order_line_id, i.sku, i.currency, i.term, i.billing_frequency, i.start_date, i.quantity,
            1, i.start_date, i.term_end, i.unit_price, i.end_customer_name, i.end_customer_reference
       FROM jsonb_to_recordset($1::jsonb) AS i(ord int, id uuid, reseller_id uuid, order_line_id uuid, sku text, currency text,
            term text, billing_frequency text, start_date date, term_end date, quantity int, unit_price numeric,
            end_customer_name text, end_customer_reference text)
      ORDER BY i.ord
     ON CONFLICT (order_line_id) DO NOTHING
     RETURNING id
   ), t AS (
     INSERT INTO subscription_terms (id, subscription_id, reseller_id, term_no, start_date, end_date, unit_price, quantity, currency,
                                     billing_frequency)
     SELECT i.term_id, i.id, i.reseller_id, 1, i.start_date, i.term_end, i.unit_price, i.quantity, i.currency, i.billing_frequency
       FROM jsonb_to_recordset($1::jsonb) AS i(ord int, id uuid, term_id uuid, reseller_id uuid, start_date date, term_end date,
            unit_price numeric, quantity int, currency text, billing_frequency text)
       JOIN s ON s.id = i.id
      ORDER BY i.ord
     RETURNING id
   ), c AS (
     INSERT INTO subscription_charges (id, reseller_id, subscription_id, term_id, kind, sku, billing_date, period_start, period_end,
                                       quantity, unit_price, amount, currency, description)
     SELECT c.id, c.reseller_id, c.subscription_id, c.term_id, 'TERM', c.sku, c.period_start, c.period_start, c.period_end,
            c.quantity, c.unit_price, c.amount, c.currency, c.description
       FROM jsonb_to_recordset($2::jsonb) AS c(ord int, id uuid, reseller_id uuid, subscription_id uuid, term_id uuid, sku text,
            period_start date, period_end date, quantity int, unit_price numeric, amount numeric, currency text, description text)
       JOIN t ON t.id = c.term_id
      ORDER BY c.ord
   )
   SELECT id FROM s`,
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(v: unknown): v is string {
  return typeof v === 'string' && DATE.test(v) && isValidCalendarDate(v);
}

export function termChargeDescription(sku: string, quantity: number, start: string, end: string): string {
  return `${sku} × ${quantity}, ${start} to ${end}`;
}

/**
 * Subscriptions: provisioning (called by ordering inside the order's transaction), reads, and the
 * charge ledger invoicing consumes. Seat changes, cancellation and renewals live in
 * SubscriptionChangeService and RenewalService, which reuse `insertCharges` and the row loaders.
 */
@Injectable()
export class SubscriptionService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
        anchor: input.startDate, term: input.term, billingFrequency: input.billingFrequency, termNo: 1,
        unitPrice, quantity: input.quantity, currency: input.currency,
      });
      const charges = schedule.map((p) => ({ id: randomUUID(), period: p }));
      const fresh = firstOfLine.get(input.orderLineId.toLowerCase()) === i;
      return { input, unitPrice, span: termSpan(input.startDate, input.term, 1), subscriptionId: randomUUID(), termId: randomUUID(), schedule, charges, fresh };
    });
    const writes = planned.filter((p) => p.fresh);
    const subscriptions = writes.map((p, ord) => ({
      ord, id: p.subscriptionId, term_id: p.termId, reseller_id: p.input.resellerId, order_line_id: p.input.orderLineId,
      sku: p.input.sku, currency: p.input.currency, term: p.input.term, billing_frequency: p.input.billingFrequency,
      start_date: p.span.start, term_end: p.span.end, quantity: p.input.quantity, unit_price: p.unitPrice.toFixed(),
      end_customer_name: p.input.endCustomer.name, end_customer_reference: p.input.endCustomer.reference ?? null,
    }));
    const charges = writes.flatMap((p) =>
      p.charges.map((c) => ({
        id: c.id, reseller_id: p.input.resellerId, subscription_id: p.subscriptionId, term_id: p.termId, sku: p.input.sku,
        period_start: c.period.start, period_end: c.period.end, quantity: p.input.quantity, unit_price: p.unitPrice.toFixed(),
        amount: c.period.amount.toFixed(), currency: p.input.currency,
        description: termChargeDescription(p.input.sku, p.input.quantity, c.period.start, c.period.end),
      })),
    ).map((c, ord) => ({ ord, ...c }));
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
        firstCharge: { id: p.charges[0].id, net: first.amount, periodStart: first.start, periodEnd: first.end },
      });
    }
    return out;
  }

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
    };
    const rows: Array<{ id: string; ord: number }> = await em.query(
      `WITH input AS (
         SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::date[],
                              $9::date[], $10::int[], $11::numeric[], $12::numeric[], $13::text[], $14::text[])
           AS i(ord, reseller_id, subscription_id, term_id, change_id, kind, sku, period_start, period_end, quantity,
                unit_price, amount, currency, description)
       ), ins AS (
         INSERT INTO subscription_charges (reseller_id, subscription_id, term_id, change_id, kind, sku, billing_date, period_start,
                                           period_end, quantity, unit_price, amount, currency, description)
         SELECT reseller_id, subscription_id, term_id, change_id, kind, sku, period_start, period_start, period_end, quantity,
                unit_price, amount, currency, description
           FROM input ORDER BY ord
         ON CONFLICT DO NOTHING
         RETURNING id, term_id, change_id, kind, period_start, subscription_id
       )
       SELECT ins.id, input.ord FROM ins JOIN input
         ON input.term_id = ins.term_id AND input.kind = ins.kind AND input.period_start = ins.period_start
        AND input.subscription_id = ins.subscription_id AND input.change_id IS NOT DISTINCT FROM ins.change_id`,
      [cols.ord, cols.reseller, cols.sub, cols.term, cols.change, cols.kind, cols.sku, cols.start, cols.end, cols.qty,
        cols.price, cols.amount, cols.currency, cols.description],
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
    return { ...mapSubscription(s, terms.get(id) ?? [], charges), scheduledChanges: scheduled.map(mapScheduledChange) };
  }

  /** The subscription's scheduled changes, pending first (by effective date), then resolved ones. */
  async scheduledChangesOf(em: EntityManager, subscriptionId: string): Promise<ScheduledChangeRow[]> {
    return em.query(
      `SELECT id, kind, new_quantity, to_char(effective_date, 'YYYY-MM-DD') AS effective_date, status, failure_reason, created_by,
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
    const terms = await this.termsOf(this.db.manager, rows.map((r) => r.id));
    return page(rows.map((r) => mapSubscription(r, terms.get(r.id) ?? [])), total, q);
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
   * Every unbilled (and not voided) charge of the reseller whose billing date is on or before
   * `periodEnd`, oldest first, LOCKED FOR UPDATE in the caller's transaction so that a concurrent
   * seat change cannot alter a charge while it is being invoiced. Amounts are net, already
   * rounded to minor units; credits are negative.
   */
  async unbilledCharges(em: EntityManager, resellerId: string, periodEnd: string): Promise<UnbilledCharge[]> {
    const rows: Array<ChargeRow & { tax_rate: string }> = await em.query(
      `SELECT ${CHARGE_COLUMNS}, c.tax_rate::text AS tax_rate FROM subscription_charges c
        WHERE c.reseller_id = $1 AND c.billing_date <= $2 AND c.billed_invoice_id IS NULL AND c.voided_at IS NULL
        ORDER BY c.billing_date, c.subscription_id, c.period_start, c.created_at, c.id
        FOR UPDATE`,
      [resellerId, periodEnd],
    );
    return rows.map((c) => ({
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
      source: { type: SUBSCRIPTION_CHARGE_SOURCE, id: c.id },
    }));
  }

  /**
   * Marks charges as billed on `invoiceId`, in the caller's transaction. A conditional update: a
   * charge already billed (or voided, or unknown) is refused with 409 and nothing is marked, so no
   * charge can ever sit on two invoices.
   */
  async markChargesBilled(em: EntityManager, chargeIds: string[], invoiceId: string): Promise<void> {
    const ids = [...new Set(chargeIds)];
    if (!ids.length) return;
    const updated = returnedRows<{ id: string }>(
      await em.query(
        `UPDATE subscription_charges SET billed_invoice_id = $2, billed_at = now()
          WHERE id = ANY($1::uuid[]) AND billed_invoice_id IS NULL AND voided_at IS NULL
          RETURNING id`,
        [ids, invoiceId],
      ),
    );
    if (updated.length !== ids.length) {
      const done = new Set(updated.map((r) => r.id));
      const refused = ids.filter((id) => !done.has(id));
      // Throwing aborts the caller's transaction, so the partial update above never commits.
      throw subscriptionError(
        SubscriptionErrorCode.AlreadyBilled,
        `Charges already billed, voided or unknown: ${refused.slice(0, 10).join(', ')}${refused.length > 10 ? ', …' : ''}`,
        { chargeIds: refused },
      );
    }
  }

  // ---------------------------------------------------------------- helpers

  private async existingProvision(em: EntityManager, input: ProvisionInput): Promise<ProvisionResult> {
    const rows: Array<{ subscription_id: string; id: string; amount: string; period_start: string; period_end: string; reseller_id: string }> =
      await em.query(
        `SELECT s.id AS subscription_id, s.reseller_id, c.id, c.amount::text AS amount,
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
      firstCharge: { id: r.id, net: new Dec(r.amount), periodStart: r.period_start, periodEnd: r.period_end },
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
