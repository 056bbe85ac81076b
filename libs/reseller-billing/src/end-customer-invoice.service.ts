// Owns end_customer_invoices and end_customer_invoice_lines: a reseller's own invoices to its end customers.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { addDays, Clock, csvText, Currency, Dec, formatRate, moneyString, page, Page, roundMoney } from '#disty/core';
import { CatalogService } from '#disty/catalog';
import { EndCustomerService } from '#disty/customers';
import { EndCustomerBilling, ResaleInput, ResoldItem } from '#disty/invoicing';
import { ResellerService } from '#disty/reseller';
import { WebhookService } from '#disty/webhooks';
import { BillingProfileService } from './billing-profile.service';
import { ruleFor, sellNet, taxTreatment } from './domain/pricing';
import {
  EndCustomerInvoiceLineView,
  EndCustomerInvoiceQueryDto,
  EndCustomerInvoiceStatus,
  EndCustomerInvoiceView,
  PartyView,
} from './dto/end-customer-invoice.dto';
import { resellerBillingError, ResellerBillingErrorCode } from './errors';

export interface EcInvoiceRow {
  id: string;
  reseller_id: string;
  end_customer_id: string;
  source_invoice_id: string;
  source_invoice_number: string;
  number: string | null;
  status: 'DRAFT' | 'ISSUED';
  currency: Currency;
  period_end: string;
  issue_date: string | null;
  due_date: string | null;
  tax_treatment: string;
  cost: string;
  net: string;
  tax: string;
  gross: string;
  paid: string;
  seller: PartyView;
  buyer: PartyView;
}
interface LineRow {
  line_no: number;
  kind: string;
  sku: string;
  description: string;
  quantity: number;
  period_start: string | null;
  period_end: string | null;
  cost: string;
  net: string;
  tax_rate: string;
  tax: string;
  gross: string;
}

export const EC_COLUMNS = `i.id, i.reseller_id, i.end_customer_id, i.source_invoice_id, i.source_invoice_number, i.number, i.status, i.currency,
  to_char(i.period_end, 'YYYY-MM-DD') AS period_end, to_char(i.issue_date, 'YYYY-MM-DD') AS issue_date, to_char(i.due_date, 'YYYY-MM-DD') AS due_date,
  i.tax_treatment, i.cost::text AS cost, i.net::text AS net, i.tax::text AS tax, i.gross::text AS gross, i.paid::text AS paid, i.seller, i.buyer`;
const LINE_COLUMNS = `line_no, kind, sku, description, quantity, to_char(period_start, 'YYYY-MM-DD') AS period_start,
  to_char(period_end, 'YYYY-MM-DD') AS period_end, cost::text AS cost, net::text AS net, tax_rate::text AS tax_rate, tax::text AS tax, gross::text AS gross`;

const STATUS_SQL = `CASE WHEN i.status = 'DRAFT' THEN 'DRAFT' WHEN i.paid >= i.gross THEN 'PAID' WHEN i.paid > 0 THEN 'PARTIALLY_PAID' ELSE 'ISSUED' END`;

/**
 * End-customer invoices (docs/billing-on-behalf.md): drafted in the billing run's transaction from
 * the reseller's consolidated invoice (the `EndCustomerBilling` step), one per end customer, at the
 * reseller's sell prices with the end customer's tax treatment; issued (numbered in the reseller's
 * own gapless series) by the reseller or automatically. They are the reseller's documents: nothing
 * here posts to the distributor's ledger.
 */
@Injectable()
export class EndCustomerInvoiceService implements EndCustomerBilling {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly profiles: BillingProfileService,
    private readonly resellers: ResellerService,
    private readonly customers: EndCustomerService,
    private readonly catalog: CatalogService,
    private readonly webhooks: WebhookService,
    private readonly clock: Clock,
  ) {}

  async afterResellerInvoiced(em: EntityManager, input: ResaleInput): Promise<void> {
    const profile = await this.profiles.profile(input.resellerId, em);
    if (!profile.endCustomerBilling || !input.items.length) return;
    const c = input.currency;
    const reseller = await this.resellers.getReseller(input.resellerId, em);
    const rules = await this.profiles.rules(input.resellerId, em);
    const products = await this.catalog.getProducts(
      input.items.map((i) => i.sku),
      c,
      em,
    );
    const byCustomer = new Map<string, ResoldItem[]>();
    for (const item of input.items) byCustomer.set(item.endCustomerId, [...(byCustomer.get(item.endCustomerId) ?? []), item]);
    const seller: PartyView = {
      name: profile.legalName ?? reseller.name,
      address: profile.address ?? reseller.address,
      taxId: profile.taxId ?? reseller.taxId,
      country: reseller.country,
      logoUrl: profile.logoUrl,
      paymentInstructions: profile.paymentInstructions,
    };
    for (const [endCustomerId, items] of [...byCustomer.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const customer = await this.customers.get(endCustomerId, input.resellerId);
      const treatment = taxTreatment(reseller.country, customer);
      const lines = items.map((item, i) => {
        const p = products.get(item.sku);
        const rule = ruleFor(
          rules,
          {
            sku: item.sku,
            kind: p?.kind ?? (item.kind === 'HARDWARE' ? 'HARDWARE' : 'CLOUD'),
            vendor: p?.vendor ?? null,
          },
          endCustomerId,
          input.periodEnd,
          c,
        );
        const net = sellNet(
          item.cost,
          rule,
          { quantity: item.quantity, listUnitPrice: item.kind === 'USAGE' ? null : (p?.unitPrice ?? null) },
          c,
        );
        const rate = treatment === 'DOMESTIC' ? item.taxRate : new Dec(0);
        const tax = roundMoney(net.times(rate), c);
        return { lineNo: i + 1, item, net, rate, tax, ruleId: rule?.id ?? null };
      });
      const sum = (f: (l: (typeof lines)[number]) => Dec) => lines.reduce((s, l) => s.plus(f(l)), new Dec(0));
      const [row]: Array<{ id: string }> = await em.query(
        `INSERT INTO end_customer_invoices (reseller_id, end_customer_id, source_invoice_id, source_invoice_number, currency, period_end, tax_treatment,
                                            cost, net, tax, gross, seller, buyer)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (source_invoice_id, end_customer_id) DO NOTHING RETURNING id`,
        [
          input.resellerId,
          endCustomerId,
          input.invoiceId,
          input.invoiceNumber,
          c,
          input.periodEnd,
          treatment,
          sum((l) => l.item.cost).toFixed(),
          sum((l) => l.net).toFixed(),
          sum((l) => l.tax).toFixed(),
          sum((l) => l.net.plus(l.tax)).toFixed(),
          JSON.stringify(seller),
          JSON.stringify({
            name: customer.name,
            address: null,
            taxId: customer.taxId,
            country: customer.country,
            reference: customer.reference,
          }),
        ],
      );
      if (!row) continue;
      const col = <T>(f: (l: (typeof lines)[number]) => T) => lines.map(f);
      await em.query(
        `INSERT INTO end_customer_invoice_lines (invoice_id, reseller_id, line_no, kind, sku, description, quantity, period_start, period_end,
                                                 cost, net, tax_rate, tax, gross, price_rule_id)
         SELECT $1, $2, t.* FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::int[], $8::date[], $9::date[], $10::numeric[], $11::numeric[],
                                        $12::numeric[], $13::numeric[], $14::numeric[], $15::uuid[]) AS t`,
        [
          row.id,
          input.resellerId,
          col((l) => l.lineNo),
          col((l) => l.item.kind),
          col((l) => l.item.sku),
          col((l) => l.item.description),
          col((l) => l.item.quantity),
          col((l) => l.item.periodStart),
          col((l) => l.item.periodEnd),
          col((l) => l.item.cost.toFixed()),
          col((l) => l.net.toFixed()),
          col((l) => l.rate.toFixed()),
          col((l) => l.tax.toFixed()),
          col((l) => l.net.plus(l.tax).toFixed()),
          col((l) => l.ruleId),
        ],
      );
      if (profile.autoIssue) await this.issueIn(em, row.id, input.periodEnd);
    }
  }

  /** POST /end-customer-invoices/:id/issue: a DRAFT gets the next number of the reseller's series, dated today. */
  async issue(id: string, scope: string | null): Promise<EndCustomerInvoiceView> {
    await this.head(this.db.manager, id, scope);
    return this.db.transaction(async (em) => {
      await this.issueIn(em, id, this.clock.today());
      return this.get(id, scope, em);
    });
  }

  private async issueIn(em: EntityManager, id: string, issueDate: string): Promise<void> {
    const [inv]: Array<{ reseller_id: string; status: string }> = await em.query(
      `SELECT reseller_id, status FROM end_customer_invoices WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (inv.status !== 'DRAFT')
      throw resellerBillingError(ResellerBillingErrorCode.Conflict, `End-customer invoice ${id} is already issued`);
    const profile = await this.profiles.profile(inv.reseller_id, em);
    const { number, seq } = await this.profiles.nextNumber(em, inv.reseller_id, Number(issueDate.slice(0, 4)));
    await em.query(
      `UPDATE end_customer_invoices SET status = 'ISSUED', number = $2, seq = $3, issue_date = $4, due_date = $5 WHERE id = $1`,
      [id, number, seq, issueDate, addDays(issueDate, profile.paymentTermsDays)],
    );
    const view = await this.get(id, null, em);
    const { id: invoiceId, lines, ...rest } = view;
    await this.webhooks.enqueue(em, inv.reseller_id, 'end_customer_invoice.issued', {
      endCustomerInvoiceId: invoiceId,
      ...rest,
      lineCount: lines?.length ?? 0,
    });
  }

  async list(scope: string | null, q: EndCustomerInvoiceQueryDto): Promise<Page<EndCustomerInvoiceView>> {
    const params = [scope ?? q.resellerId ?? null, q.endCustomerId ?? null, q.status ?? null];
    const cond = `WHERE ($1::uuid IS NULL OR i.reseller_id = $1::uuid) AND ($2::uuid IS NULL OR i.end_customer_id = $2::uuid) AND ($3::text IS NULL OR ${STATUS_SQL} = $3)`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM end_customer_invoices i ${cond}`, params);
    const rows: EcInvoiceRow[] = await this.db.query(
      `SELECT ${EC_COLUMNS} FROM end_customer_invoices i ${cond} ORDER BY i.period_end DESC, i.seq DESC NULLS FIRST, i.created_at DESC, i.id
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(
      rows.map((r) => toView(r)),
      total,
      q,
    );
  }

  async get(id: string, scope: string | null, em: EntityManager = this.db.manager): Promise<EndCustomerInvoiceView> {
    const row = await this.head(em, id, scope);
    const lines: LineRow[] = await em.query(
      `SELECT ${LINE_COLUMNS} FROM end_customer_invoice_lines WHERE invoice_id = $1 ORDER BY line_no`,
      [id],
    );
    return toView(row, lines);
  }

  /** The invoice's row, or 404 (unknown, or another reseller's); locked FOR UPDATE with `lock`. */
  async head(em: EntityManager, id: string, scope: string | null, lock = false): Promise<EcInvoiceRow> {
    const [row]: EcInvoiceRow[] = await em.query(
      `SELECT ${EC_COLUMNS} FROM end_customer_invoices i WHERE i.id = $1 AND ($2::uuid IS NULL OR i.reseller_id = $2::uuid) ${lock ? 'FOR UPDATE' : ''}`,
      [id, scope],
    );
    if (!row) throw resellerBillingError(ResellerBillingErrorCode.NotFound, `End-customer invoice ${id} was not found`);
    return row;
  }

  /** Records `amount` more paid on the invoice, in the caller's transaction (the row is locked by head(…, true)). */
  async addPaid(em: EntityManager, id: string, amount: Dec): Promise<void> {
    await em.query(`UPDATE end_customer_invoices SET paid = paid + $2 WHERE id = $1`, [id, amount.toFixed()]);
  }

  /** Rows as CSV: one per line of the invoice. */
  async *csvRows(id: string, scope: string | null): AsyncGenerator<Record<string, string | number | null>> {
    const inv = await this.get(id, scope);
    for (const l of inv.lines ?? []) {
      yield {
        invoice_number: inv.number ?? '',
        end_customer: csvText(inv.buyer.name),
        line_no: l.lineNo,
        sku: l.sku,
        description: csvText(l.description),
        quantity: l.quantity,
        period_start: l.periodStart ?? '',
        period_end: l.periodEnd ?? '',
        net: l.net,
        tax_rate: l.taxRate,
        tax: l.tax,
        gross: l.gross,
        currency: inv.currency,
      };
    }
  }
}

export const EC_INVOICE_CSV_COLUMNS = [
  'invoice_number',
  'end_customer',
  'line_no',
  'sku',
  'description',
  'quantity',
  'period_start',
  'period_end',
  'net',
  'tax_rate',
  'tax',
  'gross',
  'currency',
] as const;

export function statusOf(r: { status: string; paid: string; gross: string }): EndCustomerInvoiceStatus {
  if (r.status === 'DRAFT') return 'DRAFT';
  const paid = new Dec(r.paid);
  if (paid.gte(r.gross)) return 'PAID';
  return paid.gt(0) ? 'PARTIALLY_PAID' : 'ISSUED';
}

export function toView(r: EcInvoiceRow, lines?: LineRow[]): EndCustomerInvoiceView {
  const c = r.currency.trim() as Currency;
  const m = (v: string) => moneyString(v, c);
  const due = Dec.max(new Dec(r.gross).minus(r.paid), new Dec(0));
  return {
    id: r.id,
    number: r.number,
    resellerId: r.reseller_id,
    endCustomerId: r.end_customer_id,
    sourceInvoiceId: r.source_invoice_id,
    sourceInvoiceNumber: r.source_invoice_number,
    status: statusOf(r),
    currency: c,
    periodEnd: r.period_end,
    issueDate: r.issue_date,
    dueDate: r.due_date,
    taxTreatment: r.tax_treatment,
    seller: r.seller,
    buyer: { name: r.buyer.name, address: r.buyer.address, taxId: r.buyer.taxId, country: r.buyer.country },
    cost: m(r.cost),
    net: m(r.net),
    tax: m(r.tax),
    gross: m(r.gross),
    amountPaid: m(r.paid),
    amountDue: r.status === 'DRAFT' ? m('0') : moneyString(due, c),
    ...(lines
      ? {
          lines: lines.map((l): EndCustomerInvoiceLineView => ({
            lineNo: l.line_no,
            kind: l.kind,
            sku: l.sku,
            description: l.description,
            quantity: l.quantity,
            periodStart: l.period_start,
            periodEnd: l.period_end,
            cost: m(l.cost),
            net: m(l.net),
            taxRate: formatRate(l.tax_rate),
            tax: m(l.tax),
            gross: m(l.gross),
          })),
        }
      : {}),
  };
}
