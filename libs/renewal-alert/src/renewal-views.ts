// The renewal-alert module's read models: alerts and renewal cards with their notes and product names.
import { EntityManager } from 'typeorm';
import { mapAlert, mapCard, RenewalAlertView, RenewalCardView } from './dto/renewal-alert.response';
import { AlertRow, CardRow, NoteRow, SubscriptionStateRow } from './renewal-alert.sql';

/** Alerts as the API shows them: with their notes (oldest first) and product names. */
export async function alertViews(em: EntityManager, rows: Array<AlertRow & { days_left_now: number }>): Promise<RenewalAlertView[]> {
  if (!rows.length) return [];
  const byAlert = await notesOf(
    em,
    rows.map((r) => r.id),
  );
  const names = await productNames(em, rows);
  return rows.map((r) => mapAlert(r, byAlert.get(r.id) ?? [], names.get(r.sku) ?? null));
}

/**
 * Cards with the notes of every alert of their renewal, oldest first, and their subscription's
 * auto-renew state, commitment window and pending change at renewal (as of `now`).
 */
export async function cardViews(em: EntityManager, rows: CardRow[], now: Date): Promise<RenewalCardView[]> {
  if (!rows.length) return [];
  const byAlert = await notesOf(
    em,
    rows.flatMap((r) => r.alert_ids),
  );
  const names = await productNames(em, rows);
  const states: SubscriptionStateRow[] = await em.query(
    `SELECT subscription_id, auto_renew, cancel_at_term_end, window_closes_at, change_id, change_quantity, change_sku, change_term,
            change_billing_frequency, to_char(change_effective_date, 'YYYY-MM-DD') AS change_effective_date
       FROM renewal_subscription_states WHERE subscription_id = ANY($1::uuid[])`,
    [rows.map((r) => r.subscription_id).filter((id): id is string => !!id)],
  );
  const stateOf = new Map(states.map((x) => [x.subscription_id, x]));
  return rows.map((r) => {
    const notes = r.alert_ids.flatMap((a) => byAlert.get(a) ?? []);
    // To the microsecond: a note and the closing notes its status change writes fall in the same millisecond.
    notes.sort((x, y) => x.created_key.localeCompare(y.created_key) || x.id.localeCompare(y.id));
    return mapCard(r, notes, names.get(r.sku) ?? null, r.subscription_id ? stateOf.get(r.subscription_id) : undefined, now);
  });
}

async function notesOf(em: EntityManager, alertIds: string[]): Promise<Map<string, NoteRow[]>> {
  const notes: NoteRow[] = await em.query(
    `SELECT id, alert_id, author_id, body, created_at, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created_key
       FROM renewal_alert_notes
      WHERE alert_id = ANY($1::uuid[]) ORDER BY created_at, id`,
    [alertIds],
  );
  const byAlert = new Map<string, NoteRow[]>();
  for (const n of notes) byAlert.set(n.alert_id, [...(byAlert.get(n.alert_id) ?? []), n]);
  return byAlert;
}

/** Product names by SKU, through the catalog's read contract (catalog_current_prices.product_name). */
async function productNames(em: EntityManager, rows: Array<{ sku: string }>): Promise<Map<string, string>> {
  const found: Array<{ sku: string; product_name: string }> = await em.query(
    `SELECT DISTINCT ON (sku) sku, product_name FROM catalog_current_prices WHERE sku = ANY($1::text[]) ORDER BY sku`,
    [[...new Set(rows.map((r) => r.sku))]],
  );
  return new Map(found.map((r) => [r.sku, r.product_name]));
}
