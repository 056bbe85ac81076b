/**
 * The usage module's set-based SQL (docs/consumption.md, "How an import runs"). The temporary
 * tables live for one import's transaction (ON COMMIT DROP); `usage_stage` holds the file as read,
 * `usage_ref_*` the vendor's meters, tiers and costs from the catalog.
 */

export const CREATE_STAGE = `
  CREATE TEMP TABLE usage_stage (
    line_no integer, record_id text COLLATE "C", version integer, tenant_id text, meter_id text, usage_date date, quantity numeric, unit text,
    unit_cost numeric, currency text, own text, detail text
  ) ON COMMIT DROP`;

/** The file's lines as UsageCopyTransform writes them (usage-file.reader.ts): checked, typed, streamed. */
export const COPY_STAGE = `COPY usage_stage FROM STDIN WITH (FORMAT csv)`;

export const CREATE_REFS = [
  `CREATE TEMP TABLE usage_ref_meters (id uuid PRIMARY KEY, meter_id text UNIQUE, sku text, unit text) ON COMMIT DROP`,
  `CREATE TEMP TABLE usage_ref_tiers (meter uuid, currency char(3), from_q numeric, to_q numeric, price numeric, cum numeric) ON COMMIT DROP`,
  `CREATE TEMP TABLE usage_ref_costs (meter uuid, currency char(3), cost numeric, PRIMARY KEY (meter, currency)) ON COMMIT DROP`,
];

export const INSERT_REF_METERS = `INSERT INTO usage_ref_meters SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`;
export const INSERT_REF_TIERS = `INSERT INTO usage_ref_tiers SELECT * FROM unnest($1::uuid[], $2::char(3)[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[])`;
export const INSERT_REF_COSTS = `INSERT INTO usage_ref_costs SELECT * FROM unnest($1::uuid[], $2::char(3)[], $3::numeric[])`;

/**
 * Each staged line checked (docs/consumption.md, "Rejections"): its own checks ran in the transform
 * (`own`, `detail`: domain/usage-line.checks.ts) except `closed-month` ($2: the closed months
 * YYYY-MM; it comes after `future-date`, so it applies to the lines whose date passed: `usage_date`
 * set), then against the vendor's subscriptions and meters ($1 vendor): an unknown tenant or
 * meter, a meter of another product, another unit, or no price in the subscription's currency.
 * `closed`: whether $2 holds any month (else the clause is left out).
 */
export const checkLines = (closed: boolean) => `
  CREATE TEMP TABLE usage_checked ON COMMIT DROP AS
  WITH own AS (
    SELECT s.line_no, s.record_id, s.version, s.usage_date, s.quantity, s.unit, s.unit_cost, s.currency, s.tenant_id, s.meter_id, ${
      closed
        ? `CASE WHEN s.usage_date IS NOT NULL AND to_char(s.usage_date, 'YYYY-MM') = ANY($2::text[]) THEN 'closed-month' ELSE s.own END AS own,
           CASE WHEN s.usage_date IS NOT NULL AND to_char(s.usage_date, 'YYYY-MM') = ANY($2::text[])
                THEN 'usage date ' || to_char(s.usage_date, 'YYYY-MM-DD') || ' is in a closed month' ELSE s.detail END AS detail`
        : `s.own, s.detail`
    }
      FROM usage_stage s)
  SELECT s.line_no, s.record_id, s.version, s.usage_date, s.quantity, coalesce(s.unit, m.unit) AS unit, s.unit_cost,
         coalesce(s.currency, sub.currency) AS vendor_currency, sub.id AS subscription_id, sub.reseller_id, sub.currency, m.id AS meter_uuid,
         m.sku, s.tenant_id, s.meter_id AS meter_code, s.unit AS raw_unit, s.detail,
         coalesce(s.own, CASE
           WHEN sub.id IS NULL THEN 'unknown-tenant'
           WHEN m.id IS NULL THEN 'unknown-meter'
           WHEN m.sku <> sub.sku THEN 'meter-not-in-plan'
           WHEN s.unit IS NOT NULL AND lower(s.unit) <> lower(m.unit) THEN 'unit-mismatch'
           WHEN p.meter IS NULL THEN 'no-price'
         END) AS reason
    FROM own s
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
 * The accepted lines whose record id the file holds more than once, ranked: the highest version
 * wins, then the first line (the others are duplicates). Usually none: a table of its own (analysed),
 * so that MATCH_CURRENT joins the few by hash rather than sorting a million lines for a merge join
 * planned on a guess (docs/consumption.md §10).
 */
export const RANK_REPEATED = `
  CREATE TEMP TABLE usage_repeated ON COMMIT DROP AS
  WITH twice AS (
    SELECT record_id FROM usage_checked WHERE reason IS NULL GROUP BY record_id HAVING count(*) > 1)
  SELECT c.line_no, row_number() OVER (PARTITION BY c.record_id ORDER BY c.version DESC, c.line_no) AS rn
    FROM usage_checked c JOIN twice USING (record_id) WHERE c.reason IS NULL`;

/**
 * The accepted lines against the vendor's current records ($1 vendor): within the file the
 * highest version of a record id wins (the others are duplicates: `usage_repeated`), and a line
 * whose version is not above the current one's is a duplicate; a higher one corrects it.
 */
export const MATCH_CURRENT = `
  CREATE TEMP TABLE usage_accepted ON COMMIT DROP AS
  SELECT c.line_no, c.record_id, c.version, c.usage_date, c.quantity, c.unit, c.unit_cost, c.vendor_currency, c.subscription_id,
         c.reseller_id, c.currency, c.meter_uuid,
         cur.id AS current_id, cur.version AS current_version, to_char(cur.usage_date, 'YYYY-MM') AS current_month, coalesce(r.rn, 1) AS rn
    FROM usage_checked c
    LEFT JOIN usage_repeated r ON r.line_no = c.line_no
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
    RETURNING r.subscription_id, r.meter_id, date_trunc('month', r.usage_date::timestamp)::date AS month, r.reseller_id)
  INSERT INTO usage_sets SELECT DISTINCT * FROM s ON CONFLICT DO NOTHING`;

export const NEW_SETS = `
  INSERT INTO usage_sets
  SELECT DISTINCT subscription_id, meter_uuid, date_trunc('month', usage_date::timestamp)::date, reseller_id
    FROM usage_accepted WHERE rn = 1 AND (current_id IS NULL OR version > current_version)
  ON CONFLICT DO NOTHING`;

/**
 * Rates every record of the affected sets (docs/consumption.md, "Rating") — the current ones
 * already recorded (`id`) and the new versions about to be (`line_no`) — in one pass: each record's
 * units are priced at the tiers their place in the month's running volume falls in (the month
 * ordered by usage date then record id, so the result does not depend on import order), as
 * C(volume after it) − C(volume before it), C(x) being the price of a month's first x units (the
 * tier x falls in: its `cum` plus its price for the units of x in it; the catalog keeps tiers
 * contiguous from 0 with the last one open). Net and cost are rounded
 * per record to the currency's minor units. The new versions are recorded ($1 vendor, $2 import)
 * with their rating, and the recorded ones whose rating moved are updated.
 */
export const RATE_AND_RECORD = `
  WITH cur AS NOT MATERIALIZED (
    SELECT r.id, NULL::int AS line_no, r.subscription_id, r.meter_id, r.currency, r.quantity, r.usage_date, r.record_id,
           r.rated_net AS old_net, r.rated_cost AS old_cost, NULL::int AS version, NULL::uuid AS reseller_id, NULL::text AS unit,
           NULL::numeric AS unit_cost, NULL::text AS vendor_currency
      FROM usage_records r
      JOIN usage_sets s ON s.subscription_id = r.subscription_id AND s.meter_id = r.meter_id
                       AND r.usage_date >= s.month AND r.usage_date < (s.month + interval '1 month')::date
     WHERE r.superseded_at IS NULL
    UNION ALL
    SELECT NULL, a.line_no, a.subscription_id, a.meter_uuid, a.currency, a.quantity, a.usage_date, a.record_id, NULL, NULL,
           a.version, a.reseller_id, a.unit, a.unit_cost, a.vendor_currency
      FROM usage_accepted a WHERE a.rn = 1 AND (a.current_id IS NULL OR a.version > a.current_version)),
  -- A meter with one tier in a currency (a flat price) is priced the same wherever a record falls
  -- in the month's volume: its records skip the window's sort (their volume after them is their own quantity).
  flat AS (SELECT meter, currency FROM usage_ref_tiers GROUP BY meter, currency HAVING count(*) = 1),
  w AS (
    SELECT cur.*, sum(cur.quantity) OVER (
             PARTITION BY cur.subscription_id, cur.meter_id, date_trunc('month', cur.usage_date::timestamp)
             ORDER BY cur.usage_date, cur.record_id COLLATE "C" ROWS UNBOUNDED PRECEDING) AS after,
           CASE WHEN cur.currency = 'JPY' THEN 0 ELSE 2 END AS dp
      FROM cur WHERE NOT EXISTS (SELECT FROM flat f WHERE f.meter = cur.meter_id AND f.currency = cur.currency)
    UNION ALL
    SELECT cur.*, cur.quantity, CASE WHEN cur.currency = 'JPY' THEN 0 ELSE 2 END
      FROM cur WHERE EXISTS (SELECT FROM flat f WHERE f.meter = cur.meter_id AND f.currency = cur.currency)),
  -- Per meter and currency, one row: its tiers as arrays in the order of their starts (the tiers
  -- run from 0, contiguous, the last one open: the tier x falls in is width_bucket(x, starts)) and
  -- its cost, so each record is priced by one hash lookup rather than a range join per volume.
  ref AS (
    SELECT coalesce(t.meter, k.meter) AS meter, coalesce(t.currency, k.currency) AS currency, t.from_q, t.price, t.cum, k.cost
      FROM (SELECT meter, currency, array_agg(from_q ORDER BY from_q) AS from_q, array_agg(price ORDER BY from_q) AS price,
                   array_agg(cum ORDER BY from_q) AS cum
              FROM usage_ref_tiers GROUP BY meter, currency) t
      FULL JOIN usage_ref_costs k ON k.meter = t.meter AND k.currency = t.currency),
  placed AS (
    SELECT w.*, f.from_q, f.price, f.cum, f.cost AS unit_cost_ref,
           width_bucket(w.after, f.from_q) AS ta, width_bucket(w.after - w.quantity, f.from_q) AS tb
      FROM w LEFT JOIN ref f ON f.meter = w.meter_id AND f.currency = w.currency
    OFFSET 0),
  rated AS (
    SELECT p.id, p.line_no, p.subscription_id, p.meter_id, p.currency, p.quantity, p.usage_date, p.record_id, p.old_net, p.old_cost,
           p.version, p.reseller_id, p.unit, p.unit_cost, p.vendor_currency,
           round(p.cum[p.ta] + p.price[p.ta] * (p.after - p.from_q[p.ta]) - (p.cum[p.tb] + p.price[p.tb] * (p.after - p.quantity - p.from_q[p.tb])),
                 p.dp) AS net,
           round(p.quantity * coalesce(p.unit_cost_ref, 0), p.dp) AS cost
      FROM placed p),
  ins AS (
    INSERT INTO usage_records (vendor_id, record_id, version, import_id, line_no, subscription_id, reseller_id, meter_id, usage_date, quantity,
                               unit, vendor_unit_cost, vendor_currency, currency, rated_net, rated_cost)
    SELECT $1, x.record_id, x.version, $2, x.line_no, x.subscription_id, x.reseller_id, x.meter_id, x.usage_date, x.quantity, x.unit,
           x.unit_cost, x.vendor_currency, x.currency, x.net, x.cost
      FROM rated x WHERE x.line_no IS NOT NULL)
  UPDATE usage_records r SET rated_net = x.net, rated_cost = x.cost
    FROM rated x
   WHERE x.id IS NOT NULL AND x.id = r.id AND (x.old_net <> x.net OR x.old_cost <> x.cost)`;

/**
 * What the ledger must move ($1 import): per reseller, currency, day and product of the affected
 * months, the current rated usage less what earlier postings posted. Inserted as this import's
 * postings and returned (each becomes one ledger entry).
 */
export const POST_DELTAS = `
  WITH months AS (SELECT DISTINCT reseller_id, month FROM usage_sets),
  -- Each subscription's month read through its index (subscription_id, usage_date), whatever the
  -- planner believes of a table a large import has just filled; summed per meter first (its few
  -- rows then give the product).
  per_meter AS (
    SELECT s.reseller_id, r.currency, r.usage_date, r.meter_id, sum(r.quantity) AS q, sum(r.rated_net) AS net, sum(r.rated_cost) AS cost
      FROM months s
      JOIN consumption_subscriptions cs ON cs.reseller_id = s.reseller_id
     CROSS JOIN LATERAL (
           SELECT r.currency, r.usage_date, r.meter_id, r.quantity, r.rated_net, r.rated_cost
             FROM usage_records r
            WHERE r.subscription_id = cs.id AND r.reseller_id = s.reseller_id AND r.superseded_at IS NULL
              AND r.usage_date >= s.month AND r.usage_date < (s.month + interval '1 month')::date
           OFFSET 0) r
     GROUP BY 1, 2, 3, 4),
  eff AS (
    SELECT d.reseller_id, d.currency, d.usage_date, m.sku, sum(d.q) AS q, sum(d.net) AS net, sum(d.cost) AS cost
      FROM per_meter d JOIN usage_ref_meters m ON m.id = d.meter_id
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
  id: string;
  reseller_id: string;
  currency: string;
  usage_date: string;
  sku: string;
  quantity: string;
  net: string;
  cost: string;
}

export interface ImportRow {
  id: string;
  vendor_id: string;
  format: string;
  file_name: string | null;
  status: string;
  phase: string | null;
  bytes: number;
  rows_read: number;
  rows_accepted: number;
  rows_corrected: number;
  rows_rejected: number;
  rows_duplicate: number;
  error: string | null;
  created_at: Date;
  completed_at: Date | null;
}
