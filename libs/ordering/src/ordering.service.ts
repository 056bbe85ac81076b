import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  addDays, addMonthsClamped, Clock, CreditLine, Currency, Dec, FieldError, moneyString, page, Page, preparedStatement, ProblemError, queryPrepared,
  idempotentTransaction,
  retryOnConflict,
  validationError,
} from '@disty/core';
import { billingPeriodMonths, CatalogProduct, CatalogService } from '@disty/catalog';
import { LedgerService } from '@disty/ledger';
import { CreditReservationService, ReservationItem, ResellerService, Source } from '@disty/reseller';
import { ChangeDatePolicy, DateAuthority, SubscriptionService } from '@disty/subscription';
import { OrderLineStatus, orderStatus, OrderStatus, priceOrder, PricingLine, splitLineAmounts } from './domain/pricing';
import { OrderLineView, OrderView } from './dto/order.dto';
import { orderingError, OrderingErrorCode } from './errors';

export interface PlaceOrderInput {
  resellerId: string;
  endCustomer: { name: string; reference?: string | null };
  poNumber?: string | null;
  lines: Array<{ sku: string; quantity: number; startDate?: string }>;
  createdBy?: string | null;
  /**
   * Who places it, for the start-date rules: a reseller's buyer starts subscriptions from today to
   * a year ahead; distributor staff may also back-date within open months. Omitted only by
   * trusted internal callers (the demo seed).
   */
  placedBy?: DateAuthority;
}

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
  endCustomer: { name: string; reference: string | null };
  creditLine: 'HARDWARE';
  /** The tax rate in force when the line was ordered: the one its invoice uses (docs/money-integrity.md). */
  taxRate: Dec;
  /** The credit reservation's source: consume it when the line is invoiced. */
  source: { type: 'order_line'; id: string };
}

/** A shipped hardware line with a warranty, for renewal alerts. */
interface OrderRow {
  id: string;
  reseller_id: string;
  status: OrderStatus;
  currency: Currency;
  end_customer_name: string;
  end_customer_reference: string | null;
  po_number: string | null;
  created_at: Date;
}

interface LineRow {
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
}

const LINE_COLUMNS = `l.id, l.order_id, l.reseller_id, l.line_no, l.sku, l.product_name, l.kind, l.status, l.quantity, l.currency,
  l.unit_price, l.net, l.tax, l.gross, l.warranty_months, to_char(l.shipped_on, 'YYYY-MM-DD') AS shipped_on,
  to_char(l.posted_on, 'YYYY-MM-DD') AS posted_on, l.serial_numbers,
  to_char(l.warranty_end, 'YYYY-MM-DD') AS warranty_end, l.invoice_id, l.subscription_id, l.first_charge_id,
  to_char(l.start_date, 'YYYY-MM-DD') AS start_date`;

const ORDER_COLUMNS = `o.id, o.reseller_id, o.status, o.currency, o.end_customer_name, o.end_customer_reference, o.po_number, o.created_at`;

/** An order and its lines in one statement. */
const INSERT_ORDER = preparedStatement(
  'ordering.insert-order',
  `WITH o AS (
     INSERT INTO orders (id, reseller_id, status, currency, tax_rate, end_customer_name, end_customer_reference, po_number, created_by)
     VALUES ($1, $2, $20, $3, $21, $22, $23, $24, $25) RETURNING created_at
   ), l AS (
     INSERT INTO order_lines (id, order_id, reseller_id, line_no, sku, product_name, vendor, kind, status, quantity, currency,
                              unit_price, net, tax, gross, warranty_months, subscription_id, first_charge_id, start_date)
     SELECT t.id, $1, $2, t.line_no, t.sku, t.name, t.vendor, t.kind, t.status, t.quantity, $3,
            t.unit_price, t.net, t.tax, t.gross, t.warranty_months, t.subscription_id, t.first_charge_id, t.start_date
       FROM unnest($4::uuid[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[],
                   $12::numeric[], $13::numeric[], $14::numeric[], $15::numeric[], $16::int[], $17::uuid[], $18::uuid[], $19::date[])
         AS t(id, line_no, sku, name, vendor, kind, status, quantity, unit_price, net, tax, gross, warranty_months,
              subscription_id, first_charge_id, start_date)
   )
   SELECT created_at FROM o`,
);

interface LockedOrder {
  id: string;
  currency: Currency;
  tax_rate: string;
}

interface PreparedLine {
  sku: string;
  quantity: number;
  product: CatalogProduct;
  lineId: string;
  periodMonths: number;
  net: Dec | undefined;
  subscriptionId: string | null;
  firstChargeId: string | null;
  startDate: string | null;
}

/** Where a line's credit is reserved: the order line for hardware, the first charge for cloud. */
function reservationSource(l: Pick<LineRow, 'id' | 'kind' | 'first_charge_id'>): Source {
  return l.kind === 'HARDWARE' ? { type: 'order_line', id: l.id } : { type: 'subscription_charge', id: l.first_charge_id! };
}

/**
 * Orders: one cart of hardware and cloud lines, priced from the catalog in the reseller's
 * currency, provisioned (cloud) and reserved on the reseller's credit lines in one transaction.
 */
@Injectable()
export class OrderingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalog: CatalogService,
    private readonly resellers: ResellerService,
    private readonly credit: CreditReservationService,
    private readonly subscriptions: SubscriptionService,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly dates: ChangeDatePolicy,
  ) {}

  /**
   * Places an order, all or nothing: prices every line, provisions each cloud line's subscription,
   * then checks and reserves each touched credit line under its row lock. A refusal leaves nothing.
   */
  async placeOrder(input: PlaceOrderInput): Promise<OrderView> {
    return retryOnConflict(() => idempotentTransaction(this.db, (em) => this.placeIn(em, input)));
  }

  private async placeIn(em: EntityManager, input: PlaceOrderInput): Promise<OrderView> {
    const reseller = await this.resellers.getReseller(input.resellerId, em);
    const currency = reseller.currency;
    const products = await this.catalog.getProducts(input.lines.map((l) => l.sku), currency, em);
    const items = input.lines.map((l, i) => ({ ...l, index: i, product: this.checkLine(l, i, products, currency) }));
    assertWithinBounds(
      items.map((it) => ({
        kind: it.product.kind,
        quantity: it.quantity,
        unitPrice: it.product.unitPrice!,
        periodMonths: it.product.kind === 'CLOUD' ? billingPeriodMonths(it.product.term!, it.product.billingFrequency!) : 1,
      })),
      reseller.taxRate,
      currency,
    );

    const today = this.clock.today();
    if (input.placedBy) {
      for (const it of items) {
        if (it.product.kind === 'CLOUD' && it.startDate !== undefined) {
          await this.dates.checkStartDate(em, it.startDate, input.placedBy, `lines.${it.index}.startDate`);
        }
      }
    }
    const orderId = randomUUID();
    const lineIds = items.map(() => randomUUID());
    const endCustomer = { name: input.endCustomer.name, ...(input.endCustomer.reference ? { reference: input.endCustomer.reference } : {}) };
    const cloud = items.map((it, i) => ({ it, i })).filter(({ it }) => it.product.kind === 'CLOUD');
    // Every cloud line's subscription in one call (one round trip).
    const provisioned = await this.subscriptions.provisionMany(
      em,
      cloud.map(({ it, i }) => ({
        resellerId: reseller.id,
        orderLineId: lineIds[i],
        sku: it.product.sku,
        quantity: it.quantity,
        unitPrice: it.product.unitPrice!,
        currency,
        term: it.product.term!,
        billingFrequency: it.product.billingFrequency!,
        startDate: it.startDate ?? today,
        endCustomer,
      })),
    );
    const byLine = new Map(cloud.map(({ i }, k) => [i, provisioned[k]]));
    const prepared: PreparedLine[] = items.map((it, i) => {
      const p = it.product;
      const sub = byLine.get(i);
      if (!sub) {
        return { ...it, lineId: lineIds[i], periodMonths: 1, net: undefined, subscriptionId: null, firstChargeId: null, startDate: null };
      }
      return {
        ...it,
        lineId: lineIds[i],
        periodMonths: billingPeriodMonths(p.term!, p.billingFrequency!),
        net: sub.firstCharge.net,
        subscriptionId: sub.subscriptionId,
        firstChargeId: sub.firstCharge.id,
        startDate: it.startDate ?? today,
      };
    });
    const priced = priceOrder(
      prepared.map((l) => ({ kind: l.product.kind, quantity: l.quantity, unitPrice: l.product.unitPrice!, periodMonths: l.periodMonths, net: l.net })),
      reseller.taxRate,
      currency,
    );
    const status = orderStatus(prepared.map((l) => (l.product.kind === 'HARDWARE' ? 'PENDING' : 'PROVISIONED')));

    // The order and its lines in one round trip.
    const col = <T>(f: (l: (typeof prepared)[number], i: number) => T) => prepared.map(f);
    const [order] = await queryPrepared<{ created_at: Date }>(em, INSERT_ORDER, [
      orderId, reseller.id, currency,
      col((l) => l.lineId), col((_, i) => i + 1), col((l) => l.product.sku), col((l) => l.product.name), col((l) => l.product.vendor),
      col((l) => l.product.kind), col((l) => (l.product.kind === 'HARDWARE' ? 'PENDING' : 'PROVISIONED')), col((l) => l.quantity),
      col((l) => l.product.unitPrice!.toFixed()), col((_, i) => priced.lines[i].net.toFixed()),
      col((_, i) => priced.lines[i].tax.toFixed()), col((_, i) => priced.lines[i].gross.toFixed()),
      col((l) => l.product.warrantyMonths), col((l) => l.subscriptionId), col((l) => l.firstChargeId), col((l) => l.startDate),
      status, reseller.taxRate.toFixed(), input.endCustomer.name.trim(), input.endCustomer.reference ?? null, input.poNumber ?? null,
      input.createdBy ?? null,
    ]);

    const reservations: ReservationItem[] = prepared.map((l, i) => ({
      line: l.product.kind,
      amount: priced.lines[i].gross,
      source: reservationSource({ id: l.lineId, kind: l.product.kind, first_charge_id: l.firstChargeId }),
    }));
    await this.credit.reserveCreditMany(em, reseller.id, reservations);

    // The response is built from what was just written (no extra round trips while the line locks are held).
    const rows: LineRow[] = prepared.map((l, i) => ({
      id: l.lineId, order_id: orderId, reseller_id: reseller.id, line_no: i + 1, sku: l.product.sku, product_name: l.product.name,
      kind: l.product.kind, status: l.product.kind === 'HARDWARE' ? 'PENDING' : 'PROVISIONED', quantity: l.quantity, currency,
      unit_price: l.product.unitPrice!.toFixed(), net: priced.lines[i].net.toFixed(), tax: priced.lines[i].tax.toFixed(),
      gross: priced.lines[i].gross.toFixed(), warranty_months: l.product.warrantyMonths, shipped_on: null, posted_on: null, serial_numbers: [],
      warranty_end: null, invoice_id: null, subscription_id: l.subscriptionId, first_charge_id: l.firstChargeId, start_date: l.startDate,
    }));
    const reserved = new Map(reservations.map((r) => [`${r.source.type}:${r.source.id}`, r.amount]));
    return toOrderView(
      {
        id: orderId, reseller_id: reseller.id, status, currency, end_customer_name: input.endCustomer.name.trim(),
        end_customer_reference: input.endCustomer.reference ?? null, po_number: input.poNumber ?? null, created_at: order.created_at,
      },
      rows,
      reserved,
    );
  }

  /** Unknown, inactive, unpriced SKUs and misplaced start dates refuse the whole order. */
  private checkLine(
    l: { sku: string; quantity: number; startDate?: string },
    i: number,
    products: Map<string, CatalogProduct>,
    currency: Currency,
  ): CatalogProduct {
    const p = products.get(l.sku);
    const field = `lines.${i}.sku`;
    if (!p) {
      throw lineProblem(OrderingErrorCode.UnknownProduct, `Line ${i + 1}: SKU ${l.sku} is not in the catalog`, field, l.sku);
    }
    if (!p.active) {
      throw lineProblem(OrderingErrorCode.ProductInactive, `Line ${i + 1}: ${l.sku} is no longer sold`, field, l.sku);
    }
    if (!p.unitPrice) {
      throw lineProblem(OrderingErrorCode.PriceUnavailable, `Line ${i + 1}: ${l.sku} has no price in ${currency}`, field, l.sku, { currency });
    }
    if (p.kind === 'HARDWARE' && l.startDate !== undefined) {
      const errors: FieldError[] = [{ field: `lines.${i}.startDate`, message: 'applies to cloud lines only' }];
      throw validationError(`Line ${i + 1}: startDate applies to cloud lines only`, errors);
    }
    return p;
  }

  async getOrder(id: string, scope: string | null): Promise<OrderView> {
    const [view] = await this.views(this.db.manager, [id], scope);
    if (!view) throw orderNotFound(id);
    return view;
  }

  async listOrders(scope: string | null, q: { status?: OrderStatus; resellerId?: string; page: number; pageSize: number }): Promise<Page<OrderView>> {
    const resellerId = scope ?? q.resellerId ?? null;
    const params = [resellerId, q.status ?? null];
    const cond = `WHERE ($1::uuid IS NULL OR o.reseller_id = $1::uuid) AND ($2::text IS NULL OR o.status = $2::text)`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM orders o ${cond}`, params);
    const ids: Array<{ id: string }> = await this.db.query(
      `SELECT o.id FROM orders o ${cond} ORDER BY o.created_at DESC, o.id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(await this.views(this.db.manager, ids.map((r) => r.id), scope), total, q);
  }

  /**
   * Ships a pending hardware line: its serials, ship date and warranty end (the last day covered:
   * shippedOn + warrantyMonths, clamped to the month's end, minus one day). It becomes billable.
   * With `quantity` below the line's, only those units ship and the rest waits on a new line (splitLine).
   * The ship date is never in the future (422 future-dated). A ship date in a closed month is kept
   * as the real date (shipped_on, warranty, invoice text) and the shipment counts in the books on
   * the first day of the first open month (posted_on): it is billed from then on.
   */
  async shipLine(
    orderId: string,
    lineId: string,
    input: { shippedOn: string; serialNumbers?: string[]; quantity?: number },
  ): Promise<OrderView> {
    const today = this.clock.today();
    if (input.shippedOn > today) {
      throw orderingError(OrderingErrorCode.FutureDated, `A line cannot be shipped on ${input.shippedOn}, after today (${today})`, {
        shippedOn: input.shippedOn,
        today,
      });
    }
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        // Lock order: the order row, then its lines (as cancellation does).
        const order = await this.lockOrder(em, orderId, null);
        const [line]: LineRow[] = await em.query(
          `SELECT ${LINE_COLUMNS} FROM order_lines l WHERE l.id = $1 AND l.order_id = $2 FOR UPDATE`,
          [lineId, orderId],
        );
        if (!line) throw orderingError(OrderingErrorCode.OrderNotFound, `Order line ${lineId} was not found on order ${orderId}`);
        if (line.kind !== 'HARDWARE') {
          throw orderingError(OrderingErrorCode.Conflict, `Line ${line.line_no} is a cloud subscription; only hardware lines are shipped`);
        }
        if (line.status !== 'PENDING') {
          throw orderingError(OrderingErrorCode.Conflict, `Line ${line.line_no} is already ${line.status.toLowerCase()}`);
        }
        const quantity = input.quantity ?? line.quantity;
        if (quantity > line.quantity) {
          throw validationError(`Line ${line.line_no} holds ${line.quantity} units; ${quantity} cannot be shipped`, [
            { field: 'quantity', message: `at most ${line.quantity} (the units the line holds)` },
          ]);
        }
        const serials = input.serialNumbers ?? [];
        if (serials.length > quantity) {
          throw validationError(`${serials.length} serial numbers for ${quantity} units`, [
            { field: 'serialNumbers', message: `at most ${quantity} (one per unit shipped)` },
          ]);
        }
        if (new Set(serials).size !== serials.length) {
          throw validationError('A serial number is listed twice', [{ field: 'serialNumbers', message: 'must not repeat' }]);
        }
        if (quantity < line.quantity) await this.splitLine(em, order, line, quantity);
        const months = line.warranty_months ?? 0;
        const warrantyEnd = months > 0 ? addDays(addMonthsClamped(input.shippedOn, months), -1) : null;
        const postingDate = await this.ledger.postingDateFor(input.shippedOn, em);
        await em.query(
          `UPDATE order_lines SET status = 'SHIPPED', shipped_on = $2, serial_numbers = $3, warranty_end = $4, posted_on = $5 WHERE id = $1`,
          [lineId, input.shippedOn, serials, warrantyEnd, postingDate > input.shippedOn ? postingDate : null],
        );
        await this.refreshStatus(em, orderId);
        return (await this.views(em, [orderId], null))[0];
      }),
    );
  }

  /**
   * Cancels the order's hardware lines not yet shipped (or the listed ones) and frees their
   * reservations. Cloud lines are subscriptions: they are cancelled through the subscription.
   */
  async cancelOrder(orderId: string, scope: string | null, lineIds?: string[]): Promise<OrderView> {
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        await this.lockOrder(em, orderId, scope);
        const lines: LineRow[] = await em.query(
          `SELECT ${LINE_COLUMNS} FROM order_lines l WHERE l.order_id = $1 ORDER BY l.line_no FOR UPDATE`,
          [orderId],
        );
        let targets: LineRow[];
        if (lineIds?.length) {
          const byId = new Map(lines.map((l) => [l.id, l]));
          targets = [...new Set(lineIds.map((id) => id.toLowerCase()))].map((id) => {
            const l = byId.get(id);
            if (!l) throw orderingError(OrderingErrorCode.OrderNotFound, `Order line ${id} was not found on order ${orderId}`);
            if (l.kind === 'CLOUD') {
              throw orderingError(
                OrderingErrorCode.Conflict,
                `Line ${l.line_no} is subscription ${l.subscription_id}; cancel it through POST /subscriptions/${l.subscription_id}/cancel`,
              );
            }
            if (l.status !== 'PENDING') {
              throw orderingError(OrderingErrorCode.Conflict, `Line ${l.line_no} is ${l.status.toLowerCase()} and cannot be cancelled`);
            }
            return l;
          });
        } else {
          targets = lines.filter((l) => l.kind === 'HARDWARE' && l.status === 'PENDING');
          if (!targets.length) {
            throw orderingError(
              OrderingErrorCode.Conflict,
              'Nothing to cancel: every hardware line is shipped or cancelled (cloud lines are cancelled through their subscription)',
            );
          }
        }
        await em.query(`UPDATE order_lines SET status = 'CANCELLED', cancelled_at = now() WHERE id = ANY($1::uuid[])`, [
          targets.map((l) => l.id),
        ]);
        for (const l of targets) await this.credit.releaseReservation(em, reservationSource(l));
        await this.refreshStatus(em, orderId);
        return (await this.views(em, [orderId], null))[0];
      }),
    );
  }

  /**
   * Shipped hardware lines not yet invoiced, shipped on or before `periodEnd`, locked FOR UPDATE in
   * the caller's (billing) transaction so two runs cannot bill one line twice.
   */
  async unbilledShippedLines(em: EntityManager, resellerId: string, periodEnd: string): Promise<UnbilledShippedLine[]> {
    const rows: Array<LineRow & { po_number: string | null; end_customer_name: string; end_customer_reference: string | null; line_tax_rate: string }> =
      await em.query(
        `SELECT ${LINE_COLUMNS}, o.po_number, o.end_customer_name, o.end_customer_reference, l.tax_rate::text AS line_tax_rate
           FROM order_lines l JOIN orders o ON o.id = l.order_id
          WHERE l.reseller_id = $1 AND l.status = 'SHIPPED' AND l.invoice_id IS NULL AND coalesce(l.posted_on, l.shipped_on) <= $2
          ORDER BY l.shipped_on, l.order_id, l.line_no
          FOR UPDATE OF l`,
        [resellerId, periodEnd],
      );
    return rows.map((r) => ({
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
      endCustomer: { name: r.end_customer_name, reference: r.end_customer_reference },
      creditLine: 'HARDWARE' as const,
      taxRate: new Dec(r.line_tax_rate),
      source: { type: 'order_line' as const, id: r.id },
    }));
  }

  /** Marks shipped lines as invoiced, once: a line already billed (or not shipped) is a 409 and nothing changes. */
  async markLinesBilled(em: EntityManager, lineIds: string[], invoiceId: string): Promise<void> {
    const ids = [...new Set(lineIds)];
    if (!ids.length) return;
    const [updated]: [Array<{ id: string }>, number] = await em.query(
      `UPDATE order_lines SET invoice_id = $2, billed_at = now()
        WHERE id = ANY($1::uuid[]) AND status = 'SHIPPED' AND invoice_id IS NULL RETURNING id`,
      [ids, invoiceId],
    );
    if (updated.length !== ids.length) {
      throw orderingError(OrderingErrorCode.Conflict, `${ids.length - updated.length} of the lines are not shipped or already billed`);
    }
  }

  private async lockOrder(em: EntityManager, orderId: string, scope: string | null): Promise<LockedOrder> {
    const [row]: LockedOrder[] = await em.query(
      `SELECT id, currency, tax_rate FROM orders WHERE id = $1 AND ($2::uuid IS NULL OR reseller_id = $2::uuid) FOR UPDATE`,
      [orderId, scope],
    );
    if (!row) throw orderNotFound(orderId);
    return row;
  }

  /**
   * A partial shipment: `line` keeps the `quantity` units shipped now, priced as a line of that
   * quantity (net, then tax rounded once, as at placement); a new pending line (the next line
   * number) takes the other units and the rest of each amount, so the order's totals do not move
   * by a cent however the units are shipped. The rest of the line's reserved credit moves with it.
   */
  private async splitLine(em: EntityManager, order: LockedOrder, line: LineRow, quantity: number): Promise<void> {
    const { shipped, rest } = splitLineAmounts(
      { quantity: line.quantity, unitPrice: new Dec(line.unit_price), net: new Dec(line.net), tax: new Dec(line.tax), gross: new Dec(line.gross) },
      quantity,
      new Dec(order.tax_rate),
      order.currency,
    );
    const restId = randomUUID();
    await em.query(
      `INSERT INTO order_lines (id, order_id, reseller_id, line_no, sku, product_name, vendor, kind, status, quantity, currency,
                                unit_price, net, tax, gross, warranty_months)
       SELECT $2, l.order_id, l.reseller_id, (SELECT max(line_no) + 1 FROM order_lines WHERE order_id = l.order_id), l.sku,
              l.product_name, l.vendor, l.kind, 'PENDING', l.quantity - $3::int, l.currency, l.unit_price, $4, $5, $6, l.warranty_months
         FROM order_lines l WHERE l.id = $1`,
      [line.id, restId, quantity, rest.net.toFixed(), rest.tax.toFixed(), rest.gross.toFixed()],
    );
    await em.query(`UPDATE order_lines SET quantity = $2, net = $3, tax = $4, gross = $5 WHERE id = $1`, [
      line.id,
      quantity,
      shipped.net.toFixed(),
      shipped.tax.toFixed(),
      shipped.gross.toFixed(),
    ]);
    await this.credit.moveReservation(em, reservationSource(line), reservationSource({ id: restId, kind: 'HARDWARE', first_charge_id: null }), rest.gross);
  }

  private async refreshStatus(em: EntityManager, orderId: string): Promise<void> {
    const lines: Array<{ status: OrderLineStatus }> = await em.query(`SELECT status FROM order_lines WHERE order_id = $1`, [orderId]);
    await em.query(`UPDATE orders SET status = $2, updated_at = now() WHERE id = $1`, [orderId, orderStatus(lines.map((l) => l.status))]);
  }

  private async views(em: EntityManager, ids: string[], scope: string | null): Promise<OrderView[]> {
    if (!ids.length) return [];
    const orders: OrderRow[] = await em.query(
      `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR o.reseller_id = $2::uuid)`,
      [ids, scope],
    );
    if (!orders.length) return [];
    const lines: LineRow[] = await em.query(
      `SELECT ${LINE_COLUMNS} FROM order_lines l WHERE l.order_id = ANY($1::uuid[]) ORDER BY l.order_id, l.line_no`,
      [orders.map((o) => o.id)],
    );
    const reservations = await this.credit.reservationsFor(lines.map(reservationSource), em);
    const remaining = new Map<string, Dec>();
    for (const [key, states] of reservations) remaining.set(key, states.reduce((s, r) => s.plus(r.remaining), new Dec(0)));
    const byOrder = new Map<string, LineRow[]>();
    for (const l of lines) byOrder.set(l.order_id, [...(byOrder.get(l.order_id) ?? []), l]);
    const map = new Map(orders.map((o) => [o.id, toOrderView(o, byOrder.get(o.id) ?? [], remaining)]));
    return ids.map((id) => map.get(id)).filter((v): v is OrderView => !!v);
  }
}

function toOrderView(o: OrderRow, lines: LineRow[], reserved: Map<string, Dec>): OrderView {
  const c = o.currency;
  const totals = { HARDWARE: [new Dec(0), new Dec(0), new Dec(0)], CLOUD: [new Dec(0), new Dec(0), new Dec(0)] };
  const held = { HARDWARE: new Dec(0), CLOUD: new Dec(0) };
  for (const l of lines) {
    const s = reservationSource(l);
    held[l.kind] = held[l.kind].plus(reserved.get(`${s.type}:${s.id}`) ?? 0);
    if (l.status === 'CANCELLED') continue;
    const t = totals[l.kind];
    totals[l.kind] = [t[0].plus(l.net), t[1].plus(l.tax), t[2].plus(l.gross)];
  }
  const amounts = (t: Dec[]) => ({ net: moneyString(t[0], c), tax: moneyString(t[1], c), gross: moneyString(t[2], c) });
  return {
    id: o.id,
    resellerId: o.reseller_id,
    status: o.status,
    endCustomer: { name: o.end_customer_name, reference: o.end_customer_reference },
    poNumber: o.po_number,
    lines: lines.map((l) => toLineView(l)),
    totals: { HARDWARE: amounts(totals.HARDWARE), CLOUD: amounts(totals.CLOUD) },
    reserved: { HARDWARE: moneyString(held.HARDWARE, c), CLOUD: moneyString(held.CLOUD, c) },
    currency: c,
    createdAt: o.created_at.toISOString(),
  };
}

function toLineView(l: LineRow): OrderLineView {
  const c = l.currency;
  const base = {
    id: l.id,
    sku: l.sku,
    name: l.product_name,
    kind: l.kind,
    creditLine: l.kind,
    quantity: l.quantity,
    unitPrice: moneyString(l.unit_price, c),
    net: moneyString(l.net, c),
    tax: moneyString(l.tax, c),
    gross: moneyString(l.gross, c),
    status: l.status,
  };
  if (l.kind === 'CLOUD') return { ...base, subscriptionId: l.subscription_id!, startDate: l.start_date! };
  return {
    ...base,
    warrantyMonths: l.warranty_months,
    shippedOn: l.shipped_on,
    postedOn: l.posted_on ?? l.shipped_on,
    serialNumbers: l.serial_numbers,
    warrantyEnd: l.warranty_end,
    invoiceId: l.invoice_id,
  };
}

/** Far above any credit limit (limits stay below 10^14), and far inside numeric(20,4). */
const MAX_AMOUNT = new Dec('1e14');

/** A cart whose amounts could not be stored is refused before anything is written. */
function assertWithinBounds(lines: PricingLine[], taxRate: Dec, currency: Currency): void {
  const priced = priceOrder(lines, taxRate, currency);
  const i = priced.lines.findIndex((l) => l.gross.gte(MAX_AMOUNT));
  if (i >= 0) {
    throw validationError(`Line ${i + 1} comes to more than ${MAX_AMOUNT.toFixed()} ${currency}`, [
      { field: `lines.${i}.quantity`, message: 'the line amount is too large' },
    ]);
  }
  for (const kind of ['HARDWARE', 'CLOUD'] as const) {
    if (priced.totals[kind].gross.gte(MAX_AMOUNT)) {
      throw validationError(`The ${kind} lines come to more than ${MAX_AMOUNT.toFixed()} ${currency}`, [
        { field: 'lines', message: 'the order amount is too large' },
      ]);
    }
  }
}

function lineProblem(code: OrderingErrorCode, detail: string, field: string, sku: string, extra: Record<string, unknown> = {}): ProblemError {
  const e = orderingError(code, detail, { sku, ...extra });
  return new ProblemError(e.status, e.slug, e.title, detail, e.extensions, [{ field, message: detail }]);
}

function orderNotFound(id: string) {
  return orderingError(OrderingErrorCode.OrderNotFound, `Order ${id} was not found`);
}
