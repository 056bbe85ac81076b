// Owns the fulfilment of order_lines (shipping, partial-shipment splits, cancelling) and orders.status.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { addDays, addMonthsClamped, Clock, Dec, Page, page, retryOnConflict, validationError } from '#disty/core';
import { LedgerService } from '#disty/ledger';
import { CostAccrualService } from '#disty/purchasing';
import { CreditReservationService } from '#disty/reseller';
import { OrderLineStatus, orderStatus, splitLineAmounts, splitLineCost } from './domain/pricing';
import { SHIPMENT_SOURCE, shipmentPosting } from './domain/shipment-posting';
import { OrderView, ToShipLineView } from './dto/order.dto';
import { orderingError, OrderingErrorCode } from './errors';
import { OrderQueryService } from './order-query.service';
import { reservationSource } from './order.mapper';
import { LINE_COLUMNS, LineRow, LockedOrder } from './ordering.sql';

/**
 * What happens to an order's lines after it is placed: a hardware line is shipped (whole or in
 * part) or cancelled, its reservation released or moved, and the order's status follows its lines.
 */
@Injectable()
export class OrderFulfilmentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrderQueryService,
    private readonly credit: CreditReservationService,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly accruals: CostAccrualService,
  ) {}

  /**
   * Ships a pending hardware line: its serials, ship date and warranty end (the last day covered:
   * shippedOn + warrantyMonths, clamped to the month's end, minus one day). It becomes billable.
   * With `quantity` below the line's, only those units ship and the rest waits on a new line (splitLine).
   * The ship date is never in the future (422 future-dated). A ship date in a closed month is kept
   * as the real date (shipped_on, warranty, invoice text) and the shipment counts in the books on
   * the first day of the first open month (posted_on): it is billed from then on.
   *
   * In the same transaction the shipment posts its revenue and cost (docs/accounting.md §3,
   * source `shipment`, id the line's: a split line posts only its shipped part, the rest posts when
   * it ships), dated the posting date, and records the vendor's cost as accrued (cost_accruals,
   * 2050's subledger) for the vendor bill to match.
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
        const shipped = quantity < line.quantity ? await this.splitLine(em, order, line, quantity) : line;
        const months = line.warranty_months ?? 0;
        const warrantyEnd = months > 0 ? addDays(addMonthsClamped(input.shippedOn, months), -1) : null;
        const postingDate = await this.ledger.postingDateFor(input.shippedOn, em);
        await em.query(
          `UPDATE order_lines SET status = 'SHIPPED', shipped_on = $2, serial_numbers = $3, warranty_end = $4, posted_on = $5,
                  shipment_posted = true
            WHERE id = $1`,
          [lineId, input.shippedOn, serials, warrantyEnd, postingDate > input.shippedOn ? postingDate : null],
        );
        await this.postShipment(em, { ...shipped, quantity }, input.shippedOn, postingDate);
        await this.refreshStatus(em, orderId);
        return (await this.orders.viewsIn(em, [orderId], null))[0];
      }),
    );
  }

  /** Hardware lines waiting to ship (pending, not cancelled), oldest order first: the operations work list. */
  async toShip(q: { resellerId?: string; page: number; pageSize: number }): Promise<Page<ToShipLineView>> {
    const cond = `FROM order_lines l JOIN orders o ON o.id = l.order_id
                  WHERE l.kind = 'HARDWARE' AND l.status = 'PENDING' AND ($1::uuid IS NULL OR l.reseller_id = $1::uuid)`;
    const params = [q.resellerId ?? null];
    const [{ total }]: Array<{ total: number }> = await this.db.query(`SELECT count(*)::int AS total ${cond}`, params);
    const rows: Array<{
      order_id: string;
      number: string;
      reseller_id: string;
      end_customer_name: string;
      po_number: string | null;
      created_at: Date;
      id: string;
      line_no: number;
      sku: string;
      product_name: string;
      quantity: number;
    }> = await this.db.query(
      `SELECT l.order_id, o.number, l.reseller_id, o.end_customer_name, o.po_number, o.created_at, l.id, l.line_no, l.sku, l.product_name, l.quantity
         ${cond} ORDER BY o.created_at, o.id, l.line_no LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    const items = rows.map((r) => ({
      orderId: r.order_id,
      orderNumber: r.number,
      resellerId: r.reseller_id,
      endCustomerName: r.end_customer_name,
      poNumber: r.po_number,
      orderedAt: r.created_at.toISOString(),
      lineId: r.id,
      lineNo: r.line_no,
      sku: r.sku,
      name: r.product_name,
      quantity: r.quantity,
    }));
    return page(items, total, q);
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
        return (await this.orders.viewsIn(em, [orderId], null))[0];
      }),
    );
  }

  /** The shipment's entry and its accrued vendor cost (see shipLine). */
  private async postShipment(
    em: EntityManager,
    line: {
      id: string;
      line_no: number;
      order_id: string;
      reseller_id: string;
      currency: LineRow['currency'];
      sku: string;
      vendor: string;
      quantity: number;
      net: string;
      cost: string | null;
    },
    shippedOn: string,
    postingDate: string,
  ): Promise<void> {
    const cost = line.cost == null ? null : new Dec(line.cost);
    const lines = shipmentPosting({ net: new Dec(line.net), cost }, line.reseller_id, line.currency);
    if (lines.length < 2) return;
    await this.ledger.post(em, {
      entryDate: postingDate,
      memo:
        `Shipment of ${line.sku} × ${line.quantity}, order ${line.order_id} line ${line.line_no}, shipped ${shippedOn}` +
        `${postingDate !== shippedOn ? ` (posted ${postingDate}: its month was closed)` : ''}`,
      source: { type: SHIPMENT_SOURCE, id: line.id },
      lines,
    });
    if (cost?.gt(0)) {
      await this.accruals.accrue(em, [
        {
          vendor: line.vendor,
          sku: line.sku,
          resellerId: line.reseller_id,
          currency: line.currency,
          accruedOn: postingDate,
          quantity: new Dec(line.quantity),
          amount: cost,
          sourceType: 'shipment',
          sourceId: line.id,
        },
      ]);
    }
  }

  private async lockOrder(em: EntityManager, orderId: string, scope: string | null): Promise<LockedOrder> {
    const [row]: LockedOrder[] = await em.query(
      `SELECT id, currency FROM orders WHERE id = $1 AND ($2::uuid IS NULL OR reseller_id = $2::uuid) FOR UPDATE`,
      [orderId, scope],
    );
    if (!row) throw orderNotFound(orderId);
    return row;
  }

  /**
   * A partial shipment: `line` keeps the `quantity` units shipped now with their share of its net
   * and tax (splitLineAmounts); a new pending line (the next line
   * number) takes the other units and the rest of each amount, so the order's totals do not move
   * by a cent however the units are shipped. The rest of the line's reserved credit moves with it.
   * The cost splits the same way (splitLineCost). Returns the shipped part's line.
   */
  private async splitLine(em: EntityManager, order: LockedOrder, line: LineRow, quantity: number): Promise<LineRow> {
    const { shipped, rest } = splitLineAmounts(
      { quantity: line.quantity, net: new Dec(line.net), tax: new Dec(line.tax), gross: new Dec(line.gross) },
      quantity,
      order.currency,
    );
    const cost = splitLineCost(line.cost == null ? null : new Dec(line.cost), line.quantity, quantity, order.currency);
    const restId = randomUUID();
    await em.query(
      `INSERT INTO order_lines (id, order_id, reseller_id, line_no, sku, product_name, vendor, kind, status, quantity, currency,
                                unit_price, net, tax, gross, warranty_months, tax_rate, tax_code, unit_cost, cost)
       SELECT $2, l.order_id, l.reseller_id, (SELECT max(line_no) + 1 FROM order_lines WHERE order_id = l.order_id), l.sku,
              l.product_name, l.vendor, l.kind, 'PENDING', l.quantity - $3::int, l.currency, l.unit_price, $4, $5, $6, l.warranty_months,
              l.tax_rate, l.tax_code, l.unit_cost, $7
         FROM order_lines l WHERE l.id = $1`,
      [line.id, restId, quantity, rest.net.toFixed(), rest.tax.toFixed(), rest.gross.toFixed(), cost.rest?.toFixed() ?? null],
    );
    await em.query(`UPDATE order_lines SET quantity = $2, net = $3, tax = $4, gross = $5, cost = $6 WHERE id = $1`, [
      line.id,
      quantity,
      shipped.net.toFixed(),
      shipped.tax.toFixed(),
      shipped.gross.toFixed(),
      cost.shipped?.toFixed() ?? null,
    ]);
    await this.credit.moveReservation(
      em,
      reservationSource(line),
      reservationSource({ id: restId, kind: 'HARDWARE', first_charge_id: null }),
      rest.gross,
    );
    return {
      ...line,
      quantity,
      net: shipped.net.toFixed(),
      tax: shipped.tax.toFixed(),
      gross: shipped.gross.toFixed(),
      cost: cost.shipped?.toFixed() ?? null,
    };
  }

  private async refreshStatus(em: EntityManager, orderId: string): Promise<void> {
    const lines: Array<{ status: OrderLineStatus }> = await em.query(`SELECT status FROM order_lines WHERE order_id = $1`, [orderId]);
    await em.query(`UPDATE orders SET status = $2, updated_at = now() WHERE id = $1`, [orderId, orderStatus(lines.map((l) => l.status))]);
  }
}

function orderNotFound(id: string) {
  return orderingError(OrderingErrorCode.OrderNotFound, `Order ${id} was not found`);
}
