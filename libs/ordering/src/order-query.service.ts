// Reads orders and order_lines: one order, the paged list, and order views for other services.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Dec, page, Page } from '#disty/core';
import { CreditReservationService } from '#disty/reseller';
import { OrderStatus } from './domain/pricing';
import { OrderView } from './dto/order.dto';
import { orderingError, OrderingErrorCode } from './errors';
import { reservationSource, toOrderView } from './order.mapper';
import { LINE_COLUMNS, LineRow, ORDER_COLUMNS, OrderRow } from './ordering.sql';

/** Orders as views, with each line's remaining credit reservation, within the caller's tenant scope. */
@Injectable()
export class OrderQueryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly credit: CreditReservationService,
  ) {}

  async getOrder(id: string, scope: string | null): Promise<OrderView> {
    const [view] = await this.viewsIn(this.db.manager, [id], scope);
    if (!view) throw orderNotFound(id);
    return view;
  }

  async listOrders(
    scope: string | null,
    q: { status?: OrderStatus; resellerId?: string; page: number; pageSize: number },
  ): Promise<Page<OrderView>> {
    const resellerId = scope ?? q.resellerId ?? null;
    const params = [resellerId, q.status ?? null];
    const cond = `WHERE ($1::uuid IS NULL OR o.reseller_id = $1::uuid) AND ($2::text IS NULL OR o.status = $2::text)`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM orders o ${cond}`, params);
    const ids: Array<{ id: string }> = await this.db.query(
      `SELECT o.id FROM orders o ${cond} ORDER BY o.created_at DESC, o.id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(
      await this.viewsIn(
        this.db.manager,
        ids.map((r) => r.id),
        scope,
      ),
      total,
      q,
    );
  }

  /** The orders `ids` as views, in that order (also for OrderFulfilmentService), within `scope` when given. */
  async viewsIn(em: EntityManager, ids: string[], scope: string | null): Promise<OrderView[]> {
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
    for (const [key, states] of reservations)
      remaining.set(
        key,
        states.reduce((s, r) => s.plus(r.remaining), new Dec(0)),
      );
    const byOrder = new Map<string, LineRow[]>();
    for (const l of lines) byOrder.set(l.order_id, [...(byOrder.get(l.order_id) ?? []), l]);
    const map = new Map(orders.map((o) => [o.id, toOrderView(o, byOrder.get(o.id) ?? [], remaining)]));
    return ids.map((id) => map.get(id)).filter((v): v is OrderView => !!v);
  }
}

function orderNotFound(id: string) {
  return orderingError(OrderingErrorCode.OrderNotFound, `Order ${id} was not found`);
}
