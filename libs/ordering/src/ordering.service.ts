// Owns orders and order_lines: placing an order (reads: OrderQueryService; billing's side: OrderLineBillingService).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, Dec, idempotentTransaction, queryPrepared, retryOnConflict } from '#disty/core';
import { billingPeriodMonths, CatalogProduct, CatalogService } from '#disty/catalog';
import { EndCustomerService } from '#disty/customers';
import { CreditReservationService, ReservationItem, ResellerService } from '#disty/reseller';
import { ChangeDatePolicy, DateAuthority, SubscriptionProvisioningService } from '#disty/subscription';
import { AppliedTaxCode, TaxService } from '#disty/tax';
import { lineCost, orderStatus, priceOrder } from './domain/pricing';
import { OrderView } from './dto/order.dto';
import { assertWithinBounds, checkEndCustomer, checkLine } from './order-checks';
import { reservationSource, toOrderView } from './order.mapper';
import { INSERT_ORDER, LineRow } from './ordering.sql';

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
      product: checkLine(l, i, products, currency),
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
}

/** The order header's rate: its lines' rate when they share one, else null (each line keeps its own). */
function sharedRate(codes: AppliedTaxCode[]): string | null {
  const rates = [...new Set(codes.map((c) => c.rate.toFixed()))];
  return rates.length === 1 ? rates[0] : null;
}
