/**
 * The usage module's set-based SQL (docs/consumption.md, "How an import runs"). The temporary
 * tables live for one import's transaction (ON COMMIT DROP); `usage_stage` holds the file as read,
 * `usage_ref_*` the vendor's meters, tiers and costs from the catalog.
 */

export const CREATE_STAGE = `
  CREATE TEMP TABLE usage_stage (
    line_no integer, record_id text COLLATE "C", version integer, tenant_id text, meter_id text, usage_date date, quantity numeric, unit text,
    unit_cost numeric, currency text, reason text, detail text
  ) ON COMMIT DROP`;

/**
 * One batch of lines as a JSON array of objects named like `usage_stage`'s columns (one
 * parameter, read by PostgreSQL in one pass): typed columns are null on a line that failed its own
 * checks (reason, detail).
 */
export const INSERT_STAGE = `INSERT INTO usage_stage SELECT * FROM json_populate_recordset(NULL::usage_stage, $1::json)`;

export const CREATE_REFS = [
  `CREATE TEMP TABLE usage_ref_meters (id uuid PRIMARY KEY, meter_id text UNIQUE, sku text, unit text) ON COMMIT DROP`,
  `CREATE TEMP TABLE usage_ref_tiers (meter uuid, currency char(3), from_q numeric, to_q numeric, price numeric) ON COMMIT DROP`,
  `CREATE TEMP TABLE usage_ref_costs (meter uuid, currency char(3), cost numeric, PRIMARY KEY (meter, currency)) ON COMMIT DROP`,
];

export const INSERT_REF_METERS = `INSERT INTO usage_ref_meters SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`;
export const INSERT_REF_TIERS = `INSERT INTO usage_ref_tiers SELECT * FROM unnest($1::uuid[], $2::char(3)[], $3::numeric[], $4::numeric[], $5::numeric[])`;
export const INSERT_REF_COSTS = `INSERT INTO usage_ref_costs SELECT * FROM unnest($1::uuid[], $2::char(3)[], $3::numeric[])`;

/**
 * Each staged line checked against the vendor's subscriptions and meters ($1 vendor): a line that
 * passed its own checks (domain/line-checks.ts) may still name an unknown tenant or meter, a meter
 * of another product, another unit, or a meter without a price in the subscription's currency.
 */
export const CHECK_LINES = `
  CREATE TEMP TABLE usage_checked ON COMMIT DROP AS
  SELECT s.line_no, s.record_id, s.version, s.usage_date, s.quantity, coalesce(s.unit, m.unit) AS unit, s.unit_cost,
         coalesce(s.currency, sub.currency) AS vendor_currency, sub.id AS subscription_id, sub.reseller_id, sub.currency, m.id AS meter_uuid,
         m.sku, s.tenant_id, s.meter_id AS meter_code, s.unit AS raw_unit, s.detail,
         coalesce(s.reason, CASE
           WHEN sub.id IS NULL THEN 'unknown-tenant'
           WHEN m.id IS NULL THEN 'unknown-meter'
           WHEN m.sku <> sub.sku THEN 'meter-not-in-plan'
           WHEN s.unit IS NOT NULL AND lower(s.unit) <> lower(m.unit) THEN 'unit-mismatch'
           WHEN p.meter IS NULL THEN 'no-price'
         END) AS reason
    FROM usage_stage s
    LEFT JOIN consumption_subscriptions sub ON sub.vendor_id = $1 AND sub.tenant_id = s.tenant_id
    LEFT JOIN usage_ref_meters m ON m.meter_id = s.meter_id
    LEFT JOIN (SELECT DISTINCT meter, currency FROM usage_ref_tiers) p ON p.meter = m.id AND p.currency = sub.currency`;

/** The rejection's words per reason (docs/consumption.md, "Rejections"); the line's own checks wrote theirs. */
export const INSERT_REJECTIONS = `
  INSERT INTO usage_import_rejections (import_id, line_no, record_id, reason, detail)
  SELECT $1, c.line_no, c.record_id, c.reason,
         coalesce(c.detail, CASE c.reason
           WHEN 'unknown-tenant' THEN 'tenant ' || coalesce(c.tenant_id, '(none)') || ' has no consumption subscription with this vendor'
           WHEN 'unknown-meter' THEN 'meter ' || coalesce(c.meter_code, '(none)') || ' is not a meter of this vendor'
           WHEN 'meter-not-in-plan' THEN 'meter ' || c.meter_code || ' is not in the subscription''s product ' || c.sku
           WHEN 'unit-mismatch' THEN 'unit ' || c.raw_unit || ' is not the meter''s unit'
           WHEN 'no-price' THEN 'meter ' || c.meter_code || ' has no price in ' || c.currency
         END)
    FROM usage_checked c
   WHERE c.reason IS NOT NULL`;

/**
 * The accepted lines against the vendor's current records ($1 vendor): within the file the
 * highest version of a record id wins (the others are duplicates), and a line whose version is
 * not above the current one's is a duplicate; a higher one corrects it.
 */
export const MATCH_CURRENT = `
  CREATE TEMP TABLE usage_accepted ON COMMIT DROP AS
  WITH twice AS (
    SELECT record_id FROM usage_checked WHERE reason IS NULL GROUP BY record_id HAVING count(*) > 1),
  ranked AS (
    SELECT c.line_no, row_number() OVER (PARTITION BY c.record_id ORDER BY c.version DESC, c.line_no) AS rn
      FROM usage_checked c JOIN twice USING (record_id) WHERE c.reason IS NULL)
  SELECT c.*, cur.id AS current_id, cur.version AS current_version, to_char(cur.usage_date, 'YYYY-MM') AS current_month,
         coalesce(r.rn, 1) AS rn
    FROM usage_checked c
    LEFT JOIN ranked r ON r.line_no = c.line_no
    LEFT JOIN usage_records cur ON cur.vendor_id = $1 AND cur.record_id = c.record_id AND cur.superseded_at IS NULL
   WHERE c.reason IS NULL`;

/** Months of the current versions that corrections would replace (closed ones refuse the correction). */
export const CORRECTED_MONTHS = `
  SELECT DISTINCT current_month AS month FROM usage_accepted WHERE rn = 1 AND current_id IS NOT NULL AND version > current_version`;

export const REJECT_CLOSED_CORRECTIONS = `
  WITH r AS (
    DELETE FROM usage_accepted WHERE rn = 1 AND current_id IS NOT NULL AND version > current_version AND current_month = ANY($2::text[])
    RETURNING line_no, record_id, current_month)
  INSERT INTO usage_import_rejections (import_id, line_no, record_id, reason, detail)
  SELECT $1, line_no, record_id, 'closed-month', 'it corrects a record dated in closed month ' || current_month FROM r`;

export const COUNT_ACCEPTED = `
  SELECT count(*) FILTER (WHERE rn = 1 AND current_id IS NULL)::int AS new,
         count(*) FILTER (WHERE rn = 1 AND current_id IS NOT NULL AND version > current_version)::int AS corrected,
         count(*) FILTER (WHERE rn > 1 OR version <= current_version)::int AS duplicate
    FROM usage_accepted`;

/** The sets (subscription, meter, month) to re-rate: those of the new lines and of the versions they supersede. */
export const CREATE_SETS = `
  CREATE TEMP TABLE usage_sets (subscription_id uuid, meter_id uuid, month date, reseller_id uuid, PRIMARY KEY (subscription_id, meter_id, month))
  ON COMMIT DROP`;

export const SUPERSEDE = `
  WITH s AS (
    UPDATE usage_records r SET superseded_at = now(), superseded_by_version = a.version
      FROM usage_accepted a
     WHERE a.rn = 1 AND r.id = a.current_id AND a.version > a.current_version
    RETURNING r.subscription_id, r.meter_id, date_trunc('month', r.usage_date)::date AS month, r.reseller_id)
  INSERT INTO usage_sets SELECT DISTINCT * FROM s ON CONFLICT DO NOTHING`;

export const NEW_SETS = `
  INSERT INTO usage_sets
  SELECT DISTINCT subscription_id, meter_uuid, date_trunc('month', usage_date)::date, reseller_id
    FROM usage_accepted WHERE rn = 1 AND (current_id IS NULL OR version > current_version)
  ON CONFLICT DO NOTHING`;

/**
 * Rates every record of the affected sets (docs/consumption.md, "Rating") — the current ones
 * already recorded (`id`) and the new ones about to be (`line_no`) — into `usage_rated`: each
 * record's units are priced at the tiers their place in the month's running volume falls in, the
 * month ordered by usage date then record id, so the result does not depend on import order. Net
 * and cost are rounded per record to the currency's minor units.
 */
export const RATE_SETS = `
  CREATE TEMP TABLE usage_rated ON COMMIT DROP AS
  WITH cur AS (
    SELECT r.id, NULL::int AS line_no, r.subscription_id, r.meter_id, r.currency, r.quantity, r.usage_date, r.record_id,
           r.rated_net AS old_net, r.rated_cost AS old_cost
      FROM usage_records r
      JOIN usage_sets s ON s.subscription_id = r.subscription_id AND s.meter_id = r.meter_id
                       AND r.usage_date >= s.month AND r.usage_date < (s.month + interval '1 month')::date
     WHERE r.superseded_at IS NULL
    UNION ALL
    SELECT NULL, a.line_no, a.subscription_id, a.meter_uuid, a.currency, a.quantity, a.usage_date, a.record_id, NULL, NULL
      FROM usage_accepted a WHERE a.rn = 1 AND (a.current_id IS NULL OR a.version > a.current_version)),
  w AS (
    SELECT cur.*, sum(cur.quantity) OVER (
             PARTITION BY cur.subscription_id, cur.meter_id, date_trunc('month', cur.usage_date)
             ORDER BY cur.usage_date, cur.record_id COLLATE "C" ROWS UNBOUNDED PRECEDING) - cur.quantity AS before,
           CASE WHEN cur.currency = 'JPY' THEN 0 ELSE 2 END AS dp
      FROM cur)
  SELECT w.id, w.line_no, w.old_net, w.old_cost,
         round((SELECT sum(greatest(least(w.before + w.quantity, coalesce(t.to_q, w.before + w.quantity)) - greatest(w.before, t.from_q), 0) * t.price)
                  FROM usage_ref_tiers t WHERE t.meter = w.meter_id AND t.currency = w.currency), w.dp) AS net,
         round(w.quantity * coalesce(k.cost, 0), w.dp) AS cost
    FROM w LEFT JOIN usage_ref_costs k ON k.meter = w.meter_id AND k.currency = w.currency`;

/** The new versions ($1 vendor, $2 import), with their rating. */
export const INSERT_RECORDS = `
  INSERT INTO usage_records (vendor_id, record_id, version, import_id, line_no, subscription_id, reseller_id, meter_id, usage_date, quantity,
                             unit, vendor_unit_cost, vendor_currency, currency, rated_net, rated_cost)
  SELECT $1, a.record_id, a.version, $2, a.line_no, a.subscription_id, a.reseller_id, a.meter_uuid, a.usage_date, a.quantity, a.unit,
         a.unit_cost, a.vendor_currency, a.currency, x.net, x.cost
    FROM usage_accepted a JOIN usage_rated x ON x.line_no = a.line_no
   WHERE a.rn = 1 AND (a.current_id IS NULL OR a.version > a.current_version)`;

/** Records already recorded whose rating moved (their place in the month's volume changed). */
export const UPDATE_RATED = `
  UPDATE usage_records r SET rated_net = x.net, rated_cost = x.cost
    FROM usage_rated x
   WHERE x.id = r.id AND (x.old_net <> x.net OR x.old_cost <> x.cost)`;

/**
 * What the ledger must move ($1 import): per reseller, currency, day and product of the affected
 * months, the current rated usage less what earlier postings posted. Inserted as this import's
 * postings and returned (each becomes one ledger entry).
 */
export const POST_DELTAS = `
  WITH months AS (SELECT DISTINCT reseller_id, month FROM usage_sets),
  eff AS (
    SELECT r.reseller_id, r.currency, r.usage_date, m.sku, sum(r.quantity) AS q, sum(r.rated_net) AS net, sum(r.rated_cost) AS cost
      FROM usage_records r
      JOIN months mo ON mo.reseller_id = r.reseller_id AND r.usage_date >= mo.month AND r.usage_date < (mo.month + interval '1 month')::date
      JOIN usage_ref_meters m ON m.id = r.meter_id
     WHERE r.superseded_at IS NULL
     GROUP BY 1, 2, 3, 4),
  posted AS (
    SELECT p.reseller_id, p.currency, p.usage_date, p.sku, sum(p.quantity) AS q, sum(p.net) AS net, sum(p.cost) AS cost
      FROM usage_postings p
      JOIN months mo ON mo.reseller_id = p.reseller_id AND p.usage_date >= mo.month AND p.usage_date < (mo.month + interval '1 month')::date
     WHERE p.sku IN (SELECT sku FROM usage_ref_meters)
     GROUP BY 1, 2, 3, 4),
  d AS (
    SELECT reseller_id, currency, usage_date, sku,
           coalesce(e.q, 0) - coalesce(p.q, 0) AS q, coalesce(e.net, 0) - coalesce(p.net, 0) AS net, coalesce(e.cost, 0) - coalesce(p.cost, 0) AS cost
      FROM eff e FULL JOIN posted p USING (reseller_id, currency, usage_date, sku))
  INSERT INTO usage_postings (import_id, reseller_id, currency, usage_date, sku, quantity, net, cost)
  SELECT $1, reseller_id, currency, usage_date, sku, q, net, cost FROM d WHERE q <> 0 OR net <> 0 OR cost <> 0
  RETURNING id, reseller_id, currency, to_char(usage_date, 'YYYY-MM-DD') AS usage_date, sku, quantity::text AS quantity, net::text AS net,
            cost::text AS cost`;

export interface PostingRow {
  id: string; reseller_id: string; currency: string; usage_date: string; sku: string; quantity: string; net: string; cost: string;
}

export interface ImportRow {
  id: string; vendor_id: string; format: string; file_name: string | null; status: string; rows_read: number; rows_accepted: number;
  rows_corrected: number; rows_rejected: number; rows_duplicate: number; error: string | null; created_at: Date; completed_at: Date | null;
}
