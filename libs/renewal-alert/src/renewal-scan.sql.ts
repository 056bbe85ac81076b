/**
 * The scan: ONE set-based statement over the published read-model views.
 *
 * Parameters: $1 asOf (date), $2 thresholds (int[]), $3 the windows' minimum days (int[]),
 * $4 currency codes (text[]), $5 their minor units (int[]).
 *
 * - `th` holds each threshold with its days-left window [min_days, threshold]: a term is due for
 *   threshold T when asOf + min_days ≤ term_end ≤ asOf + T (see domain/threshold-rule.ts).
 * - A candidate is dropped when its term already has an alert with a threshold ≤ T (so a term
 *   first seen at 45 days gets 60, later 30, never 90). The alert's key is the term's id and
 *   end: a renewed subscription's new term (new id, new end) starts fresh, and the old term is no
 *   longer in the view, so it raises nothing more.
 * - UNIQUE (source, source_id, term_end, threshold) with ON CONFLICT DO NOTHING makes every
 *   (term, threshold) raise once whatever runs concurrently.
 * - The outbox rows (one per raised alert per active webhook of its reseller subscribed to
 *   renewal_alert.raised) are written by the same statement, so they commit with the alerts.
 */
export const SCAN_SQL = `
WITH th AS (
  SELECT * FROM unnest($2::int[], $3::int[]) AS th(threshold, min_days)
), cur AS (
  SELECT * FROM unnest($4::text[], $5::int[]) AS cur(code, minor)
), cand AS (
  SELECT r.reseller_id, 'SUBSCRIPTION'::text AS source, r.term_id AS source_id, r.subscription_id, NULL::uuid AS order_line_id,
         r.sku, r.quantity, r.end_customer_name, r.end_customer_reference, r.term_end, th.threshold,
         (r.term_end - $1::date) AS days_left,
         round(COALESCE(cp.unit_price, r.unit_price)
               * (CASE r.term WHEN 'P1M' THEN 1 WHEN 'P1Y' THEN 12 WHEN 'P3Y' THEN 36 END) * r.quantity, cur.minor) AS renewal_value,
         r.currency
    FROM th
    JOIN renewal_subscription_terms r ON r.term_end BETWEEN $1::date + th.min_days AND $1::date + th.threshold
    JOIN cur ON cur.code = r.currency
    LEFT JOIN catalog_current_prices cp ON cp.sku = r.sku AND cp.currency = r.currency
   WHERE NOT EXISTS (
           SELECT 1 FROM renewal_alerts a
            WHERE a.source = 'SUBSCRIPTION' AND a.source_id = r.term_id AND a.term_end = r.term_end
              AND a.threshold <= th.threshold)
  UNION ALL
  SELECT w.reseller_id, 'WARRANTY', w.order_line_id, NULL::uuid, w.order_line_id,
         w.sku, w.quantity, w.end_customer_name, w.end_customer_reference, w.warranty_end, th.threshold,
         (w.warranty_end - $1::date),
         round(COALESCE(ew.unit_price * w.quantity, w.net), cur.minor),
         w.currency
    FROM th
    JOIN renewal_warranties w ON w.warranty_end BETWEEN $1::date + th.min_days AND $1::date + th.threshold
    JOIN cur ON cur.code = w.currency
    LEFT JOIN LATERAL (
      SELECT e.unit_price
        FROM catalog_current_prices h
        JOIN catalog_current_prices e ON e.sku = h.extended_warranty_sku AND e.currency = w.currency
       WHERE h.sku = w.sku
       LIMIT 1) ew ON true
   WHERE NOT EXISTS (
           SELECT 1 FROM renewal_alerts a
            WHERE a.source = 'WARRANTY' AND a.source_id = w.order_line_id AND a.term_end = w.warranty_end
              AND a.threshold <= th.threshold)
), ins AS (
  INSERT INTO renewal_alerts (reseller_id, source, source_id, subscription_id, order_line_id, sku, quantity,
                              end_customer_name, end_customer_reference, term_end, threshold, days_left, raised_as_of,
                              renewal_value, currency)
  SELECT reseller_id, source, source_id, subscription_id, order_line_id, sku, quantity,
         end_customer_name, end_customer_reference, term_end, threshold, days_left, $1::date, renewal_value, currency
    FROM cand
  ON CONFLICT ON CONSTRAINT renewal_alerts_once_key DO NOTHING
  RETURNING *
), outbox AS (
  INSERT INTO webhook_deliveries (webhook_id, reseller_id, event, payload)
  SELECT wh.id, ins.reseller_id, 'renewal_alert.raised',
         jsonb_build_object(
           'id', ins.id, 'resellerId', ins.reseller_id, 'source', ins.source,
           'subscriptionId', ins.subscription_id, 'orderLineId', ins.order_line_id,
           'endCustomer', jsonb_build_object('name', ins.end_customer_name, 'reference', ins.end_customer_reference),
           'sku', ins.sku, 'quantity', ins.quantity, 'termEnd', to_char(ins.term_end, 'YYYY-MM-DD'),
           'threshold', ins.threshold, 'daysLeft', ins.days_left, 'raisedAsOf', to_char(ins.raised_as_of, 'YYYY-MM-DD'),
           'renewalValue', round(ins.renewal_value, cur.minor)::text, 'currency', ins.currency::text, 'status', ins.status)
    FROM ins
    JOIN cur ON cur.code = ins.currency
    JOIN webhooks wh ON wh.reseller_id = ins.reseller_id AND wh.active AND 'renewal_alert.raised' = ANY (wh.events)
  RETURNING 1
)
SELECT (SELECT count(*) FROM ins)::int AS raised, (SELECT count(*) FROM outbox)::int AS queued`;
