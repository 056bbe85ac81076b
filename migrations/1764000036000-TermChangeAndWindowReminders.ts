import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Term-length changes at renewal and month-to-month window reminders (docs/commitments.md):
 *
 * - Terms are numbered from an anchor in steps of the term length. A change of term length at
 *   renewal re-anchors the subscription: `subscriptions.anchor_term_no` is the number of terms
 *   before the current anchoring (term n spans termSpan(anchor_date, term, n − anchor_term_no)),
 *   and every `subscription_terms` row keeps the term length, anchor and anchor_term_no it was
 *   created under, so earlier terms keep their own billing periods.
 * - `catalog_product_commitments` (the catalog's read contract): each product's pack rules.
 * - `subscription_commitment_windows` (the subscription module's read contract): when the current
 *   commitment window of each running subscription closes (null: its pack has no window). The
 *   window policy and the renewal desk both read it, so they agree to the second.
 * - `renewal_subscription_states` (its read contract for the renewal desk): auto-renew, the window's
 *   close and the pending change at renewal of each subscription.
 * - `renewal_alerts.kind`: THRESHOLD (the 90/60/30 alerts) or WINDOW, the reminder a month-to-month
 *   term raises while its commitment window is open (threshold 0, days_left to the term's end).
 */
export class TermChangeAndWindowReminders1764000036000 implements MigrationInterface {
  name = 'TermChangeAndWindowReminders1764000036000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions ADD COLUMN anchor_term_no integer NOT NULL DEFAULT 0,
                     ADD CONSTRAINT subscriptions_anchor_term_no_check CHECK (anchor_term_no >= 0 AND anchor_term_no < term_no)`);
    await q.query(`ALTER TABLE subscription_terms ADD COLUMN term text, ADD COLUMN anchor_date date, ADD COLUMN anchor_term_no integer`);
    await q.query(`UPDATE subscription_terms t SET term = s.term, anchor_date = s.anchor_date, anchor_term_no = 0
                     FROM subscriptions s WHERE s.id = t.subscription_id`);
    await q.query(`ALTER TABLE subscription_terms ALTER COLUMN term SET NOT NULL, ALTER COLUMN anchor_date SET NOT NULL,
                     ALTER COLUMN anchor_term_no SET NOT NULL,
                     ADD CONSTRAINT subscription_terms_term_check CHECK (term IN ('P1M','P1Y','P3Y')),
                     ADD CONSTRAINT subscription_terms_anchor_term_no_check CHECK (anchor_term_no >= 0 AND anchor_term_no < term_no)`);

    await q.query(`
      CREATE VIEW catalog_product_commitments AS
      SELECT p.sku, p.commitment_pack, c.window_hours, c.price_lock, c.auto_renew_default, c.monthly_uplift_percent, p.term AS product_term
        FROM products p JOIN commitment_rule_packs c ON c.code = p.commitment_pack`);
    await q.query(`GRANT SELECT ON catalog_product_commitments TO disty_app`);

    // Each anchor counts from the moment it was recorded when that was on its own effective date,
    // else from the start (UTC) of that date (docs/commitments.md, "The window").
    await q.query(`
      CREATE VIEW subscription_commitment_windows AS
      SELECT s.id AS subscription_id, s.reseller_id, pc.commitment_pack, pc.window_hours,
             greatest(
               CASE WHEN (s.created_at AT TIME ZONE 'UTC')::date = s.anchor_date THEN s.created_at
                    ELSE s.anchor_date::timestamp AT TIME ZONE 'UTC' END,
               (SELECT CASE WHEN (t.created_at AT TIME ZONE 'UTC')::date = t.start_date THEN t.created_at
                            ELSE t.start_date::timestamp AT TIME ZONE 'UTC' END
                  FROM subscription_terms t WHERE t.subscription_id = s.id AND t.term_no = s.term_no),
               (SELECT max(CASE WHEN (c.created_at AT TIME ZONE 'UTC')::date = c.effective_date THEN c.created_at
                                ELSE c.effective_date::timestamp AT TIME ZONE 'UTC' END)
                  FROM subscription_changes c
                 WHERE c.subscription_id = s.id AND c.kind = 'QUANTITY' AND c.new_quantity > c.old_quantity)
             ) + make_interval(hours => pc.window_hours) AS window_closes_at
        FROM subscriptions s
        JOIN catalog_product_commitments pc ON pc.sku = s.sku AND pc.window_hours IS NOT NULL`);
    await q.query(`GRANT SELECT ON subscription_commitment_windows TO disty_app`);

    // What the renewal desk shows of a subscription beside its alerts: auto-renew, the window and
    // the pending change at renewal (the subscription module's read contract for the desk).
    await q.query(`
      CREATE VIEW renewal_subscription_states AS
      SELECT s.id AS subscription_id, s.reseller_id, s.auto_renew, s.cancel_at_term_end, w.window_closes_at,
             c.id AS change_id, c.new_quantity AS change_quantity, c.new_sku AS change_sku, c.new_term AS change_term,
             c.new_billing_frequency AS change_billing_frequency, c.effective_date AS change_effective_date
        FROM subscriptions s
        LEFT JOIN subscription_commitment_windows w ON w.subscription_id = s.id
        LEFT JOIN subscription_scheduled_changes c ON c.subscription_id = s.id AND c.kind = 'RENEWAL' AND c.status = 'PENDING'`);
    await q.query(`GRANT SELECT ON renewal_subscription_states TO disty_app`);

    await q.query(`ALTER TABLE renewal_alerts ADD COLUMN kind text NOT NULL DEFAULT 'THRESHOLD',
                     ADD CONSTRAINT renewal_alerts_kind_check CHECK (kind IN ('THRESHOLD','WINDOW'))`);
    await q.query(`ALTER TABLE renewal_alerts DROP CONSTRAINT renewal_alerts_threshold_check,
                     DROP CONSTRAINT renewal_alerts_days_left_check,
                     ADD CONSTRAINT renewal_alerts_threshold_check CHECK ((kind = 'THRESHOLD' AND threshold > 0) OR (kind = 'WINDOW' AND threshold = 0)),
                     ADD CONSTRAINT renewal_alerts_days_left_check CHECK (days_left >= 0 AND (kind = 'WINDOW' OR days_left <= threshold))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // Notes are append-only: a window reminder with notes keeps this down migration from running.
    await q.query(`DELETE FROM renewal_alerts WHERE kind = 'WINDOW'`);
    await q.query(`ALTER TABLE renewal_alerts DROP CONSTRAINT renewal_alerts_threshold_check, DROP CONSTRAINT renewal_alerts_days_left_check,
                     ADD CONSTRAINT renewal_alerts_threshold_check CHECK (threshold > 0),
                     ADD CONSTRAINT renewal_alerts_days_left_check CHECK (days_left >= 0 AND days_left <= threshold)`);
    await q.query(`ALTER TABLE renewal_alerts DROP COLUMN kind`);
    await q.query(`DROP VIEW renewal_subscription_states`);
    await q.query(`DROP VIEW subscription_commitment_windows`);
    await q.query(`DROP VIEW catalog_product_commitments`);
    await q.query(`ALTER TABLE subscription_terms DROP COLUMN term, DROP COLUMN anchor_date, DROP COLUMN anchor_term_no`);
    await q.query(`ALTER TABLE subscriptions DROP COLUMN anchor_term_no`);
  }
}
