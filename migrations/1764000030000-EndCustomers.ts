import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * End customers as records (docs/architecture.md, customers module): `end_customers` per reseller,
 * one per exact (trimmed) name. Orders and subscriptions link to one through `end_customer_id` and
 * keep their own name and reference columns for display and the read contracts. The existing
 * names become records per reseller, exact duplicates merged into one; each record's reference is
 * the latest one given for that name.
 */
export class EndCustomers1764000030000 implements MigrationInterface {
  name = 'EndCustomers1764000030000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE end_customers (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        name text NOT NULL,
        contact_name text,
        contact_email text,
        country text,
        tax_id text,
        reference text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_end_customers PRIMARY KEY (id),
        CONSTRAINT fk_end_customers_reseller FOREIGN KEY (reseller_id) REFERENCES resellers (id),
        CONSTRAINT uq_end_customers_reseller_name UNIQUE (reseller_id, name),
        CONSTRAINT uq_end_customers_reseller_id UNIQUE (reseller_id, id),
        CONSTRAINT ck_end_customers_name CHECK (name = btrim(name) AND name <> '')
      )`);
    await q.query(`CREATE INDEX ix_end_customers_name_lower ON end_customers (reseller_id, lower(name) text_pattern_ops)`);
    await q.query(`
      INSERT INTO end_customers (reseller_id, name, reference, created_at)
      SELECT reseller_id, name, (array_agg(reference ORDER BY created_at DESC) FILTER (WHERE reference IS NOT NULL))[1], min(created_at)
        FROM (
          SELECT reseller_id, btrim(end_customer_name) AS name, end_customer_reference AS reference, created_at FROM orders
          UNION ALL
          SELECT reseller_id, btrim(end_customer_name), end_customer_reference, created_at FROM subscriptions
        ) n
       WHERE name <> ''
       GROUP BY reseller_id, name`);
    await q.query(`ALTER TABLE orders ADD COLUMN end_customer_id uuid`);
    await q.query(`ALTER TABLE subscriptions ADD COLUMN end_customer_id uuid`);
    await q.query(`
      UPDATE orders o SET end_customer_id = e.id
        FROM end_customers e WHERE e.reseller_id = o.reseller_id AND e.name = btrim(o.end_customer_name)`);
    await q.query(`
      UPDATE subscriptions s SET end_customer_id = e.id
        FROM end_customers e WHERE e.reseller_id = s.reseller_id AND e.name = btrim(s.end_customer_name)`);
    // The record must be the same reseller's: the foreign keys name (reseller_id, end_customer_id).
    await q.query(`
      ALTER TABLE orders ADD CONSTRAINT fk_orders_end_customer
        FOREIGN KEY (reseller_id, end_customer_id) REFERENCES end_customers (reseller_id, id)`);
    await q.query(`
      ALTER TABLE subscriptions ADD CONSTRAINT fk_subscriptions_end_customer
        FOREIGN KEY (reseller_id, end_customer_id) REFERENCES end_customers (reseller_id, id)`);
    await q.query(`CREATE INDEX ix_orders_end_customer ON orders (end_customer_id)`);
    await q.query(`CREATE INDEX ix_subscriptions_end_customer ON subscriptions (end_customer_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions DROP CONSTRAINT fk_subscriptions_end_customer`);
    await q.query(`ALTER TABLE orders DROP CONSTRAINT fk_orders_end_customer`);
    await q.query(`ALTER TABLE subscriptions DROP COLUMN end_customer_id`);
    await q.query(`ALTER TABLE orders DROP COLUMN end_customer_id`);
    await q.query(`DROP TABLE end_customers`);
  }
}
