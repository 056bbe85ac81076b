// Reads payments and payment_allocations: the list, one payment, and payment views with their allocations.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CreditLine, Dec, moneyString, notFound, page, Page } from '#disty/core';
import { ReceivablesService } from '#disty/invoicing';
import { PAYMENT_COLUMNS, PaymentRow } from './payments.sql';
import { PaymentQueryDto, PaymentView } from './dto/payment.dto';

/** Payments as views: each with its allocations grouped per batch and invoice, split by credit line. */
@Injectable()
export class PaymentQueryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly receivables: ReceivablesService,
  ) {}

  async list(scope: string | null, q: PaymentQueryDto): Promise<Page<PaymentView>> {
    const reseller = scope ?? q.resellerId ?? null;
    const params = [reseller, q.method ?? null];
    const cond = `WHERE ($1::uuid IS NULL OR p.reseller_id = $1::uuid) AND ($2::text IS NULL OR p.method = $2)`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM payments p ${cond}`, params);
    const rows: PaymentRow[] = await this.db.query(
      `SELECT ${PAYMENT_COLUMNS} FROM payments p ${cond} ORDER BY p.received_on DESC, p.created_at DESC, p.id
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(await this.views(this.db.manager, rows), total, q);
  }

  async view(em: EntityManager, id: string, scope: string | null): Promise<PaymentView> {
    const rows: PaymentRow[] = await em.query(
      `SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1 AND ($2::uuid IS NULL OR p.reseller_id = $2::uuid)`,
      [id, scope],
    );
    if (!rows.length) throw notFound(`Payment ${id}`);
    return (await this.views(em, rows))[0];
  }

  get(id: string, scope: string | null): Promise<PaymentView> {
    return this.view(this.db.manager, id, scope);
  }

  private async views(em: EntityManager, rows: PaymentRow[]): Promise<PaymentView[]> {
    if (!rows.length) return [];
    const found: Array<{
      payment_id: string;
      batch_id: string;
      kind: string;
      invoice_id: string;
      applied_on: string;
      created: string;
      credit_line: CreditLine;
      amount: string;
    }> = await em.query(
      `SELECT a.payment_id, a.batch_id, a.kind, a.invoice_id, to_char(a.applied_on, 'YYYY-MM-DD') AS applied_on,
                to_char(a.created_at, 'YYYY-MM-DD HH24:MI:SS.US') AS created, a.credit_line, a.amount::text AS amount
           FROM payment_allocations a
          WHERE a.payment_id = ANY($1::uuid[]) ORDER BY a.applied_on, a.created_at`,
      [rows.map((r) => r.id)],
    );
    // The invoices' numbers come from invoicing's receivables service (payments does not read its tables).
    const numbers = await this.receivables.invoiceNumbers(em, [...new Set(found.map((a) => a.invoice_id))]);
    const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    const allocations = found
      .map((a) => ({ ...a, number: numbers.get(a.invoice_id)! }))
      .sort(
        (x, y) =>
          cmp(x.applied_on, y.applied_on) || cmp(x.created, y.created) || cmp(x.number, y.number) || cmp(x.credit_line, y.credit_line),
      );
    return rows.map((r) => {
      const c = r.currency;
      const groups = new Map<
        string,
        {
          invoiceId: string;
          invoiceNumber: string;
          kind: string;
          appliedOn: string;
          parts: Record<CreditLine, Dec>;
        }
      >();
      for (const a of allocations.filter((x) => x.payment_id === r.id)) {
        const key = `${a.batch_id}|${a.invoice_id}`;
        const g = groups.get(key) ?? {
          invoiceId: a.invoice_id,
          invoiceNumber: a.number,
          kind: a.kind,
          appliedOn: a.applied_on,
          parts: { HARDWARE: new Dec(0), CLOUD: new Dec(0) },
        };
        g.parts[a.credit_line] = g.parts[a.credit_line].plus(a.amount);
        groups.set(key, g);
      }
      return {
        id: r.id,
        resellerId: r.reseller_id,
        method: r.method,
        amount: moneyString(r.amount, c),
        currency: c,
        fee: moneyString(r.fee, c),
        unapplied: moneyString(r.unapplied, c),
        refunded: moneyString(r.refunded, c),
        reference: r.reference,
        receivedOn: r.received_on,
        invoiceId: r.invoice_id,
        stripePaymentIntentId: r.stripe_payment_intent_id,
        occurredOn: r.occurred_on,
        settlement: r.settlement_currency
          ? {
              currency: r.settlement_currency,
              amount: moneyString(r.settlement_amount!, r.settlement_currency),
              fee: moneyString(r.settlement_fee!, r.settlement_currency),
              exchangeRate: new Dec(r.exchange_rate!).toFixed(),
            }
          : null,
        fxDifference: moneyString(r.fx_difference, c),
        allocations: [...groups.values()].map((g) => ({
          invoiceId: g.invoiceId,
          invoiceNumber: g.invoiceNumber,
          kind: g.kind,
          appliedOn: g.appliedOn,
          amount: moneyString(g.parts.HARDWARE.plus(g.parts.CLOUD), c),
          byCreditLine: { HARDWARE: moneyString(g.parts.HARDWARE, c), CLOUD: moneyString(g.parts.CLOUD, c) },
        })),
        createdAt: r.created_at.toISOString(),
      };
    });
  }
}
