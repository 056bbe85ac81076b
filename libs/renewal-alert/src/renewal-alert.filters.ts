// The filters of renewal_alerts lists (WHERE, the renewal cards' query, ORDER BY) and the scoped read of one alert, shared by the pipeline's reads and its workflow.
import { EntityManager } from 'typeorm';
import { notFound } from '#disty/core';
import { AlertSort, AlertSource, AlertStatus } from './domain/alert-status';
import { ALERT_COLUMNS, AlertRow, renewalCardsSql } from './renewal-alert.sql';

/** `alerts`: one row per (term, threshold) alert; `renewals`: one card per renewal (docs/api-conventions.md). */
export type AlertListView = 'alerts' | 'renewals';

export interface AlertFilter {
  /** Tenant scope: null = every reseller (distributor staff). */
  resellerId: string | null;
  threshold?: number;
  status?: AlertStatus;
  source?: AlertSource;
  assigneeId?: string;
  termEndBefore?: string;
  /** End customer name contains (case-insensitive). */
  endCustomer?: string;
  /** At most this many days left (from asOf). */
  daysLeftMax?: number;
  /** Free text over product name, SKU and end customer name. */
  q?: string;
  sort?: AlertSort;
  order?: 'asc' | 'desc';
  /** daysLeft is counted from this date. */
  asOf: string;
}

export type AlertRowNow = AlertRow & { days_left_now: number };

/** LIKE pattern for "contains", with the wildcards of the text escaped. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** ORDER BY of a list (alias a): the sort key, then the id for a stable order across pages. */
export function orderBy(f: { sort?: AlertSort; order?: 'asc' | 'desc' }): string {
  const dir = f.order === 'desc' ? 'DESC' : 'ASC';
  const key = f.sort === 'value' ? 'a.renewal_value' : 'a.term_end';
  return `${key} ${dir}, a.id ${dir}`;
}

/** One alert within `scope` with its days left at `asOf` (404 when not there). */
export async function findAlertRow(em: EntityManager, id: string, scope: string | null, asOf: string, lock = false): Promise<AlertRowNow> {
  const rows: AlertRowNow[] = await em.query(
    `SELECT ${ALERT_COLUMNS}, (a.term_end - $2::date) AS days_left_now
       FROM renewal_alerts a WHERE a.id = $1 AND ($3::uuid IS NULL OR a.reseller_id = $3::uuid)
       ${lock ? 'FOR UPDATE' : ''}`,
    [id, asOf, scope],
  );
  if (!rows.length) throw notFound(`Renewal alert ${id}`);
  return rows[0];
}

/** The cards query of a filter (see renewalCardsSql); $1 is always asOf. */
export function alertCardsSql(f: Partial<AlertFilter> & { resellerId: string | null; asOf: string }): {
  sql: string;
  params: unknown[];
} {
  const { where, params } = alertWhere({
    resellerId: f.resellerId,
    source: f.source,
    termEndBefore: f.termEndBefore,
    asOf: f.asOf,
    endCustomer: f.endCustomer,
    daysLeftMax: f.daysLeftMax,
    q: f.q,
  });
  const cardParts: string[] = ['true'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    cardParts.push(sql.replace('?', `$${params.length}`));
  };
  if (f.threshold !== undefined) add('c.threshold = ?::int', f.threshold);
  if (f.status) add('c.renewal_status = ?', f.status);
  if (f.assigneeId) add('c.renewal_assignee = ?::uuid', f.assigneeId);
  return { sql: renewalCardsSql(where, cardParts.join(' AND ')), params };
}

/** The WHERE clause of a filter; $1 is always asOf. */
export function alertWhere(f: Partial<AlertFilter> & { resellerId: string | null; asOf: string }): {
  where: string;
  params: unknown[];
} {
  const params: unknown[] = [f.asOf];
  const parts: string[] = ['$1::date IS NOT NULL'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    parts.push(sql.replace('?', `$${params.length}`));
  };
  if (f.resellerId) add('a.reseller_id = ?::uuid', f.resellerId);
  if (f.threshold !== undefined) add('a.threshold = ?::int', f.threshold);
  if (f.status) add('a.status = ?', f.status);
  if (f.source) add('a.source = ?', f.source);
  if (f.assigneeId) add('a.assignee_id = ?::uuid', f.assigneeId);
  if (f.termEndBefore) add('a.term_end < ?::date', f.termEndBefore);
  if (f.endCustomer) add(`a.end_customer_name ILIKE ?`, containsPattern(f.endCustomer));
  if (f.daysLeftMax !== undefined) add('a.term_end <= $1::date + ?::int', f.daysLeftMax);
  if (f.q) {
    // Product names through the catalog's read contract (catalog_current_prices.product_name).
    add(
      `(a.sku ILIKE ? OR a.end_customer_name ILIKE $${params.length + 1}
          OR EXISTS (SELECT 1 FROM catalog_current_prices cp WHERE cp.sku = a.sku AND cp.product_name ILIKE $${params.length + 1}))`,
      containsPattern(f.q),
    );
  }
  return { where: parts.join(' AND '), params };
}
