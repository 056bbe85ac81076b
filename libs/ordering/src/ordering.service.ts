// Owns orders and order_lines: placing an order, reading orders, and billing's side of shipped lines.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  Clock,
  Currency,
  Dec,
  FieldError,
  idempotentTransaction,
  page,
  Page,
  ProblemError,
  queryPrepared,
  retryOnConflict,
  validationError,
} from '#disty/core';
import { billingPeriodMonths, CatalogProduct, CatalogService } from '#disty/catalog';
import { EndCustomerService } from '#disty/customers';
import { CreditReservationService, ReservationItem, ResellerService } from '#disty/reseller';
import { ChangeDatePolicy, DateAuthority, SubscriptionProvisioningService } from '#disty/subscription';
import { AppliedTaxCode, TaxService } from '#disty/tax';
import { lineCost, orderStatus, OrderStatus, priceOrder, PricingLine } from './domain/pricing';
import { OrderView } from './dto/order.dto';
import { orderingError, OrderingErrorCode } from './errors';
import { reservationSource, toOrderView } from './order.mapper';
import { INSERT_ORDER, LINE_COLUMNS, LineRow, ORDER_COLUMNS, OrderRow } from './ordering.sql';

export interface PlaceOrderInput {
  resellerId: string;
  /** By name: the reseller's end customer of that exact name is reused, or created. Give this or endCustomerId. */
  endCustomer?: { name: string; reference?: string | null };
  /** One of the reseller's end customer records (else 422 naming endCustomerId). */
  endCustomerId?: string | null;
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

interface PreparedLine {
  sku: string;
  quantity: number;
  product: CatalogProduct;
  lineId: string;
  periodMonths: number;
  net: Dec | undefined;
  /** The line's cost: a hardware line's, or a cloud line's first charge's (null when the unit cost is not known). */
  cost: Dec | null;
  subscriptionId: string | null;
  firstChargeId: string | null;
  startDate: string | null;
  tax: AppliedTaxCode;
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
    private readonly subscriptions: SubscriptionProvisioningService,
    private readonly clock: Clock,
    private readonly dates: ChangeDatePolicy,
    private readonly tax: TaxService,
    private readonly endCustomers: EndCustomerService,
  ) {}

  /**
   * Places an order, all or nothing: prices every line, provisions each cloud line's subscription,
   * then checks and reserves each touched credit line under its row lock. A refusal leaves nothing.
   */
  async placeOrder(input: PlaceOrderInput): Promise<OrderView> {
    return retryOnConflict(() => idempotentTransaction(this.db, (em) => this.placeIn(em, input)));
  }

  private async placeIn(em: EntityManager, input: PlaceOrderInput): Promise<OrderView> {
    checkEndCustomer(input);
    const reseller = await this.resellers.getReseller(input.resellerId, em);
    const currency = reseller.currency;
    const products = await this.catalog.getProducts(
      input.lines.map((l) => l.sku),
      currency,
      em,
    );
    const checked = input.lines.map((l, i) => ({
      ...l,
      index: i,
      product: this.checkLine(l, i, products, currency),
    }));
    // Each line's tax code from its product's category and the buyer's country and registration,
    // as in force today (docs/accounting.md §11); a category no rule covers refuses the order (422).
    const today = this.clock.today();
    const codes = await this.tax.codesFor(
      em,
      { country: reseller.country, registered: reseller.taxRegistered },
      checked.map((it) => it.product.taxCategory),
      today,
    );
    const items = checked.map((it) => ({ ...it, tax: codes.get(it.product.taxCategory)! }));
    assertWithinBounds(
      items.map((it) => ({
        kind: it.product.kind,
        quantity: it.quantity,
        unitPrice: it.product.unitPrice!,
        periodMonths: it.product.kind === 'CLOUD' ? billingPeriodMonths(it.product.term!, it.product.billingFrequency!) : 1,
        taxRate: it.tax.rate,
      })),
      currency,
    );

    if (input.placedBy) {
      for (const it of items) {
        if (it.product.kind === 'CLOUD' && it.startDate !== undefined) {
          await this.dates.checkStartDate(em, it.startDate, input.placedBy, `lines.${it.index}.startDate`);
        }
      }
    }
    const orderId = randomUUID();
    const lineIds = items.map(() => randomUUID());
    // The end customer record: by id, or reused or created by name (one statement, docs/api-conventions.md).
    const record = await this.endCustomers.resolveForOrder(em, reseller.id, {
      id: input.endCustomerId,
      name: input.endCustomer?.name,
      reference: input.endCustomer?.reference,
    });
    const endReference = input.endCustomer?.reference ?? record.reference;
    const endCustomer = {
      id: record.id,
      name: record.name,
      ...(endReference ? { reference: endReference } : {}),
    };
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
        unitCost: it.product.unitCost,
        taxRate: it.tax.rate,
        taxCode: it.tax.code,
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
        return {
          ...it,
          lineId: lineIds[i],
          periodMonths: 1,
          net: undefined,
          cost: lineCost(p.unitCost, it.quantity, 1, currency),
          subscriptionId: null,
          firstChargeId: null,
          startDate: null,
        };
      }
      return {
        ...it,
        lineId: lineIds[i],
        periodMonths: billingPeriodMonths(p.term!, p.billingFrequency!),
        net: sub.firstCharge.net,
        cost: sub.firstCharge.cost,
        subscriptionId: sub.subscriptionId,
        firstChargeId: sub.firstCharge.id,
        startDate: it.startDate ?? today,
      };
    });
    const priced = priceOrder(
      prepared.map((l) => ({
        kind: l.product.kind,
        quantity: l.quantity,
        unitPrice: l.product.unitPrice!,
        periodMonths: l.periodMonths,
        net: l.net,
        taxRate: l.tax.rate,
      })),
      new Dec(0),
      currency,
    );
    const status = orderStatus(prepared.map((l) => (l.product.kind === 'HARDWARE' ? 'PENDING' : 'PROVISIONED')));

    // The order and its lines in one round trip.
    const col = <T>(f: (l: (typeof prepared)[number], i: number) => T) => prepared.map(f);
    const [order] = await queryPrepared<{ created_at: Date; number: string }>(em, INSERT_ORDER, [
      orderId,
      reseller.id,
      currency,
      col((l) => l.lineId),
      col((_, i) => i + 1),
      col((l) => l.product.sku),
      col((l) => l.product.name),
      col((l) => l.product.vendor),
      col((l) => l.product.kind),
      col((l) => (l.product.kind === 'HARDWARE' ? 'PENDING' : 'PROVISIONED')),
      col((l) => l.quantity),
      col((l) => l.product.unitPrice!.toFixed()),
      col((_, i) => priced.lines[i].net.toFixed()),
      col((_, i) => priced.lines[i].tax.toFixed()),
      col((_, i) => priced.lines[i].gross.toFixed()),
      col((l) => l.product.warrantyMonths),
      col((l) => l.subscriptionId),
      col((l) => l.firstChargeId),
      col((l) => l.startDate),
      status,
      sharedRate(prepared.map((l) => l.tax)),
      record.name,
      endReference ?? null,
      input.poNumber ?? null,
      input.createdBy ?? null,
      col((l) => l.tax.rate.toFixed()),
      col((l) => l.tax.code),
      col((l) => l.product.unitCost?.toFixed() ?? null),
      col((l) => l.cost?.toFixed() ?? null),
      record.id,
    ]);

    const reservations: ReservationItem[] = prepared.map((l, i) => ({
      line: l.product.kind,
      amount: priced.lines[i].gross,
      source: reservationSource({ id: l.lineId, kind: l.product.kind, first_charge_id: l.firstChargeId }),
    }));
    await this.credit.reserveCreditMany(em, reseller.id, reservations);

    // The response is built from what was just written (no extra round trips while the line locks are held).
    const rows: LineRow[] = prepared.map((l, i) => ({
      id: l.lineId,
      order_id: orderId,
      reseller_id: reseller.id,
      line_no: i + 1,
      sku: l.product.sku,
      product_name: l.product.name,
      kind: l.product.kind,
      status: l.product.kind === 'HARDWARE' ? 'PENDING' : 'PROVISIONED',
      quantity: l.quantity,
      currency,
      unit_price: l.product.unitPrice!.toFixed(),
      net: priced.lines[i].net.toFixed(),
      tax: priced.lines[i].tax.toFixed(),
      gross: priced.lines[i].gross.toFixed(),
      warranty_months: l.product.warrantyMonths,
      shipped_on: null,
      posted_on: null,
      serial_numbers: [],
      warranty_end: null,
      invoice_id: null,
      subscription_id: l.subscriptionId,
      first_charge_id: l.firstChargeId,
      start_date: l.startDate,
      vendor: l.product.vendor,
      unit_cost: l.product.unitCost?.toFixed() ?? null,
      cost: l.cost?.toFixed() ?? null,
      shipment_posted: false,
      tax_code: l.tax.code,
      tax_rate: l.tax.rate.toFixed(),
    }));
    const reserved = new Map(reservations.map((r) => [`${r.source.type}:${r.source.id}`, r.amount]));
    return toOrderView(
      {
        id: orderId,
        number: order.number,
        reseller_id: reseller.id,
        status,
        currency,
        end_customer_id: record.id,
        end_customer_name: record.name,
        end_customer_reference: endReference ?? null,
        po_number: input.poNumber ?? null,
        created_at: order.created_at,
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
      throw lineProblem(OrderingErrorCode.PriceUnavailable, `Line ${i + 1}: ${l.sku} has no price in ${currency}`, field, l.sku, {
        currency,
      });
    }
    if (p.kind === 'HARDWARE' && l.startDate !== undefined) {
      const errors: FieldError[] = [{ field: `lines.${i}.startDate`, message: 'applies to cloud lines only' }];
      throw validationError(`Line ${i + 1}: startDate applies to cloud lines only`, errors);
    }
    return p;
  }

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

  /**
   * Shipped hardware lines not yet invoiced, shipped on or before `periodEnd`, locked FOR UPDATE in
   * the caller's (billing) transaction so two runs cannot bill one line twice.
   */
  async unbilledShippedLines(em: EntityManager, resellerId: string, periodEnd: string): Promise<UnbilledShippedLine[]> {
    const rows: Array<
      LineRow & {
        po_number: string | null;
        end_customer_id: string | null;
        end_customer_name: string;
        end_customer_reference: string | null;
        line_tax_rate: string;
      }
    > = await em.query(
      `SELECT ${LINE_COLUMNS}, o.po_number, o.end_customer_id, o.end_customer_name, o.end_customer_reference, l.tax_rate::text AS line_tax_rate
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
      endCustomer: { id: r.end_customer_id, name: r.end_customer_name, reference: r.end_customer_reference },
      creditLine: 'HARDWARE' as const,
      taxRate: new Dec(r.line_tax_rate),
      taxCode: r.tax_code,
      source: { type: 'order_line' as const, id: r.id },
      unitCost: r.unit_cost == null ? null : new Dec(r.unit_cost),
      cost: r.cost == null ? null : new Dec(r.cost),
      shipmentPosted: r.shipment_posted,
    }));
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

  /**
   * Marks shipped lines as invoiced on `issueDate` (the invoice's date), once: a line already billed
   * (or not shipped) is a 409 and nothing changes.
   */
  async markLinesBilled(em: EntityManager, lineIds: string[], invoiceId: string, issueDate: string): Promise<void> {
    const ids = [...new Set(lineIds)];
    if (!ids.length) return;
    const [updated]: [Array<{ id: string }>, number] = await em.query(
      `UPDATE order_lines SET invoice_id = $2, billed_at = now(), billed_on = $3
        WHERE id = ANY($1::uuid[]) AND status = 'SHIPPED' AND invoice_id IS NULL RETURNING id`,
      [ids, invoiceId, issueDate],
    );
    if (updated.length !== ids.length) {
      throw orderingError(OrderingErrorCode.Conflict, `${ids.length - updated.length} of the lines are not shipped or already billed`);
    }
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

/** Far above any credit limit (limits stay below 10^14), and far inside numeric(20,4). */
const MAX_AMOUNT = new Dec('1e14');

/** A cart whose amounts could not be stored is refused before anything is written. */
function assertWithinBounds(lines: PricingLine[], currency: Currency): void {
  const priced = priceOrder(lines, new Dec(0), currency);
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

/** The order header's rate: its lines' rate when they share one, else null (each line keeps its own). */
function sharedRate(codes: AppliedTaxCode[]): string | null {
  const rates = [...new Set(codes.map((c) => c.rate.toFixed()))];
  return rates.length === 1 ? rates[0] : null;
}

function lineProblem(
  code: OrderingErrorCode,
  detail: string,
  field: string,
  sku: string,
  extra: Record<string, unknown> = {},
): ProblemError {
  const e = orderingError(code, detail, { sku, ...extra });
  return new ProblemError(e.status, e.slug, e.title, detail, e.extensions, [{ field, message: detail }]);
}

/** Exactly one of endCustomer (with a name) and endCustomerId. */
function checkEndCustomer(input: PlaceOrderInput): void {
  const byId = input.endCustomerId != null;
  if (byId && input.endCustomer != null) {
    throw validationError('Give either endCustomer or endCustomerId, not both', [
      { field: 'endCustomerId', message: 'not with endCustomer' },
    ]);
  }
  if (!byId && (typeof input.endCustomer?.name !== 'string' || !input.endCustomer.name.trim())) {
    throw validationError('endCustomer.name is required (or endCustomerId)', [{ field: 'endCustomer.name', message: 'is required' }]);
  }
}

function orderNotFound(id: string) {
  return orderingError(OrderingErrorCode.OrderNotFound, `Order ${id} was not found`);
}
