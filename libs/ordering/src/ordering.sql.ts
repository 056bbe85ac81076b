import { CreditLine, Currency, preparedStatement } from '#disty/core';
import { OrderLineStatus, OrderStatus } from './domain/pricing';

// The ordering module's SQL column lists, statements and row types (orders, order_lines).

export interface OrderRow {
  id: string;
  /** ORD-000123 (docs/portal.md, "Order numbers"). */
  number: string;
  reseller_id: string;
  status: OrderStatus;
  currency: Currency;
  /** The linked end customer record (null only for an order the back-fill could not link). */
  end_customer_id: string | null;
  end_customer_name: string;
  end_customer_reference: string | null;
  po_number: string | null;
  created_at: Date;
}

export interface LineRow {
  id: string;
  order_id: string;
  reseller_id: string;
  line_no: number;
  sku: string;
  product_name: string;
  kind: CreditLine;
  status: OrderLineStatus;
  quantity: number;
  currency: Currency;
  unit_price: string;
  net: string;
  tax: string;
  gross: string;
  warranty_months: number | null;
  shipped_on: string | null;
  posted_on: string | null;
  serial_numbers: string[];
  warranty_end: string | null;
  invoice_id: string | null;
  subscription_id: string | null;
  first_charge_id: string | null;
  start_date: string | null;
  vendor: string;
  /** The vendor's unit cost in force when ordered; null when not known (a price older than cost prices). */
  unit_cost: string | null;
  /** The line's cost (unit cost × quantity × months, rounded; split with the line on a partial shipment). */
  cost: string | null;
  /** Shipping posted the line's revenue and cost (1190 / 4000, 5000 / 2050): its invoice credits 1190. */
  shipment_posted: boolean;
  /** The tax code and rate chosen when ordered (docs/accounting.md §11); the code is null on lines ordered before tax codes. */
  tax_code: string | null;
  tax_rate: string;
}

export const LINE_COLUMNS = `l.id, l.order_id, l.reseller_id, l.line_no, l.sku, l.product_name, l.kind, l.status, l.quantity, l.currency,
  l.unit_price, l.net, l.tax, l.gross, l.warranty_months, to_char(l.shipped_on, 'YYYY-MM-DD') AS shipped_on,
  to_char(l.posted_on, 'YYYY-MM-DD') AS posted_on, l.serial_numbers,
  to_char(l.warranty_end, 'YYYY-MM-DD') AS warranty_end, l.invoice_id, l.subscription_id, l.first_charge_id,
  to_char(l.start_date, 'YYYY-MM-DD') AS start_date, l.vendor, l.unit_cost, l.cost, l.shipment_posted, l.tax_code, l.tax_rate::text AS tax_rate`;

export const ORDER_COLUMNS = `o.id, o.number, o.reseller_id, o.status, o.currency, o.end_customer_id, o.end_customer_name, o.end_customer_reference, o.po_number, o.created_at`;

/** An order and its lines in one statement. */
export const INSERT_ORDER = preparedStatement(
  'ordering.insert-order',
  `WITH o AS (
     INSERT INTO orders (id, reseller_id, status, currency, tax_rate, end_customer_name, end_customer_reference, po_number, created_by,
                         end_customer_id)
     VALUES ($1, $2, $20, $3, $21, $22, $23, $24, $25, $30) RETURNING created_at, number
   ), l AS (
     INSERT INTO order_lines (id, order_id, reseller_id, line_no, sku, product_name, vendor, kind, status, quantity, currency,
                              unit_price, net, tax, gross, warranty_months, subscription_id, first_charge_id, start_date, tax_rate,
                              tax_code, unit_cost, cost)
     SELECT t.id, $1, $2, t.line_no, t.sku, t.name, t.vendor, t.kind, t.status, t.quantity, $3,
            t.unit_price, t.net, t.tax, t.gross, t.warranty_months, t.subscription_id, t.first_charge_id, t.start_date, t.tax_rate,
            t.tax_code, t.unit_cost, t.cost
       FROM unnest($4::uuid[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[],
                   $12::numeric[], $13::numeric[], $14::numeric[], $15::numeric[], $16::int[], $17::uuid[], $18::uuid[], $19::date[],
                   $26::numeric[], $27::text[], $28::numeric[], $29::numeric[])
         AS t(id, line_no, sku, name, vendor, kind, status, quantity, unit_price, net, tax, gross, warranty_months,
              subscription_id, first_charge_id, start_date, tax_rate, tax_code, unit_cost, cost)
   )
   SELECT created_at, number FROM o`,
);

export interface LockedOrder {
  id: string;
  currency: Currency;
}
