import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders: one cart of hardware and cloud lines, priced at placement (the price, tax rate and
 * amounts are frozen on the line). Hardware lines are shipped (serials, ship date, warranty end =
 * the last covered day) and then billed once (invoice_id); cloud lines point at the subscription
 * they provisioned and its first charge (the credit reservation's source).
 */
export class Orders1764000004000 implements MigrationInterface {
  name = 'Orders1764000004000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY,
        reseller_id uuid NOT NULL,
        status text NOT NULL,
        currency char(3) NOT NULL,
        tax_rate numeric(9,6) NOT NULL,
        end_customer_name text NOT NULL,
        end_customer_reference text,
        po_number text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT orders_reseller_id_fkey FOREIGN KEY (reseller_id) REFERENCES resellers (id),
        CONSTRAINT orders_status_check CHECK (status IN ('PLACED','PARTIALLY_SHIPPED','FULFILLED','CANCELLED')),
        CONSTRAINT orders_currency_check CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`CREATE INDEX orders_reseller_created_idx ON orders (reseller_id, created_at DESC, id)`);
    await q.query(`CREATE INDEX orders_created_idx ON orders (created_at DESC, id)`);

    await q.query(`
      CREATE TABLE order_lines (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        line_no integer NOT NULL,
        sku text NOT NULL,
        product_name text NOT NULL,
        vendor text NOT NULL,
        kind text NOT NULL,
        status text NOT NULL,
        quantity integer NOT NULL,
        currency char(3) NOT NULL,
        unit_price numeric(20,4) NOT NULL,
        net numeric(20,4) NOT NULL,
        tax numeric(20,4) NOT NULL,
        gross numeric(20,4) NOT NULL,
        warranty_months integer,
        shipped_on date,
        serial_numbers text[] NOT NULL DEFAULT '{}',
        warranty_end date,
        invoice_id uuid,
        billed_at timestamptz,
        subscription_id uuid,
        first_charge_id uuid,
        start_date date,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT order_lines_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id),
        CONSTRAINT order_lines_order_line_no_key UNIQUE (order_id, line_no),
        CONSTRAINT order_lines_kind_check CHECK (kind IN ('HARDWARE','CLOUD')),
        CONSTRAINT order_lines_status_check CHECK (
          (kind = 'HARDWARE' AND status IN ('PENDING','SHIPPED','CANCELLED')) OR (kind = 'CLOUD' AND status = 'PROVISIONED')),
        CONSTRAINT order_lines_quantity_check CHECK (quantity > 0),
        CONSTRAINT order_lines_amounts_check CHECK (unit_price >= 0 AND net >= 0 AND tax >= 0 AND gross = net + tax),
        CONSTRAINT order_lines_shipped_check CHECK ((status = 'SHIPPED') = (shipped_on IS NOT NULL)),
        CONSTRAINT order_lines_billed_check CHECK (invoice_id IS NULL OR (status = 'SHIPPED' AND billed_at IS NOT NULL)),
        CONSTRAINT order_lines_cancelled_check CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)),
        CONSTRAINT order_lines_cloud_check CHECK (kind <> 'CLOUD' OR (subscription_id IS NOT NULL AND start_date IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX order_lines_order_idx ON order_lines (order_id, line_no)`);
    await q.query(`CREATE INDEX order_lines_reseller_idx ON order_lines (reseller_id)`);
    await q.query(`CREATE INDEX order_lines_unbilled_idx ON order_lines (reseller_id, shipped_on)
                   WHERE status = 'SHIPPED' AND invoice_id IS NULL`);
    await q.query(`CREATE INDEX order_lines_warranty_end_idx ON order_lines (warranty_end) WHERE warranty_end IS NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE order_lines`);
    await q.query(`DROP TABLE orders`);
  }
}
