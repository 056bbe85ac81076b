// Owns billing's side of order_lines: shipped lines taken by an invoice, 1190's subledger.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, Dec, preparedStatement, queryPrepared } from '#disty/core';
import { LINE_COLUMNS, LineRow } from './ordering.sql';

// Prepared (parsed and planned once per connection): the billing run runs them for every reseller
// (docs/performance.md, "Billing run").
const TAKE_UNBILLED_SHIPPED_LINES = preparedStatement(
  'ordering.take-unbilled-shipped-lines',
  `WITH l AS (
     UPDATE order_lines SET invoice_id = $3, billed_at = now(), billed_on = $2
      WHERE reseller_id = $1 AND status = 'SHIPPED' AND invoice_id IS NULL AND coalesce(posted_on, shipped_on) <= $2
     RETURNING *)
   SELECT ${LINE_COLUMNS}, o.po_number, o.end_customer_id, o.end_customer_name, o.end_customer_reference, l.tax_rate::text AS line_tax_rate
     FROM l JOIN orders o ON o.id = l.order_id
    ORDER BY l.shipped_on, l.order_id, l.line_no`,
);
/** A shipped hardware line not yet invoiced, as invoicing bills it. */
export interface UnbilledShippedLine {
  orderLineId: string;
  orderId: string;
  resellerId: string;
  sku: string;
  description: string;
  quantity: number;
  unitPrice: Dec;
  net: Dec;
  tax: Dec;
  gross: Dec;
  currency: Currency;
  shippedOn: string;
  /** The date the shipment counts on in the books when its own month was closed (else null). */
  postedOn: string | null;
  poNumber: string | null;
  /** The order's end customer (its record's id: null on orders from before the records). */
  endCustomer: { id: string | null; name: string; reference: string | null };
  creditLine: 'HARDWARE';
  /** The tax rate in force when the line was ordered: the one its invoice uses (docs/money-integrity.md). */
  taxRate: Dec;
  /** The tax code chosen when ordered (null on lines ordered before tax codes). */
  taxCode: string | null;
  /** The credit reservation's source: consume it when the line is invoiced. */
  source: { type: 'order_line'; id: string };
  /** The unit cost and the line's cost in force when ordered (null: not known), copied onto its invoice line. */
  unitCost: Dec | null;
  cost: Dec | null;
  /**
   * Its shipment posted its revenue (1190 net / 4000 net, docs/accounting.md §3): its invoice moves
   * the net from 1190 to 1100. false for lines shipped before revenue was posted at shipment: their
   * invoice credits 4000 as then.
   */
  shipmentPosted: boolean;
}

/** Per reseller and currency: the net of shipped lines whose shipment posted revenue, not yet invoiced (1190's subledger). */
export interface UnbilledReceivable {
  resellerId: string;
  currency: Currency;
  amount: Dec;
}

/** What invoicing and the books read of shipped hardware lines, and the mark that they are invoiced. */
@Injectable()
export class OrderLineBillingService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The billing run's take: the shipped hardware lines not yet invoiced whose shipment counts on or
   * before `periodEnd`, marked invoiced on `invoiceId` and `periodEnd` (the invoice's date) by the
   * statement that locks them, so each line is written once and billed once (a second take finds
   * nothing); in the caller's transaction, which unbills them again if it fails.
   */
  async takeUnbilledShippedLines(
    em: EntityManager,
    resellerId: string,
    periodEnd: string,
    invoiceId: string,
  ): Promise<UnbilledShippedLine[]> {
    return (await queryPrepared<UnbilledLineRow>(em, TAKE_UNBILLED_SHIPPED_LINES, [resellerId, periodEnd, invoiceId])).map(
      unbilledShippedLine,
    );
  }

  /**
   * 1190's subledger (docs/accounting.md §6, `unbilled`): per reseller and currency, the net of the
   * hardware lines whose shipment posted revenue and that are not invoiced. With `asOf`: shipments
   * posted on or before it (the posting date: posted_on, else shipped_on) not invoiced by then.
   */
  async unbilledReceivables(
    asOf: string | null,
    resellerId: string | null,
    em: EntityManager = this.db.manager,
  ): Promise<UnbilledReceivable[]> {
    const rows: Array<{ reseller_id: string; currency: Currency; amount: string }> = await em.query(
      `SELECT reseller_id, currency, sum(net)::text AS amount FROM order_lines
        WHERE shipment_posted AND ($2::uuid IS NULL OR reseller_id = $2::uuid)
          AND ($1::date IS NULL AND invoice_id IS NULL
               OR $1::date IS NOT NULL AND coalesce(posted_on, shipped_on) <= $1::date AND (billed_on IS NULL OR billed_on > $1::date))
        GROUP BY 1, 2`,
      [asOf, resellerId],
    );
    return rows.map((r) => ({ resellerId: r.reseller_id, currency: r.currency, amount: new Dec(r.amount) }));
  }
}

type UnbilledLineRow = LineRow & {
  po_number: string | null;
  end_customer_id: string | null;
  end_customer_name: string;
  end_customer_reference: string | null;
  line_tax_rate: string;
};

function unbilledShippedLine(r: UnbilledLineRow): UnbilledShippedLine {
  return {
    orderLineId: r.id,
    orderId: r.order_id,
    resellerId: r.reseller_id,
    sku: r.sku,
    description: `${r.product_name} × ${r.quantity}${r.serial_numbers.length ? ` (S/N ${r.serial_numbers.join(', ')})` : ''}`,
    quantity: r.quantity,
    unitPrice: new Dec(r.unit_price),
    net: new Dec(r.net),
    tax: new Dec(r.tax),
    gross: new Dec(r.gross),
    currency: r.currency,
    shippedOn: r.shipped_on!,
    postedOn: r.posted_on,
    poNumber: r.po_number,
    endCustomer: { id: r.end_customer_id, name: r.end_customer_name, reference: r.end_customer_reference },
    creditLine: 'HARDWARE' as const,
    taxRate: new Dec(r.line_tax_rate),
    taxCode: r.tax_code,
    source: { type: 'order_line' as const, id: r.id },
    unitCost: r.unit_cost == null ? null : new Dec(r.unit_cost),
    cost: r.cost == null ? null : new Dec(r.cost),
    shipmentPosted: r.shipment_posted,
  };
}
