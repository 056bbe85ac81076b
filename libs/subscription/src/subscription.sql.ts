import { Currency, preparedStatement } from '#disty/core';
import { BillingFrequency, Term } from './domain/schedule';
import type { ChargeKind, SubscriptionStatus } from './dto/subscription.response';

// The subscription module's SQL: column lists, statements and row types (subscriptions, terms, changes, scheduled changes, charges).

/** Column lists shared by the subscription queries (dates as YYYY-MM-DD text, numerics as strings). */
export const SUBSCRIPTION_COLUMNS = `
  s.id, s.reseller_id, s.order_line_id, s.sku, s.currency, s.term, s.billing_frequency,
  to_char(s.anchor_date, 'YYYY-MM-DD') AS anchor_date, s.quantity, s.status, s.auto_renew, s.cancel_at_term_end,
  to_char(s.cancelled_on, 'YYYY-MM-DD') AS cancelled_on, s.term_no, s.anchor_term_no,
  to_char(s.term_start, 'YYYY-MM-DD') AS term_start, to_char(s.term_end, 'YYYY-MM-DD') AS term_end,
  s.unit_price::text AS unit_price, s.end_customer_id, s.end_customer_name, s.end_customer_reference, s.created_at, s.updated_at,
  s.unit_cost::text AS unit_cost`;

export const TERM_COLUMNS = `
  t.id, t.subscription_id, t.term_no, to_char(t.start_date, 'YYYY-MM-DD') AS start_date,
  to_char(t.end_date, 'YYYY-MM-DD') AS end_date, t.unit_price::text AS unit_price, t.quantity, t.currency,
  t.billing_frequency, to_char(t.ended_on, 'YYYY-MM-DD') AS ended_on`;

export const CHARGE_COLUMNS = `
  c.id, c.reseller_id, c.subscription_id, c.term_id, c.change_id, c.kind, c.sku,
  to_char(c.billing_date, 'YYYY-MM-DD') AS billing_date, to_char(c.period_start, 'YYYY-MM-DD') AS period_start,
  to_char(c.period_end, 'YYYY-MM-DD') AS period_end, c.quantity, c.unit_price::text AS unit_price,
  c.amount::text AS amount, c.currency, c.credit_line, c.description, c.billed_invoice_id, c.voided_at,
  c.unit_cost::text AS unit_cost, c.cost::text AS cost`;

/**
 * The rows of an `UPDATE … RETURNING` run through EntityManager.query: TypeORM's postgres driver
 * answers UPDATE and DELETE with `[rows, rowCount]` instead of the rows.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** Rows as they come from pg (numeric as string, date as 'YYYY-MM-DD' text). */
export interface SubscriptionRow {
  id: string;
  reseller_id: string;
  order_line_id: string;
  sku: string;
  currency: Currency;
  term: Term;
  billing_frequency: BillingFrequency;
  anchor_date: string;
  quantity: number;
  status: SubscriptionStatus;
  auto_renew: boolean;
  cancel_at_term_end: boolean;
  cancelled_on: string | null;
  term_no: number;
  /** Terms before the current anchoring: term n spans termSpan(anchor_date, term, n − anchor_term_no) (docs/commitments.md). */
  anchor_term_no: number;
  term_start: string;
  term_end: string;
  unit_price: string;
  /** The current term's monthly unit cost (null: not known). */
  unit_cost: string | null;
  end_customer_id: string | null;
  end_customer_name: string;
  end_customer_reference: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface TermRow {
  id: string;
  subscription_id: string;
  term_no: number;
  start_date: string;
  end_date: string;
  unit_price: string;
  quantity: number;
  currency: Currency;
  billing_frequency: BillingFrequency;
  ended_on: string | null;
}

export interface ChargeRow {
  id: string;
  reseller_id: string;
  subscription_id: string;
  term_id: string;
  change_id: string | null;
  kind: ChargeKind;
  sku: string;
  billing_date: string;
  period_start: string;
  period_end: string;
  quantity: number;
  unit_price: string;
  amount: string;
  currency: Currency;
  unit_cost: string | null;
  cost: string | null;
  credit_line: 'CLOUD';
  description: string;
  billed_invoice_id: string | null;
  voided_at: Date | null;
}

export interface ScheduledChangeRow {
  id: string;
  kind: 'QUANTITY' | 'CANCEL_IMMEDIATE' | 'RENEWAL';
  new_quantity: number | null;
  new_sku: string | null;
  new_term: string | null;
  new_billing_frequency: string | null;
  effective_date: string;
  status: 'PENDING' | 'APPLIED' | 'CANCELLED' | 'FAILED';
  failure_reason: string | null;
  created_by: string | null;
  created_at: Date;
  resolved_at: Date | null;
}

/** provisionMany's statement: subscriptions (skipping order lines already provisioned), first terms and their charges. */
export const PROVISION = preparedStatement(
  'subscription.provision',
  `WITH s AS (
     INSERT INTO subscriptions (id, reseller_id, order_line_id, sku, currency, term, billing_frequency, anchor_date, quantity,
                                term_no, term_start, term_end, unit_price, end_customer_name, end_customer_reference, unit_cost,
                                end_customer_id)
     SELECT i.id, i.reseller_id, i.order_line_id, i.sku, i.currency, i.term, i.billing_frequency, i.start_date, i.quantity,
            1, i.start_date, i.term_end, i.unit_price, i.end_customer_name, i.end_customer_reference, i.unit_cost, i.end_customer_id
       FROM jsonb_to_recordset($1::jsonb) AS i(ord int, id uuid, reseller_id uuid, order_line_id uuid, sku text, currency text,
            term text, billing_frequency text, start_date date, term_end date, quantity int, unit_price numeric,
            end_customer_name text, end_customer_reference text, unit_cost numeric, end_customer_id uuid)
      ORDER BY i.ord
     ON CONFLICT (order_line_id) DO NOTHING
     RETURNING id
   ), t AS (
     INSERT INTO subscription_terms (id, subscription_id, reseller_id, term_no, start_date, end_date, unit_price, quantity, currency,
                                     billing_frequency, tax_rate, tax_code, unit_cost, term, anchor_date, anchor_term_no)
     SELECT i.term_id, i.id, i.reseller_id, 1, i.start_date, i.term_end, i.unit_price, i.quantity, i.currency, i.billing_frequency, i.tax_rate,
            i.tax_code, i.unit_cost, i.term, i.start_date, 0
       FROM jsonb_to_recordset($1::jsonb) AS i(ord int, id uuid, term_id uuid, reseller_id uuid, start_date date, term_end date,
            unit_price numeric, quantity int, currency text, billing_frequency text, tax_rate numeric, tax_code text, unit_cost numeric,
            term text)
       JOIN s ON s.id = i.id
      ORDER BY i.ord
     RETURNING id, tax_rate, tax_code
   ), c AS (
     INSERT INTO subscription_charges (id, reseller_id, subscription_id, term_id, kind, sku, billing_date, period_start, period_end,
                                       quantity, unit_price, amount, currency, description, tax_rate, tax_code, unit_cost, cost)
     SELECT c.id, c.reseller_id, c.subscription_id, c.term_id, 'TERM', c.sku, c.period_start, c.period_start, c.period_end,
            c.quantity, c.unit_price, c.amount, c.currency, c.description, t.tax_rate, t.tax_code, c.unit_cost, c.cost
       FROM jsonb_to_recordset($2::jsonb) AS c(ord int, id uuid, reseller_id uuid, subscription_id uuid, term_id uuid, sku text,
            period_start date, period_end date, quantity int, unit_price numeric, amount numeric, currency text, description text,
            unit_cost numeric, cost numeric)
       JOIN t ON t.id = c.term_id
      ORDER BY c.ord
   )
   SELECT id FROM s`,
);

/** An id the queries accept: anything else is not found without reaching the database's uuid cast. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
