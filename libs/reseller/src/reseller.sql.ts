import { CreditLine, Currency, preparedStatement } from '#disty/core';

// The reseller module's SQL and row types (resellers, credit_lines, credit_reservations).

export interface ResellerRow {
  id: string;
  name: string;
  currency: Currency;
  country: string;
  tax_id: string | null;
  tax_registered: boolean;
  address: string | null;
  payment_terms_days: number;
  created_at: Date;
  updated_at: Date;
  hardware_limit: string;
  cloud_limit: string;
}

export interface LineRow {
  line: CreditLine;
  currency: Currency;
  credit_limit: string;
  reserved: string;
  on_hold: boolean;
  /** Credit exposure (docs/consumption.md §7): unbilled usage counted on the line, and its hold. */
  unbilled_usage: string;
  exposure_hold: boolean;
}

/** The columns of a credit_lines row as LineRow reads them. */
export const LINE_COLUMNS = `line, currency, credit_limit, reserved, on_hold, unbilled_usage, exposure_hold`;

/**
 * Records the unbilled usage the CLOUD line counts and answers the line (credit exposure,
 * docs/consumption.md §7); prepared: every invoice of a billing run records it.
 */
export const RECORD_UNBILLED_USAGE = preparedStatement(
  'reseller.record-unbilled-usage',
  `UPDATE credit_lines SET unbilled_usage = $2::numeric, updated_at = now() WHERE reseller_id = $1 AND line = 'CLOUD'
   RETURNING ${LINE_COLUMNS}`,
);

export const RESELLER_INFO = preparedStatement(
  'reseller.info',
  `SELECT id, name, currency, country, tax_id, tax_registered, address, payment_terms_days FROM resellers WHERE id = $1`,
);

/**
 * reserveCreditMany's statement: locks the touched lines in the fixed order, inserts the
 * reservations not yet made and raises each line's reserved total by what it inserted.
 */
export const RESERVE_CREDIT = preparedStatement(
  'reseller.reserve-credit',
  `WITH locked AS (
     SELECT line, currency, credit_limit, reserved, on_hold, unbilled_usage, exposure_hold FROM credit_lines
      WHERE reseller_id = $1 AND line = ANY($2::text[])
      ORDER BY CASE line WHEN 'HARDWARE' THEN 0 ELSE 1 END
      FOR UPDATE
   ), ins AS (
     INSERT INTO credit_reservations (reseller_id, line, source_type, source_id, amount, remaining)
     SELECT $1, t.line, t.source_type, t.source_id, t.amount, t.amount
       FROM unnest($3::text[], $4::text[], $5::text[], $6::numeric[]) WITH ORDINALITY AS t(line, source_type, source_id, amount, ord)
       JOIN locked l ON l.line = t.line
      ORDER BY t.ord
     ON CONFLICT (source_type, source_id, line) DO NOTHING
     RETURNING id, line, amount
   ), totals AS (
     SELECT line, sum(amount) AS amount, array_agg(id) AS ids FROM ins GROUP BY line
   ), raised AS (
     UPDATE credit_lines c SET reserved = c.reserved + t.amount, updated_at = now()
       FROM totals t
      WHERE c.reseller_id = $1 AND c.line = t.line
     RETURNING c.line
   )
   SELECT l.line, l.currency, l.credit_limit, l.reserved, l.on_hold, l.unbilled_usage, l.exposure_hold, coalesce(t.amount, 0) AS added, coalesce(t.ids, '{}') AS ids
     FROM locked l LEFT JOIN totals t ON t.line = l.line
    ORDER BY CASE l.line WHEN 'HARDWARE' THEN 0 ELSE 1 END`,
);

export const RESELLER_SELECT = `
  SELECT r.id, r.name, r.currency, r.country, r.tax_id, r.tax_registered, r.address, r.payment_terms_days, r.created_at, r.updated_at,
         h.credit_limit AS hardware_limit, c.credit_limit AS cloud_limit
    FROM resellers r
    JOIN credit_lines h ON h.reseller_id = r.id AND h.line = 'HARDWARE'
    JOIN credit_lines c ON c.reseller_id = r.id AND c.line = 'CLOUD'`;
