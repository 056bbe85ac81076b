import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every order gets a number people can quote (docs/portal.md, "Order numbers"): ORD-000123, from a
 * sequence, given by the column's default on insert; existing orders are numbered in the order
 * they were placed.
 */
export class OrderNumbers1764000301000 implements MigrationInterface {
  name = 'OrderNumbers1764000301000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE order_number_seq`);
    await q.query(`ALTER TABLE orders ADD COLUMN number text`);
    await q.query(`
      UPDATE orders o SET number = 'ORD-' || lpad(n.seq::text, 6, '0')
        FROM (SELECT id, nextval('order_number_seq') AS seq FROM (SELECT id FROM orders ORDER BY created_at, id) s) n
       WHERE n.id = o.id`);
    await q.query(`ALTER TABLE orders ALTER COLUMN number SET DEFAULT 'ORD-' || lpad(nextval('order_number_seq')::text, 6, '0')`);
    await q.query(`ALTER TABLE orders ALTER COLUMN number SET NOT NULL`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE (number)`);
    await q.query(`ALTER SEQUENCE order_number_seq OWNED BY orders.number`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP COLUMN number`);
  }
}
