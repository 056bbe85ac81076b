// Owns consumption_products, usage_meters, usage_meter_tiers and usage_meter_costs (docs/consumption.md).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, Dec, FieldError, page, Page, retryOnConflict, sqlState, validationError } from '#disty/core';
import type { TaxCategory } from '#disty/tax';
import { meterPriceProblems, MeterTier, meterTiers } from './domain/meter-tiers';
import { ConsumptionProductView, CreateConsumptionProductDto, MeterView } from './dto/consumption-product.dto';
import { catalogError, CatalogErrorCode } from './errors';

/** A meter as the usage module rates with it: its tiers and unit cost per currency. */
export interface CatalogMeter {
  /** The meter's row id (usage records point at it). */
  id: string;
  meterId: string;
  sku: string;
  name: string;
  unit: string;
  tiers: Map<Currency, MeterTier[]>;
  costs: Map<Currency, Dec>;
}

export interface CatalogConsumptionProduct {
  sku: string;
  name: string;
  vendorId: string;
  taxCategory: TaxCategory;
  active: boolean;
}

interface ProductRow {
  sku: string;
  name: string;
  vendor_id: string;
  tax_category: TaxCategory;
  active: boolean;
  created_at: Date;
}
interface MeterRow {
  id: string;
  sku: string;
  meter_id: string;
  name: string;
  unit: string;
}
interface TierRow {
  meter_id: string;
  currency: Currency;
  tier_no: number;
  from_quantity: string;
  to_quantity: string | null;
  unit_price: string;
}
interface CostRow {
  meter_id: string;
  currency: Currency;
  unit_cost: string;
}

/**
 * Consumption products (kind CONSUMPTION, billed on the CLOUD credit line): a vendor's plan whose
 * meters are priced per unit in each currency, flat or in graduated tiers by the month's volume,
 * with the vendor's cost per unit beside each price. Prices are fixed once created in this first
 * version (docs/consumption.md).
 */
@Injectable()
export class ConsumptionCatalogService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(dto: CreateConsumptionProductDto): Promise<ConsumptionProductView> {
    const problems: FieldError[] = [];
    const meterIds = new Set<string>();
    dto.meters.forEach((m, i) => {
      if (meterIds.has(m.meterId)) problems.push({ field: `meters.${i}.meterId`, message: `${m.meterId} is listed twice` });
      meterIds.add(m.meterId);
      const currencies = new Set<string>();
      m.prices.forEach((p, j) => {
        if (currencies.has(p.currency))
          problems.push({
            field: `meters.${i}.prices.${j}.currency`,
            message: `${p.currency} is listed twice`,
          });
        currencies.add(p.currency);
        problems.push(...meterPriceProblems(p, `meters.${i}.prices.${j}`));
      });
    });
    if (problems.length) throw validationError(problems.map((e) => `${e.field}: ${e.message}`).join('; '), problems);
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        let inserted: unknown[];
        try {
          inserted = await em.query(
            `INSERT INTO consumption_products (sku, name, vendor_id, tax_category) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sku) DO NOTHING RETURNING sku`,
            [dto.sku, dto.name.trim(), dto.vendorId, dto.taxCategory ?? 'STANDARD'],
          );
        } catch (e) {
          if (sqlState(e) === '23503')
            throw catalogError(CatalogErrorCode.UnknownVendor, `Vendor ${dto.vendorId} is not known (GET /vendors)`, { field: 'vendorId' });
          throw e;
        }
        if (!inserted.length) throw catalogError(CatalogErrorCode.SkuTaken, `A consumption product with SKU ${dto.sku} already exists`);
        for (const m of dto.meters) {
          let rows: Array<{ id: string }>;
          try {
            rows = await em.query(
              `INSERT INTO usage_meters (sku, vendor_id, meter_id, name, unit) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
              [dto.sku, dto.vendorId, m.meterId, m.name.trim(), m.unit.trim()],
            );
          } catch (e) {
            if (sqlState(e) === '23505') {
              throw catalogError(
                CatalogErrorCode.SkuTaken,
                `The vendor already has a meter ${m.meterId} (meter ids are unique per vendor)`,
              );
            }
            throw e;
          }
          const tiers = m.prices.flatMap((p) => meterTiers(p).map((t, n) => ({ currency: p.currency, n: n + 1, ...t })));
          await em.query(
            `INSERT INTO usage_meter_tiers (meter_id, currency, tier_no, from_quantity, to_quantity, unit_price)
             SELECT $1, * FROM unnest($2::char(3)[], $3::int[], $4::numeric[], $5::numeric[], $6::numeric[])`,
            [
              rows[0].id,
              tiers.map((t) => t.currency),
              tiers.map((t) => t.n),
              tiers.map((t) => t.from.toFixed()),
              tiers.map((t) => t.to?.toFixed() ?? null),
              tiers.map((t) => t.unitPrice.toFixed()),
            ],
          );
          await em.query(
            `INSERT INTO usage_meter_costs (meter_id, currency, unit_cost) SELECT $1, * FROM unnest($2::char(3)[], $3::numeric[])`,
            [rows[0].id, m.prices.map((p) => p.currency), m.prices.map((p) => p.costPrice)],
          );
        }
        return (await this.views(em, [dto.sku], true))[0];
      }),
    );
  }

  async get(sku: string, withCost: boolean): Promise<ConsumptionProductView> {
    const [view] = await this.views(this.db.manager, [sku], withCost);
    if (!view) throw catalogError(CatalogErrorCode.ProductNotFound, `Consumption product ${sku.slice(0, 64)} was not found`);
    return view;
  }

  async list(q: { vendorId?: string; page: number; pageSize: number }, withCost: boolean): Promise<Page<ConsumptionProductView>> {
    const params = [q.vendorId ?? null];
    const [{ total }]: Array<{ total: number }> = await this.db.query(
      `SELECT count(*)::int AS total FROM consumption_products WHERE $1::uuid IS NULL OR vendor_id = $1`,
      params,
    );
    const skus: Array<{ sku: string }> = await this.db.query(
      `SELECT sku FROM consumption_products WHERE $1::uuid IS NULL OR vendor_id = $1 ORDER BY sku
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(
      await this.views(
        this.db.manager,
        skus.map((s) => s.sku),
        withCost,
      ),
      total,
      q,
    );
  }

  /** The consumption product of `sku`, or null. */
  async product(sku: string, em: EntityManager = this.db.manager): Promise<CatalogConsumptionProduct | null> {
    const [r]: ProductRow[] = await em.query(`SELECT * FROM consumption_products WHERE sku = $1`, [sku]);
    return r ? { sku: r.sku, name: r.name, vendorId: r.vendor_id, taxCategory: r.tax_category, active: r.active } : null;
  }

  /** Tax categories of consumption products by SKU (what the usage invoice lines choose their tax code with). */
  async taxCategories(skus: string[], em: EntityManager = this.db.manager): Promise<Map<string, TaxCategory>> {
    const rows: Array<{ sku: string; tax_category: TaxCategory }> = await em.query(
      `SELECT sku, tax_category FROM consumption_products WHERE sku = ANY($1::text[])`,
      [[...new Set(skus)]],
    );
    return new Map(rows.map((r) => [r.sku, r.tax_category]));
  }

  /** Every meter of the vendor with its tiers and costs per currency (what an import rates with). */
  async vendorMeters(vendorId: string, em: EntityManager = this.db.manager): Promise<CatalogMeter[]> {
    const meters: MeterRow[] = await em.query(
      `SELECT id, sku, meter_id, name, unit FROM usage_meters WHERE vendor_id = $1 ORDER BY meter_id`,
      [vendorId],
    );
    return this.withPrices(em, meters);
  }

  private async withPrices(em: EntityManager, meters: MeterRow[]): Promise<CatalogMeter[]> {
    const ids = meters.map((m) => m.id);
    const tiers: TierRow[] = await em.query(
      `SELECT meter_id, currency, tier_no, from_quantity::text, to_quantity::text, unit_price::text FROM usage_meter_tiers
        WHERE meter_id = ANY($1::uuid[]) ORDER BY meter_id, currency, tier_no`,
      [ids],
    );
    const costs: CostRow[] = await em.query(
      `SELECT meter_id, currency, unit_cost::text FROM usage_meter_costs WHERE meter_id = ANY($1::uuid[])`,
      [ids],
    );
    return meters.map((m) => {
      const byCurrency = new Map<Currency, MeterTier[]>();
      for (const t of tiers.filter((x) => x.meter_id === m.id)) {
        byCurrency.set(t.currency, [
          ...(byCurrency.get(t.currency) ?? []),
          {
            from: new Dec(t.from_quantity),
            to: t.to_quantity == null ? null : new Dec(t.to_quantity),
            unitPrice: new Dec(t.unit_price),
          },
        ]);
      }
      return {
        id: m.id,
        meterId: m.meter_id,
        sku: m.sku,
        name: m.name,
        unit: m.unit,
        tiers: byCurrency,
        costs: new Map(costs.filter((c) => c.meter_id === m.id).map((c) => [c.currency, new Dec(c.unit_cost)])),
      };
    });
  }

  private async views(em: EntityManager, skus: string[], withCost: boolean): Promise<ConsumptionProductView[]> {
    if (!skus.length) return [];
    const products: ProductRow[] = await em.query(`SELECT * FROM consumption_products WHERE sku = ANY($1::text[]) ORDER BY sku`, [skus]);
    const meterRows: MeterRow[] = await em.query(
      `SELECT id, sku, meter_id, name, unit FROM usage_meters WHERE sku = ANY($1::text[]) ORDER BY meter_id`,
      [skus],
    );
    const meters = await this.withPrices(em, meterRows);
    return products.map((p) => ({
      sku: p.sku,
      name: p.name,
      kind: 'CONSUMPTION' as const,
      creditLine: 'CLOUD' as const,
      vendorId: p.vendor_id,
      taxCategory: p.tax_category,
      active: p.active,
      createdAt: p.created_at.toISOString(),
      meters: meters
        .filter((m) => m.sku === p.sku)
        .map((m): MeterView => ({
          id: m.id,
          meterId: m.meterId,
          name: m.name,
          unit: m.unit,
          prices: [...m.tiers.entries()].map(([currency, tiers]) => ({
            currency,
            tiers: tiers.map((t) => ({
              from: t.from.toFixed(),
              upTo: t.to?.toFixed() ?? null,
              unitPrice: t.unitPrice.toFixed(),
            })),
            ...(withCost ? { costPrice: m.costs.get(currency)?.toFixed() ?? '0' } : {}),
          })),
        })),
    }));
  }
}
