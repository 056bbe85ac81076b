import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ordering module's published read contract (docs/architecture.md §3), now defined by the
 * module that owns orders and order_lines. The view was first created by
 * 1764000006000-RenewalAlerts; this restates it unchanged (CREATE OR REPLACE keeps its grants), so
 * its definition lives with its owner and any later change to it is made here, in a new ordering
 * migration.
 * - renewal_warranties: shipped hardware lines with a warranty end (the last covered day).
 */
export class OrderingReadContract1764000016000 implements MigrationInterface {
  name = 'OrderingReadContract1764000016000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW renewal_warranties AS
      SELECT l.id AS order_line_id, l.reseller_id, l.sku, l.quantity, l.currency, l.warranty_end,
             o.end_customer_name, o.end_customer_reference, l.net
        FROM order_lines l
        JOIN orders o ON o.id = l.order_id
       WHERE l.kind = 'HARDWARE' AND l.status = 'SHIPPED' AND l.warranty_end IS NOT NULL`);
  }

  public async down(): Promise<void> {
    // The definition is unchanged from 1764000006000, whose down drops the view.
  }
}
