// Reads products and product_prices for the API: one product, the search, vendors, prices missing a cost.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CreditLine, Currency, moneyString, page, Page } from '#disty/core';
import { PriceHistoryView, PriceView, ProductSort, ProductView } from './dto/product.dto';
import { catalogError, CatalogErrorCode } from './errors';
import { PRODUCT_COLUMNS, productOrder, ProductRow } from './catalog.sql';

/** A current price whose cost is not known (GET /catalog/products/missing-costs). */
export interface MissingCost {
  sku: string;
  name: string;
  vendor: string;
  kind: CreditLine;
  currency: Currency;
  unitPrice: string;
  validFrom: string;
}

export interface ProductSearch {
  kind?: CreditLine;
  vendor?: string;
  q?: string;
  currency?: Currency;
  active?: boolean;
  sort?: ProductSort;
  page: number;
  pageSize: number;
}

/** Products as views (with prices, their history and costs as asked); CatalogService returns what it writes through them. */
@Injectable()
export class ProductQueryService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** `withCost`: distributor staff see each price's cost; reseller users never do. */
  async getProduct(sku: string, opts: { withCost?: boolean } = {}): Promise<ProductView> {
    const [view] = await this.views(this.db.manager, [sku], { history: true, withCost: opts.withCost });
    if (!view) throw notFoundProduct(sku);
    return view;
  }

  async search(q: ProductSearch, opts: { withCost?: boolean } = {}): Promise<Page<ProductView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace(/\?/g, () => `$${params.length}`));
    };
    if (q.kind) add('p.kind = ?', q.kind);
    if (q.vendor) add('lower(p.vendor) = lower(?)', q.vendor);
    if (q.active !== undefined) add('p.active = ?', q.active);
    if (q.q) {
      add(`(p.sku ILIKE ? OR p.name ILIKE ? OR p.vendor ILIKE ?)`, `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (q.currency) {
      add('EXISTS (SELECT 1 FROM product_prices pp WHERE pp.sku = p.sku AND pp.currency = ? AND pp.valid_to IS NULL)', q.currency);
    }
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM products p ${cond}`, params);
    const order = productOrder(q.sort ?? 'sku', params.length + 1);
    const rows: ProductRow[] = await this.db.query(
      `SELECT ${PRODUCT_COLUMNS} FROM products p ${cond} ORDER BY ${order} LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      order.includes('$') ? [...params, q.currency] : params,
    );
    return page(await this.toViews(this.db.manager, rows, { withCost: opts.withCost }), total, q);
  }

  /** The distinct vendors of the products (active ones only when `active`), by name. */
  async vendors(active?: boolean): Promise<string[]> {
    const sql = 'SELECT DISTINCT vendor FROM products WHERE $1::boolean IS NULL OR active = $1 ORDER BY vendor';
    return ((await this.db.query(sql, [active ?? null])) as Array<{ vendor: string }>).map((r) => r.vendor);
  }

  /**
   * Current prices whose cost is not known (prices older than cost prices), by SKU and currency:
   * what finance completes with PATCH /catalog/products/:sku before margins can be trusted.
   */
  async missingCosts(): Promise<{ items: MissingCost[]; total: number }> {
    const rows: Array<{
      sku: string;
      name: string;
      vendor: string;
      kind: CreditLine;
      currency: Currency;
      unit_price: string;
      valid_from: Date;
    }> = await this.db.query(
      `SELECT p.sku, p.name, p.vendor, p.kind, pp.currency, pp.unit_price, pp.valid_from
           FROM product_prices pp JOIN products p ON p.sku = pp.sku
          WHERE pp.valid_to IS NULL AND pp.unit_cost IS NULL
          ORDER BY lower(p.vendor), p.sku, pp.currency`,
    );
    const items = rows.map((r) => ({
      sku: r.sku,
      name: r.name,
      vendor: r.vendor,
      kind: r.kind,
      currency: r.currency,
      unitPrice: moneyString(r.unit_price, r.currency),
      validFrom: r.valid_from.toISOString(),
    }));
    return { items, total: items.length };
  }

  /** The products `skus` as views (unknown SKUs are absent). */
  async views(em: EntityManager, skus: string[], opts: { history?: boolean; withCost?: boolean } = {}): Promise<ProductView[]> {
    const rows: ProductRow[] = await em.query(`SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.sku = ANY($1::text[])`, [skus]);
    return this.toViews(em, rows, opts);
  }

  private async toViews(
    em: EntityManager,
    rows: ProductRow[],
    opts: { history?: boolean; withCost?: boolean } = {},
  ): Promise<ProductView[]> {
    if (!rows.length) return [];
    const prices: Array<{
      sku: string;
      currency: Currency;
      unit_price: string;
      unit_cost: string | null;
      valid_from: Date;
      valid_to: Date | null;
    }> = await em.query(
      `SELECT sku, currency, unit_price, unit_cost, valid_from, valid_to FROM product_prices
          WHERE sku = ANY($1::text[]) ${opts.history ? '' : 'AND valid_to IS NULL'}
          ORDER BY sku, currency, valid_from, id`,
      [rows.map((r) => r.sku)],
    );
    const current = new Map<string, PriceView[]>();
    const history = new Map<string, PriceHistoryView[]>();
    for (const p of prices) {
      const price: PriceView = {
        currency: p.currency,
        unitPrice: moneyString(p.unit_price, p.currency),
        ...(opts.withCost ? { costPrice: p.unit_cost == null ? null : moneyString(p.unit_cost, p.currency) } : {}),
      };
      if (p.valid_to === null) current.set(p.sku, [...(current.get(p.sku) ?? []), price]);
      history.set(p.sku, [
        ...(history.get(p.sku) ?? []),
        { ...price, validFrom: p.valid_from.toISOString(), validTo: p.valid_to?.toISOString() ?? null },
      ]);
    }
    return rows.map((r) => ({
      sku: r.sku,
      name: r.name,
      vendor: r.vendor,
      kind: r.kind,
      active: r.active,
      warrantyMonths: r.warranty_months,
      term: r.term,
      billingFrequency: r.billing_frequency,
      extendedWarrantySku: r.extended_warranty_sku,
      taxCategory: r.tax_category,
      commitmentPack: r.commitment_pack,
      prices: current.get(r.sku) ?? [],
      ...(opts.history ? { priceHistory: history.get(r.sku) ?? [] } : {}),
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
  }
}

export function notFoundProduct(sku: string) {
  return catalogError(CatalogErrorCode.ProductNotFound, `Product ${sku.slice(0, 64)} was not found`);
}
