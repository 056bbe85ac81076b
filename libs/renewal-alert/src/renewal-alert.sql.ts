import { Currency } from '#disty/core';
import { outboxInsertSql } from '#disty/webhooks';
import { AlertKind, AlertSource, AlertStatus } from './domain/alert-status';

// The renewal-alert module's SQL: row types, column lists and the scan statement.

/** A renewal_alerts row as pg returns it (dates as text, numerics as strings). */
export interface AlertRow {
  id: string;
  reseller_id: string;
  source: AlertSource;
  source_id: string;
  subscription_id: string | null;
  order_line_id: string | null;
  sku: string;
  quantity: number;
  end_customer_name: string;
  end_customer_reference: string | null;
  term_end: string;
  threshold: number;
  days_left: number;
  raised_as_of: string;
  renewal_value: string;
  currency: Currency;
  status: AlertStatus;
  assignee_id: string | null;
  raised_at: Date;
  updated_at: Date;
  /** THRESHOLD: a 90/60/30 alert; WINDOW: a month-to-month term's commitment-window reminder (threshold 0). */
  kind: AlertKind;
}

/** A renewal card row: its current alert's columns and the renewal's aggregates (renewalCardsSql). */
export interface CardRow extends AlertRow {
  days_left_now: number;
  alert_ids: string[];
  thresholds: number[];
  renewal_status: AlertStatus;
  renewal_assignee: string | null;
}

/** A subscription's state beside its renewal card (the subscription module's renewal_subscription_states). */
export interface SubscriptionStateRow {
  subscription_id: string;
  auto_renew: boolean;
  cancel_at_term_end: boolean;
  window_closes_at: Date | null;
  change_id: string | null;
  change_quantity: number | null;
  change_sku: string | null;
  change_term: string | null;
  change_billing_frequency: string | null;
  change_effective_date: string | null;
}

export interface NoteRow {
  id: string;
  alert_id: string;
  author_id: string;
  body: string;
  created_at: Date;
  /** created_at to the microsecond (UTC), for ordering notes written within one millisecond. */
  created_key: string;
}

export const ALERT_COLUMNS = `
  a.id, a.reseller_id, a.source, a.source_id, a.subscription_id, a.order_line_id, a.sku, a.quantity,
  a.end_customer_name, a.end_customer_reference, to_char(a.term_end, 'YYYY-MM-DD') AS term_end, a.threshold, a.days_left,
  to_char(a.raised_as_of, 'YYYY-MM-DD') AS raised_as_of, a.renewal_value::text AS renewal_value, a.currency, a.status,
  a.assignee_id, a.raised_at, a.updated_at, a.kind`;

/**
 * The scan: one set-based statement over the published read-model views (per days-left part: the
 * service runs the window in parts side by side).
 *
 * Parameters: $1 asOf (date), $2 thresholds ascending (int[]), $3 currency codes (text[]), $4 their
 * minor units (int[]), $5 and $7 the days-left range this statement covers (0 and the largest
 * threshold for the whole scan; RenewalAlertService runs the range in parts side by side), $6 each
 * threshold's window start (int[], see thresholdWindows: 0, then one more than the previous threshold).
 *
 * - Candidates are the terms ending in [asOf + $5, asOf + $7] (an index range scan); all alerts of a
 *   term share its end, so a term is judged by exactly one part;
 *   each gets the threshold due, the smallest T ≥ daysLeft (domain/threshold-rule.ts), found with
 *   width_bucket over the window starts.
 * - `existing` holds, per term ending inside the window, the smallest threshold already raised. A
 *   term is identified there by its subscription (or order line) and its end, which is the same
 *   as its id (a subscription's terms have distinct ends), so the term id is only looked up, with
 *   one hash join, for the rows actually raised (none on a re-scan: an empty hash side ends the
 *   join without reading the terms).
 * - A subscription term raises a threshold's alert only when the term is longer (in days, first
 *   to last day) than the threshold: a short term never has a 90-day alert raised on its first
 *   day. A month-to-month (P1M) term raises no threshold alert at all (each month is a term: three
 *   alerts a month would be noise; its reminder is the commitment window's, not a threshold's).
 * - A candidate is dropped when its term already has an alert with a threshold ≤ T (so a term
 *   first seen at 45 days gets 60, later 30, never 90), or when its renewal is closed (an alert of
 *   the term is WON, LOST or DISMISSED: a closed renewal raises no further threshold). The alert's key is the term's id and
 *   end: a renewed subscription's new term (new id, new end) starts fresh, and the old term is no
 *   longer in the view, so it raises nothing more.
 * - UNIQUE (source, source_id, term_end, threshold) with ON CONFLICT DO NOTHING makes every
 *   (term, threshold) raise once whatever runs concurrently.
 * - Run it with enable_nestloop off (RenewalAlertService does, for this statement only): it is a
 *   bulk statement whose right plan is hash joins, and stale statistics on renewal_alerts (right
 *   after a first scan raised 250,000 alerts, say) must not turn `existing` into a nested loop.
 * - The outbox rows (one per raised alert per active webhook of its reseller subscribed to
 *   renewal_alert.raised) are written by the same statement, so they commit with the alerts; the
 *   insert is the webhooks module's (outboxInsertSql), which owns the webhook tables.
 */
export const SCAN_SQL = `
WITH cur AS (
  SELECT * FROM unnest($3::text[], $4::int[]) AS cur(code, minor)
), existing AS MATERIALIZED (
  -- Alerts already raised for terms ending inside the scan's windows, computed once before any
  -- insert (a per-row probe of renewal_alerts planned while the table is still small would rescan
  -- the pages this very statement appends; a materialised set cannot grow).
  SELECT a.source, COALESCE(a.subscription_id, a.order_line_id) AS owner_id, a.term_end, min(a.threshold) AS min_threshold,
         bool_or(a.status IN ('WON', 'LOST', 'DISMISSED')) AS closed
    FROM renewal_alerts a
   WHERE a.term_end BETWEEN $1::date + $5::int AND $1::date + $7::int
   GROUP BY 1, 2, 3
), cand AS (
  SELECT r.reseller_id, 'SUBSCRIPTION'::text AS source, NULL::uuid AS source_id, r.subscription_id, NULL::uuid AS order_line_id,
         r.sku, r.quantity, r.end_customer_name, r.end_customer_reference, r.term_end,
         ($2::int[])[width_bucket(r.term_end - $1::date, $6::int[])] AS threshold,
         (r.term_end - $1::date) AS days_left,
         round(COALESCE(cp.unit_price, r.unit_price)
               * (CASE r.term WHEN 'P1M' THEN 1 WHEN 'P1Y' THEN 12 WHEN 'P3Y' THEN 36 END) * r.quantity, cur.minor) AS renewal_value,
         r.currency, e.min_threshold, e.closed, 'THRESHOLD'::text AS kind
    FROM renewal_subscription_terms r
    JOIN cur ON cur.code = r.currency
    LEFT JOIN catalog_current_prices cp ON cp.sku = r.sku AND cp.currency = r.currency
    LEFT JOIN existing e ON e.source = 'SUBSCRIPTION' AND e.owner_id = r.subscription_id AND e.term_end = r.term_end
   WHERE r.term_end BETWEEN $1::date + $5::int AND $1::date + $7::int
     -- a threshold is raised only for a term longer than it; a month-to-month term raises none
     AND r.term <> 'P1M'
     AND (r.term_end - r.term_start) + 1 > ($2::int[])[width_bucket(r.term_end - $1::date, $6::int[])]
  UNION ALL
  -- A month-to-month term with a commitment window raises its window reminder (threshold 0) while
  -- the window is open on asOf: the month at stake, valued at the term's own price.
  SELECT r.reseller_id, 'SUBSCRIPTION', NULL::uuid, r.subscription_id, NULL::uuid,
         r.sku, r.quantity, r.end_customer_name, r.end_customer_reference, r.term_end,
         0, (r.term_end - $1::date), round(r.unit_price * r.quantity, cur.minor),
         r.currency, e.min_threshold, e.closed, 'WINDOW'
    FROM renewal_subscription_terms r
    JOIN cur ON cur.code = r.currency
    JOIN subscription_commitment_windows w ON w.subscription_id = r.subscription_id
    LEFT JOIN existing e ON e.source = 'SUBSCRIPTION' AND e.owner_id = r.subscription_id AND e.term_end = r.term_end
   WHERE r.term_end BETWEEN $1::date + $5::int AND $1::date + $7::int
     AND r.term = 'P1M' AND NOT r.cancel_at_term_end AND r.term_start <= $1::date
     AND w.window_closes_at > ($1::date::timestamp AT TIME ZONE 'UTC')
  UNION ALL
  SELECT w.reseller_id, 'WARRANTY', w.order_line_id, NULL::uuid, w.order_line_id,
         w.sku, w.quantity, w.end_customer_name, w.end_customer_reference, w.warranty_end,
         ($2::int[])[width_bucket(w.warranty_end - $1::date, $6::int[])],
         (w.warranty_end - $1::date),
         round(COALESCE(ew.unit_price * w.quantity, w.net), cur.minor),
         w.currency, e.min_threshold, e.closed, 'THRESHOLD'
    FROM renewal_warranties w
    JOIN cur ON cur.code = w.currency
    LEFT JOIN LATERAL (
      SELECT e.unit_price
        FROM catalog_current_prices h
        JOIN catalog_current_prices e ON e.sku = h.extended_warranty_sku AND e.currency = w.currency
       WHERE h.sku = w.sku
       LIMIT 1) ew ON true
    LEFT JOIN existing e ON e.source = 'WARRANTY' AND e.owner_id = w.order_line_id AND e.term_end = w.warranty_end
   WHERE w.warranty_end BETWEEN $1::date + $5::int AND $1::date + $7::int
), due AS (
  SELECT * FROM cand WHERE cand.min_threshold IS NULL OR (cand.min_threshold > cand.threshold AND NOT cand.closed)
), ins AS (
  INSERT INTO renewal_alerts (reseller_id, source, source_id, subscription_id, order_line_id, sku, quantity,
                              end_customer_name, end_customer_reference, term_end, threshold, days_left, raised_as_of,
                              renewal_value, currency, kind)
  SELECT d.reseller_id, d.source, COALESCE(d.source_id, ti.term_id), d.subscription_id, d.order_line_id, d.sku, d.quantity,
         d.end_customer_name, d.end_customer_reference, d.term_end, d.threshold, d.days_left, $1::date, d.renewal_value, d.currency, d.kind
    FROM due d
    LEFT JOIN renewal_subscription_term_ids ti ON ti.subscription_id = d.subscription_id AND ti.term_end = d.term_end
                                               AND ti.term_end BETWEEN $1::date + $5::int AND $1::date + $7::int -- hash only the range's terms
   ORDER BY d.term_end -- inserts walk the unique key (term_end first) in order
  ON CONFLICT ON CONSTRAINT renewal_alerts_once_key DO NOTHING
  RETURNING id, reseller_id, source, subscription_id, order_line_id, end_customer_name, end_customer_reference, sku, quantity,
            term_end, threshold, days_left, raised_as_of, renewal_value, currency, status, kind
), raised AS (
  SELECT ins.reseller_id,
         jsonb_build_object(
           'id', ins.id, 'resellerId', ins.reseller_id, 'source', ins.source,
           'subscriptionId', ins.subscription_id, 'orderLineId', ins.order_line_id,
           'endCustomer', jsonb_build_object('name', ins.end_customer_name, 'reference', ins.end_customer_reference),
           'sku', ins.sku, 'quantity', ins.quantity, 'termEnd', to_char(ins.term_end, 'YYYY-MM-DD'),
           'kind', ins.kind, 'threshold', ins.threshold, 'daysLeft', ins.days_left, 'raisedAsOf', to_char(ins.raised_as_of, 'YYYY-MM-DD'),
           'renewalValue', round(ins.renewal_value, cur.minor)::text, 'currency', ins.currency::text, 'status', ins.status) AS payload
    FROM ins
    JOIN cur ON cur.code = ins.currency
), outbox AS (
  ${outboxInsertSql('raised', 'renewal_alert.raised')}
)
SELECT (SELECT count(*) FROM ins)::int AS raised, (SELECT count(*) FROM outbox)::int AS queued`;

/** The author of notes the system writes (a renewed term closing its alerts). */
export const SYSTEM_AUTHOR_ID = '00000000-0000-0000-0000-000000000000';

/**
 * A renewed term closes its open alerts: every OPEN or CONTACTED subscription alert whose term is
 * no longer the subscription's latest, because a later term exists in the subscription module's
 * read contract renewal_subscription_term_ids, becomes WON, with a note by the system saying why.
 * Run by the scan (under its lock) beside its raising parts. $1: the system author id.
 */
export const CLOSE_RENEWED_SQL = `
WITH closed AS (
  UPDATE renewal_alerts a SET status = 'WON', updated_at = now()
   WHERE a.source = 'SUBSCRIPTION' AND a.status IN ('OPEN', 'CONTACTED')
     AND EXISTS (SELECT 1 FROM renewal_subscription_term_ids t
                  WHERE t.subscription_id = a.subscription_id AND t.term_end > a.term_end)
  RETURNING a.id, a.reseller_id, a.term_end
), noted AS (
  INSERT INTO renewal_alert_notes (alert_id, reseller_id, author_id, body)
  SELECT c.id, c.reseller_id, $1::uuid,
         'Closed as WON by the system: the subscription renewed into a new term after ' || to_char(c.term_end, 'YYYY-MM-DD') || '.'
    FROM closed c
  RETURNING 1
)
SELECT (SELECT count(*) FROM closed)::int AS closed`;

/**
 * One card per renewal (a subscription term, or a warranty): the alerts of a renewal share
 * (source, source_id). The card is the renewal's current alert (the latest raised: the smallest
 * threshold) with the renewal's status (a final status if any alert has one, the latest set;
 * else CONTACTED if any alert is; else OPEN) and assignee (the current alert's, else the nearest
 * earlier threshold's). \`alertWhere\` filters alerts (reseller, source, term end), \`cardWhere\` cards
 * (current threshold, status, assignee: columns c.threshold, c.renewal_status, c.renewal_assignee).
 */
export function renewalCardsSql(alertWhere: string, cardWhere: string): string {
  return `
WITH f AS (
  SELECT a.* FROM renewal_alerts a WHERE ${alertWhere}
), r AS (
  SELECT f.source, f.source_id,
         (array_agg(f.id ORDER BY f.threshold, f.raised_at DESC))[1] AS current_id,
         array_agg(f.id ORDER BY f.threshold DESC) AS alert_ids,
         array_agg(f.threshold ORDER BY f.threshold DESC) AS thresholds,
         CASE WHEN bool_or(f.status IN ('WON', 'LOST', 'DISMISSED'))
              THEN (array_agg(f.status ORDER BY f.updated_at DESC, f.id) FILTER (WHERE f.status IN ('WON', 'LOST', 'DISMISSED')))[1]
              WHEN bool_or(f.status = 'CONTACTED') THEN 'CONTACTED' ELSE 'OPEN' END AS renewal_status,
         (array_agg(f.assignee_id ORDER BY f.threshold) FILTER (WHERE f.assignee_id IS NOT NULL))[1] AS renewal_assignee
    FROM f GROUP BY f.source, f.source_id
), c AS (
  SELECT f.*, r.alert_ids, r.thresholds, r.renewal_status, r.renewal_assignee
    FROM r JOIN f ON f.id = r.current_id
)
SELECT * FROM c WHERE ${cardWhere}`;
}
