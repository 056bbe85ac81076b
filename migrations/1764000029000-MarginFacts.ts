import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gross-margin report's read contracts (docs/accounting.md §12, docs/architecture.md §3): each
 * module publishes, as a view over its own tables, the revenue and cost it recognised, in one shape
 * (reseller_id, sku, vendor, currency, recognised_on, revenue, cost), and `margin_facts` unites them
 * for the reporting module, which reads nothing else.
 *
 * - reseller: `reseller_names` (id, name).
 * - catalog: `catalog_product_names` (sku, name, vendor).
 * - ordering: `margin_hardware`: a shipped hardware line's net and cost on its posting date (4000 /
 *   5000 at shipment); a line shipped before shipments posted revenue counts on its invoice's date
 *   with no cost (it was booked to 4000 when invoiced, and no cost was booked for it).
 * - invoicing: `margin_cloud`: each recognised slice of a cloud charge (4100 / 5100, from
 *   `revenue_recognitions`), and `margin_credit_notes`: the part of each credit-note line booked to
 *   4900 (its net less what it took back from deferred revenue) as negative revenue on its date.
 * - purchasing: `margin_variances`: each bill line's variance as its entry shares it among
 *   resellers (`vendor_bill_variances`, 5900) on the bill's date.
 */
export class MarginFacts1764000029000 implements MigrationInterface {
  name = 'MarginFacts1764000029000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE VIEW reseller_names AS SELECT id, name FROM resellers`);
    await q.query(`CREATE VIEW catalog_product_names AS SELECT sku, name, vendor FROM products`);
    await q.query(`
      CREATE VIEW margin_hardware AS
      SELECT l.reseller_id, l.sku, l.vendor, l.currency,
             CASE WHEN l.shipment_posted THEN coalesce(l.posted_on, l.shipped_on) ELSE l.billed_on END AS recognised_on,
             l.net AS revenue,
             CASE WHEN l.shipment_posted THEN coalesce(l.cost, 0) ELSE 0 END AS cost
        FROM order_lines l
       WHERE l.kind = 'HARDWARE' AND l.status = 'SHIPPED' AND (l.shipment_posted OR l.invoice_id IS NOT NULL)`);
    await q.query(`
      CREATE VIEW margin_cloud AS
      SELECT r.reseller_id, r.sku, r.vendor, r.currency, r.recognised_on, r.revenue, r.cost
        FROM revenue_recognitions r`);
    await q.query(`
      CREATE VIEW margin_credit_notes AS
      SELECT n.reseller_id, il.sku, p.vendor, n.currency, n.issue_date AS recognised_on,
             -(cl.net - coalesce(d.amount, 0)) AS revenue, 0::numeric AS cost
        FROM credit_note_lines cl
        JOIN credit_notes n ON n.id = cl.credit_note_id
        JOIN invoice_lines il ON il.id = cl.invoice_line_id
        LEFT JOIN catalog_product_names p ON p.sku = il.sku
        LEFT JOIN (SELECT credit_note_id, invoice_line_id, sum(amount) AS amount FROM revenue_deferral_credits GROUP BY 1, 2) d
          ON d.credit_note_id = cl.credit_note_id AND d.invoice_line_id = cl.invoice_line_id
       WHERE cl.net <> coalesce(d.amount, 0)`);
    await q.query(`
      CREATE VIEW margin_variances AS
      SELECT v.reseller_id, bl.sku, vd.name AS vendor, b.currency, b.bill_date AS recognised_on, 0::numeric AS revenue, v.amount AS cost
        FROM vendor_bill_variances v
        JOIN vendor_bill_lines bl ON bl.id = v.bill_line_id
        JOIN vendor_bills b ON b.id = bl.bill_id
        JOIN vendors vd ON vd.id = b.vendor_id`);
    await q.query(`
      CREATE VIEW margin_facts AS
      SELECT * FROM margin_hardware
      UNION ALL SELECT * FROM margin_cloud
      UNION ALL SELECT * FROM margin_credit_notes
      UNION ALL SELECT * FROM margin_variances`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW margin_facts`);
    for (const v of [
      'margin_variances',
      'margin_credit_notes',
      'margin_cloud',
      'margin_hardware',
      'catalog_product_names',
      'reseller_names',
    ]) {
      await q.query(`DROP VIEW ${v}`);
    }
  }
}
