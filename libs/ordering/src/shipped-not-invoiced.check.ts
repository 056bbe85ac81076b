import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LedgerService, PeriodCloseCheck, PeriodCloseFinding, totalsByCurrency } from '#disty/ledger';

/**
 * Month-end check (docs/accounting.md §9): hardware lines that count as shipped in the month or
 * before it (their posting date, `posted_on` or `shipped_on`) and are still not invoiced. Their
 * net is what 1190 holds for them.
 */
@Injectable()
export class ShippedNotInvoicedCheck implements PeriodCloseCheck, OnModuleInit {
  readonly name = 'shipped-not-invoiced';

  constructor(private readonly ledger: LedgerService) {}

  onModuleInit(): void {
    this.ledger.registerCloseCheck(this);
  }

  async find(em: EntityManager, month: { to: string }): Promise<PeriodCloseFinding | null> {
    const rows: Array<{
      id: string;
      order_id: string;
      sku: string;
      currency: string;
      net: string;
      shipped_on: string;
    }> = await em.query(
      `SELECT id, order_id, sku, currency, net::text, to_char(coalesce(posted_on, shipped_on), 'YYYY-MM-DD') AS shipped_on
         FROM order_lines
        WHERE kind = 'HARDWARE' AND status = 'SHIPPED' AND invoice_id IS NULL AND coalesce(posted_on, shipped_on) <= $1
        ORDER BY coalesce(posted_on, shipped_on), id`,
      [month.to],
    );
    if (!rows.length) return null;
    return {
      check: this.name,
      message: `${rows.length} hardware line(s) shipped by ${month.to} are not invoiced yet`,
      count: rows.length,
      amounts: totalsByCurrency(rows.map((r) => ({ currency: r.currency, amount: r.net }))),
      items: rows.slice(0, 50).map((r) => ({
        orderLineId: r.id,
        orderId: r.order_id,
        sku: r.sku,
        shippedOn: r.shipped_on,
        net: r.net,
        currency: r.currency,
      })),
    };
  }
}
