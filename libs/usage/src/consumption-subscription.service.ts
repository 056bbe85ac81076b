// Owns consumption_subscriptions: a reseller's end customer mapped to a vendor tenant/account id.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, page, Page, sqlState, validationError } from '#disty/core';
import { ConsumptionCatalogService } from '#disty/catalog';
import { EndCustomerService } from '#disty/customers';
import { ResellerService } from '#disty/reseller';
import { ConsumptionSubscriptionView } from './dto/consumption-subscription.dto';
import { usageError, UsageErrorCode } from './errors';

interface SubscriptionRow {
  id: string;
  reseller_id: string;
  end_customer_id: string;
  sku: string;
  vendor_id: string;
  tenant_id: string;
  currency: Currency;
  created_at: Date;
}

/** A consumption subscription as the import and billing read it. */
export interface ConsumptionSubscription {
  id: string;
  resellerId: string;
  endCustomerId: string;
  sku: string;
  vendorId: string;
  tenantId: string;
  currency: Currency;
}

/**
 * Consumption subscriptions (docs/consumption.md): which reseller (and which of its end customers)
 * a vendor tenant's usage belongs to. A tenant id is unique per vendor, so every usage record
 * finds exactly one subscription. Usage is rated in the reseller's currency, kept on the row.
 */
@Injectable()
export class ConsumptionSubscriptionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalog: ConsumptionCatalogService,
    private readonly customers: EndCustomerService,
    private readonly resellers: ResellerService,
  ) {}

  async create(resellerId: string, input: { endCustomerId: string; sku: string; tenantId: string }): Promise<ConsumptionSubscriptionView> {
    const product = await this.catalog.product(input.sku);
    if (!product) {
      throw usageError(UsageErrorCode.UnknownProduct, `${input.sku} is not a consumption product (GET /catalog/consumption-products)`, {
        field: 'sku',
      });
    }
    const customer = await this.customers.get(input.endCustomerId, resellerId);
    const reseller = await this.resellers.getReseller(resellerId);
    const meters = await this.catalog.vendorMeters(product.vendorId);
    if (!meters.some((m) => m.sku === product.sku && m.tiers.has(reseller.currency))) {
      throw usageError(
        UsageErrorCode.CurrencyNotPriced,
        `${product.sku} has no meter priced in ${reseller.currency}, the reseller's currency`,
        {
          currency: reseller.currency,
        },
      );
    }
    try {
      const [row]: SubscriptionRow[] = await this.db.query(
        `INSERT INTO consumption_subscriptions (reseller_id, end_customer_id, sku, vendor_id, tenant_id, currency)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [resellerId, customer.id, product.sku, product.vendorId, input.tenantId, reseller.currency],
      );
      return toView(row, customer.name);
    } catch (e) {
      if (sqlState(e) === '23505') {
        throw usageError(
          UsageErrorCode.TenantTaken,
          `Tenant ${input.tenantId} of this vendor already belongs to a consumption subscription`,
        );
      }
      throw e;
    }
  }

  async get(id: string, scope: string | null): Promise<ConsumptionSubscriptionView> {
    const [row]: SubscriptionRow[] = await this.db.query(
      `SELECT * FROM consumption_subscriptions WHERE id = $1 AND ($2::uuid IS NULL OR reseller_id = $2::uuid)`,
      [id, scope],
    );
    if (!row) throw usageError(UsageErrorCode.NotFound, `Consumption subscription ${id} was not found`);
    return toView(row, (await this.customers.get(row.end_customer_id, null)).name);
  }

  async list(
    scope: string | null,
    q: { endCustomerId?: string; page: number; pageSize: number },
  ): Promise<Page<ConsumptionSubscriptionView>> {
    const params = [scope, q.endCustomerId ?? null];
    const cond = `WHERE ($1::uuid IS NULL OR reseller_id = $1::uuid) AND ($2::uuid IS NULL OR end_customer_id = $2::uuid)`;
    const [{ total }]: Array<{ total: number }> = await this.db.query(
      `SELECT count(*)::int AS total FROM consumption_subscriptions ${cond}`,
      params,
    );
    const rows: SubscriptionRow[] = await this.db.query(
      `SELECT * FROM consumption_subscriptions ${cond} ORDER BY created_at, id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    const names = await this.customerNames(rows.map((r) => r.end_customer_id));
    return page(
      rows.map((r) => toView(r, names.get(r.end_customer_id) ?? '')),
      total,
      q,
    );
  }

  /** Every subscription of the vendor (what an import resolves tenant ids with). */
  async ofVendor(vendorId: string, em: EntityManager = this.db.manager): Promise<ConsumptionSubscription[]> {
    const rows: SubscriptionRow[] = await em.query(`SELECT * FROM consumption_subscriptions WHERE vendor_id = $1`, [vendorId]);
    return rows.map(toSubscription);
  }

  /** Subscriptions by id (billing's descriptions). */
  async byIds(ids: string[], em: EntityManager = this.db.manager): Promise<Map<string, ConsumptionSubscription & { endCustomer: string }>> {
    if (!ids.length) return new Map();
    const rows: SubscriptionRow[] = await em.query(`SELECT * FROM consumption_subscriptions WHERE id = ANY($1::uuid[])`, [
      [...new Set(ids)],
    ]);
    const names = await this.customerNames(rows.map((r) => r.end_customer_id));
    return new Map(rows.map((r) => [r.id, { ...toSubscription(r), endCustomer: names.get(r.end_customer_id) ?? '' }]));
  }

  private async customerNames(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of new Set(ids)) out.set(id, (await this.customers.get(id, null)).name);
    return out;
  }
}

/** The reseller a request acts for: a reseller user's own; distributor staff must name one. */
export function subscriptionReseller(actorReseller: string | null, requested: string | undefined): string {
  const id = actorReseller ?? requested;
  if (!id) throw validationError('resellerId is required for distributor staff', [{ field: 'resellerId', message: 'is required' }]);
  return id;
}

function toSubscription(r: SubscriptionRow): ConsumptionSubscription {
  return {
    id: r.id,
    resellerId: r.reseller_id,
    endCustomerId: r.end_customer_id,
    sku: r.sku,
    vendorId: r.vendor_id,
    tenantId: r.tenant_id,
    currency: r.currency,
  };
}

function toView(r: SubscriptionRow, endCustomer: string): ConsumptionSubscriptionView {
  return { ...toSubscription(r), endCustomer, createdAt: r.created_at.toISOString() };
}
