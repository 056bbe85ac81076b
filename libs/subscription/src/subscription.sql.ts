/** Column lists shared by the subscription queries (dates as YYYY-MM-DD text, numerics as strings). */
export const SUBSCRIPTION_COLUMNS = `
  s.id, s.reseller_id, s.order_line_id, s.sku, s.currency, s.term, s.billing_frequency,
  to_char(s.anchor_date, 'YYYY-MM-DD') AS anchor_date, s.quantity, s.status, s.auto_renew, s.cancel_at_term_end,
  to_char(s.cancelled_on, 'YYYY-MM-DD') AS cancelled_on, s.term_no,
  to_char(s.term_start, 'YYYY-MM-DD') AS term_start, to_char(s.term_end, 'YYYY-MM-DD') AS term_end,
  s.unit_price::text AS unit_price, s.end_customer_name, s.end_customer_reference, s.created_at, s.updated_at`;

export const TERM_COLUMNS = `
  t.id, t.subscription_id, t.term_no, to_char(t.start_date, 'YYYY-MM-DD') AS start_date,
  to_char(t.end_date, 'YYYY-MM-DD') AS end_date, t.unit_price::text AS unit_price, t.quantity, t.currency,
  t.billing_frequency, to_char(t.ended_on, 'YYYY-MM-DD') AS ended_on`;

export const CHARGE_COLUMNS = `
  c.id, c.reseller_id, c.subscription_id, c.term_id, c.change_id, c.kind, c.sku,
  to_char(c.billing_date, 'YYYY-MM-DD') AS billing_date, to_char(c.period_start, 'YYYY-MM-DD') AS period_start,
  to_char(c.period_end, 'YYYY-MM-DD') AS period_end, c.quantity, c.unit_price::text AS unit_price,
  c.amount::text AS amount, c.currency, c.credit_line, c.description, c.billed_invoice_id, c.voided_at`;

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
