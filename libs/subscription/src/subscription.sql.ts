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
