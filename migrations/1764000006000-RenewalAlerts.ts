import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Renewal alerts and outbound webhooks.
 *
 * Published read models (SQL views). They are the subscription, ordering and catalog modules'
 * public read contract for set-based scans: the renewal-alert scan reads only these views, never
 * the tables behind them, so those modules may change their tables as long as the views keep
 * their columns.
 * - renewal_subscription_terms: the current term of each ACTIVE subscription and of each one
 *   CANCELLED at term end (still running; the reseller may win it back). term_id is a scalar
 *   subquery rather than a join, so reading the view without it costs no term lookups.
 * - renewal_subscription_term_ids: every term's id by (subscription, term end), for looking up
 *   the ids of many terms at once with a hash join.
 * - renewal_warranties: shipped hardware lines with a warranty end (the last covered day).
 * - catalog_current_prices: the price in force per (sku, currency), with the product's linked
 *   extended-warranty SKU (a product with no current price appears once with a NULL currency).
 * The subscriptions migration's partial index subscriptions_due_idx (term_end, WHERE the view's
 * predicate) and order_lines_warranty_end_idx make the scan's per-threshold term-end windows index
 * range scans over millions of rows.
 *
 * renewal_alerts: UNIQUE (term_end, source, source_id, threshold) makes each (term, threshold)
 * raise at most once whatever scans run concurrently (INSERT … ON CONFLICT DO NOTHING). source_id
 * is the subscription term's id (a renewal creates a new term id and term end, which starts
 * fresh) or the order line's id for a warranty. The key leads with term_end so the scan's
 * "already raised" range read is an index scan and a scan's inserts land close together; indexes
 * are kept few because a first scan over millions of terms inserts hundreds of thousands of rows.
 * renewal_alert_notes: append-only (a trigger refuses UPDATE and DELETE).
 *
 * webhooks / webhook_deliveries: the transactional outbox. The scan inserts one delivery row per
 * raised alert per subscribed webhook in the same statement; a worker claims due rows with
 * FOR UPDATE SKIP LOCKED, posts them signed, and retries with exponential backoff.
 */
export class RenewalAlerts1764000006000 implements MigrationInterface {
  name = 'RenewalAlerts1764000006000';

  public async up(q: QueryRunner): Promise<void> {
    // Time-ordered ids (uuidv7, PostgreSQL 18+) keep the primary-key inserts of a large scan at the
    // right edge of the index; older servers use random ids.
    const [{ v7 }]: Array<{ v7: boolean }> = await q.query(`SELECT current_setting('server_version_num')::int >= 180000 AS v7`);
    const newId = v7 ? 'uuidv7()' : 'gen_random_uuid()';
    await q.query(`
      CREATE VIEW renewal_subscription_terms AS
      SELECT (SELECT t.id FROM subscription_terms t WHERE t.subscription_id = s.id AND t.term_no = s.term_no) AS term_id,
             s.id AS subscription_id, s.reseller_id, s.sku, s.quantity, s.currency, s.term_end,
             s.end_customer_name, s.end_customer_reference, s.status, s.cancel_at_term_end, s.billing_frequency, s.term,
             s.unit_price
        FROM subscriptions s
       WHERE s.status = 'ACTIVE' OR (s.status = 'CANCELLED' AND s.cancel_at_term_end)`);
    await q.query(`
      CREATE VIEW renewal_subscription_term_ids AS
      SELECT t.id AS term_id, t.subscription_id, t.reseller_id, t.end_date AS term_end FROM subscription_terms t`);
    await q.query(`
      CREATE VIEW renewal_warranties AS
      SELECT l.id AS order_line_id, l.reseller_id, l.sku, l.quantity, l.currency, l.warranty_end,
             o.end_customer_name, o.end_customer_reference, l.net
        FROM order_lines l
        JOIN orders o ON o.id = l.order_id
       WHERE l.kind = 'HARDWARE' AND l.status = 'SHIPPED' AND l.warranty_end IS NOT NULL`);
    await q.query(`
      CREATE VIEW catalog_current_prices AS
      SELECT p.sku, pp.currency, pp.unit_price, p.extended_warranty_sku
        FROM products p
        LEFT JOIN product_prices pp ON pp.sku = p.sku AND pp.valid_to IS NULL`);

    await q.query(`
      CREATE TABLE renewal_alerts (
        id uuid PRIMARY KEY DEFAULT ${newId},
        reseller_id uuid NOT NULL,
        source text NOT NULL,
        source_id uuid NOT NULL,
        subscription_id uuid,
        order_line_id uuid,
        sku text NOT NULL,
        quantity integer NOT NULL,
        end_customer_name text NOT NULL,
        end_customer_reference text,
        term_end date NOT NULL,
        threshold integer NOT NULL,
        days_left integer NOT NULL,
        raised_as_of date NOT NULL,
        renewal_value numeric(20,4) NOT NULL,
        currency char(3) NOT NULL,
        status text NOT NULL DEFAULT 'OPEN',
        assignee_id uuid,
        raised_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT renewal_alerts_once_key UNIQUE (term_end, source, source_id, threshold),
        CONSTRAINT renewal_alerts_source_check CHECK (source IN ('SUBSCRIPTION','WARRANTY')),
        CONSTRAINT renewal_alerts_source_shape_check CHECK (
          (source = 'SUBSCRIPTION' AND subscription_id IS NOT NULL AND order_line_id IS NULL)
          OR (source = 'WARRANTY' AND order_line_id IS NOT NULL AND subscription_id IS NULL AND order_line_id = source_id)),
        CONSTRAINT renewal_alerts_status_check CHECK (status IN ('OPEN','CONTACTED','WON','LOST','DISMISSED')),
        CONSTRAINT renewal_alerts_threshold_check CHECK (threshold > 0),
        CONSTRAINT renewal_alerts_days_left_check CHECK (days_left >= 0 AND days_left <= threshold),
        CONSTRAINT renewal_alerts_quantity_check CHECK (quantity > 0),
        CONSTRAINT renewal_alerts_value_check CHECK (renewal_value >= 0),
        CONSTRAINT renewal_alerts_currency_check CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`CREATE INDEX renewal_alerts_reseller_id_idx ON renewal_alerts (reseller_id, term_end)`);
    await q.query(`CREATE INDEX renewal_alerts_assignee_idx ON renewal_alerts (assignee_id) WHERE assignee_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE renewal_alert_notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        alert_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        author_id uuid NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT renewal_alert_notes_alert_id_fkey FOREIGN KEY (alert_id) REFERENCES renewal_alerts (id),
        CONSTRAINT renewal_alert_notes_body_check CHECK (length(body) BETWEEN 1 AND 4000)
      )`);
    await q.query(`CREATE INDEX renewal_alert_notes_alert_idx ON renewal_alert_notes (alert_id, created_at, id)`);
    await q.query(`CREATE INDEX renewal_alert_notes_reseller_id_idx ON renewal_alert_notes (reseller_id)`);
    await q.query(`
      CREATE FUNCTION renewal_alert_notes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'renewal alert notes are append-only' USING ERRCODE = 'RA001';
      END $$`);
    await q.query(`
      CREATE TRIGGER renewal_alert_notes_append_only BEFORE UPDATE OR DELETE ON renewal_alert_notes
        FOR EACH ROW EXECUTE FUNCTION renewal_alert_notes_append_only()`);

    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        url text NOT NULL,
        events text[] NOT NULL,
        secret text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT webhooks_url_check CHECK (url ~ '^https?://' AND length(url) <= 2000),
        CONSTRAINT webhooks_events_check CHECK (cardinality(events) > 0),
        CONSTRAINT webhooks_deleted_check CHECK (active = (deleted_at IS NULL))
      )`);
    await q.query(`CREATE INDEX webhooks_reseller_id_idx ON webhooks (reseller_id) WHERE active`);

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT ${newId},
        webhook_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        event text NOT NULL,
        event_id uuid NOT NULL DEFAULT gen_random_uuid(),
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'PENDING',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        last_response_status integer,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_deliveries_webhook_id_fkey FOREIGN KEY (webhook_id) REFERENCES webhooks (id),
        CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('PENDING','DELIVERED','FAILED')),
        CONSTRAINT webhook_deliveries_attempts_check CHECK (attempts >= 0),
        CONSTRAINT webhook_deliveries_delivered_check CHECK ((status = 'DELIVERED') = (delivered_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at DESC, id)`);
    await q.query(`CREATE INDEX webhook_deliveries_reseller_id_idx ON webhook_deliveries (reseller_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhooks`);
    await q.query(`DROP TABLE renewal_alert_notes`);
    await q.query(`DROP FUNCTION renewal_alert_notes_append_only()`);
    await q.query(`DROP TABLE renewal_alerts`);
    await q.query(`DROP VIEW catalog_current_prices`);
    await q.query(`DROP VIEW renewal_warranties`);
    await q.query(`DROP VIEW renewal_subscription_term_ids`);
    await q.query(`DROP VIEW renewal_subscription_terms`);
  }
}
