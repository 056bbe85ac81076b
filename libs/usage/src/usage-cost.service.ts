import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConsumptionCatalogService } from '#disty/catalog';
import { Currency, Dec } from '#disty/core';

/** What Disty accrued of a vendor's usage in a month, per tenant and meter (a reconciliation's usage side). */
export interface TenantMeterCost {
  tenantId: string;
  meterId: string;
  sku: string;
  currency: Currency;
  quantity: Dec;
  cost: Dec;
}

/**
 * Usage's cost by tenant and meter for vendor invoice reconciliation (docs/consumption.md §9): the
 * current records of the vendor dated in the month, their quantity and rated cost (what was accrued).
 */
@Injectable()
export class UsageCostService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalog: ConsumptionCatalogService,
  ) {}

  async vendorMonth(vendorId: string, month: string): Promise<TenantMeterCost[]> {
    const rows: Array<{
      tenant_id: string;
      meter_id: string;
      currency: string;
      quantity: string;
      cost: string;
    }> = await this.db.query(
      `SELECT s.tenant_id, r.meter_id, r.currency, sum(r.quantity)::text AS quantity, sum(r.rated_cost)::text AS cost
         FROM usage_records r JOIN consumption_subscriptions s ON s.id = r.subscription_id
        WHERE r.vendor_id = $1 AND r.superseded_at IS NULL AND r.usage_date >= $2::date AND r.usage_date < ($2::date + interval '1 month')
        GROUP BY s.tenant_id, r.meter_id, r.currency`,
      [vendorId, `${month}-01`],
    );
    const meters = new Map((await this.catalog.vendorMeters(vendorId)).map((m) => [m.id, m]));
    return rows.map((r) => {
      const m = meters.get(r.meter_id);
      return {
        tenantId: r.tenant_id,
        meterId: m?.meterId ?? r.meter_id,
        sku: m?.sku ?? '',
        currency: r.currency.trim() as Currency,
        quantity: new Dec(r.quantity),
        cost: new Dec(r.cost),
      };
    });
  }

  /** The vendor's meters: meter id → the consumption product (SKU) it belongs to. */
  async meterSkus(vendorId: string): Promise<Map<string, string>> {
    return new Map((await this.catalog.vendorMeters(vendorId)).map((m) => [m.meterId, m.sku]));
  }
}
