// Owns products and product_prices.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  CreditLine,
  Currency,
  Dec,
  FieldError,
  moneyString,
  page,
  Page,
  ProblemError,
  queryPrepared,
  retryOnConflict,
  validationError,
} from '#disty/core';
import type { TaxCategory } from '#disty/tax';
import { BillingFrequency, productShapeProblems, Term } from './domain/product-rules';
import { commitmentProblems, CommitmentRules, DEFAULT_COMMITMENT_PACK, termListPrice } from './domain/commitment-rules';
import { CommitmentPackView } from './dto/commitment-pack.dto';
import { PriceHistoryView, PriceView, ProductSort, ProductView } from './dto/product.dto';
import { catalogError, CatalogErrorCode } from './errors';
import { PRODUCT_COLUMNS, productOrder, ProductRow, PRODUCTS_BY_SKU } from './catalog.sql';

/** A product as other modules see it, priced in one currency. */
export interface CatalogProduct {
  sku: string;
  name: string;
  vendor: string;
  kind: CreditLine;
  active: boolean;
  /** The price in force now in the asked currency; null when the product has none in it. */
  unitPrice: Dec | null;
  /**
   * The vendor's cost of one unit (cloud: a seat for a month) beside that price; null when the
   * product has no price in the currency or the price is older than cost prices (cost not known:
   * documents keep null and count it as 0, docs/accounting.md §4).
   */
  unitCost: Dec | null;
  warrantyMonths: number | null;
  term: Term | null;
  billingFrequency: BillingFrequency | null;
  extendedWarrantySku: string | null;
  /** Chooses the line's tax code with the buyer's country and registration (docs/accounting.md §11). */
  taxCategory: TaxCategory;
}

export interface PriceInput {
  currency: Currency;
  unitPrice: string | Dec;
  /** Required for a new price; on an update it may be left out to keep the currency's current (known) cost. */
  costPrice?: string | Dec | null;
}

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

export interface CreateProductInput {
  sku: string;
  name: string;
  vendor: string;
  kind: CreditLine;
  prices: PriceInput[];
  warrantyMonths?: number | null;
  term?: Term | null;
  billingFrequency?: BillingFrequency | null;
  extendedWarrantySku?: string | null;
  taxCategory?: TaxCategory;
  /** The commitment rule pack's code (docs/commitments.md); NO_COMMITMENT when left out. */
  commitmentPack?: string;
}

export interface UpdateProductInput {
  name?: string;
  taxCategory?: TaxCategory;
  commitmentPack?: string;
  prices?: PriceInput[];
  active?: boolean;
  extendedWarrantySku?: string | null;
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

/**
 * Products and their prices per currency. Prices keep their history: a change closes the current
 * price and opens a new one, so orders and renewals priced after it use it and nothing before
 * changes.
 */
@Injectable()
export class CatalogService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async createProduct(input: CreateProductInput): Promise<ProductView> {
    const problems = [...productShapeProblems(input), ...duplicateCurrencies(input.prices), ...missingCosts(input.prices, () => false)];
    if (problems.length) throw invalid(problems);
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        if (input.extendedWarrantySku != null) await this.assertWarrantySku(em, input.extendedWarrantySku, input.sku);
        const pack = await this.packOrFail(em, input.commitmentPack ?? DEFAULT_COMMITMENT_PACK);
        assertAllowed(pack, input);
        const inserted: unknown[] = await em.query(
          `INSERT INTO products (sku, name, vendor, kind, warranty_months, term, billing_frequency, extended_warranty_sku, tax_category,
                                 commitment_pack)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (sku) DO NOTHING RETURNING sku`,
          [
            input.sku,
            input.name.trim(),
            input.vendor.trim(),
            input.kind,
            input.warrantyMonths ?? null,
            input.term ?? null,
            input.billingFrequency ?? null,
            input.extendedWarrantySku ?? null,
            input.taxCategory ?? 'STANDARD',
            pack.code,
          ],
        );
        if (!inserted.length) throw catalogError(CatalogErrorCode.SkuTaken, `A product with SKU ${input.sku} already exists`);
        await this.insertPrices(em, input.sku, input.prices);
        return (await this.views(em, [input.sku], { withCost: true }))[0];
      }),
    );
  }

  /** Name, prices (from now on, per listed currency), active flag, extended-warranty link. */
  async updateProduct(sku: string, patch: UpdateProductInput): Promise<ProductView> {
    if (patch.prices) {
      const dup = duplicateCurrencies(patch.prices);
      if (dup.length) throw invalid(dup);
    }
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const [row]: ProductRow[] = await em.query(`SELECT ${PRODUCT_COLUMNS} FROM products p WHERE p.sku = $1 FOR UPDATE`, [sku]);
        if (!row) throw notFoundProduct(sku);
        if (patch.extendedWarrantySku !== undefined) {
          const problems = productShapeProblems({
            kind: row.kind,
            term: row.term,
            billingFrequency: row.billing_frequency,
            warrantyMonths: row.warranty_months,
            extendedWarrantySku: patch.extendedWarrantySku,
          });
          if (problems.length) throw invalid(problems);
          if (patch.extendedWarrantySku !== null) await this.assertWarrantySku(em, patch.extendedWarrantySku, sku);
        }
        if (patch.commitmentPack !== undefined) {
          assertAllowed(await this.packOrFail(em, patch.commitmentPack), {
            term: row.term,
            billingFrequency: row.billing_frequency,
          });
        }
        await em.query(
          `UPDATE products SET name = coalesce($2, name), active = coalesce($3, active),
                  extended_warranty_sku = CASE WHEN $4 THEN $5 ELSE extended_warranty_sku END,
                  tax_category = coalesce($6, tax_category), commitment_pack = coalesce($7, commitment_pack), updated_at = now()
            WHERE sku = $1`,
          [
            sku,
            patch.name?.trim() ?? null,
            patch.active ?? null,
            patch.extendedWarrantySku !== undefined,
            patch.extendedWarrantySku ?? null,
            patch.taxCategory ?? null,
            patch.commitmentPack ?? null,
          ],
        );
        if (patch.prices?.length) {
          const current: Array<{ currency: Currency; unit_price: string; unit_cost: string | null }> = await em.query(
            `SELECT currency, unit_price, unit_cost FROM product_prices WHERE sku = $1 AND valid_to IS NULL`,
            [sku],
          );
          const byCurrency = new Map(
            current.map((c) => [c.currency, { price: new Dec(c.unit_price), cost: c.unit_cost == null ? null : new Dec(c.unit_cost) }]),
          );
          // A price without costPrice keeps the currency's current cost; with none known, it is required.
          const missing = missingCosts(patch.prices, (p) => byCurrency.get(p.currency)?.cost != null);
          if (missing.length) throw invalid(missing);
          const prices = patch.prices.map((p) => ({
            ...p,
            costPrice: p.costPrice ?? byCurrency.get(p.currency)!.cost!,
          }));
          // A change of price or of cost alone closes the current row and opens a new one (history is kept).
          const changed = prices.filter((p) => {
            const now = byCurrency.get(p.currency);
            return !now || !now.price.eq(new Dec(p.unitPrice.toString())) || !now.cost?.eq(new Dec(p.costPrice.toString()));
          });
          if (changed.length) {
            await em.query(
              `UPDATE product_prices SET valid_to = now() WHERE sku = $1 AND currency = ANY($2::text[]) AND valid_to IS NULL`,
              [sku, changed.map((p) => p.currency)],
            );
            await this.insertPrices(em, sku, changed);
          }
        }
        return (await this.views(em, [sku], { history: true, withCost: true }))[0];
      }),
    );
  }

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

  /** Products by SKU with their current price in `currency` (null when none). Unknown SKUs are absent. */
  async getProducts(skus: string[], currency: Currency, em: EntityManager = this.db.manager): Promise<Map<string, CatalogProduct>> {
    const out = new Map<string, CatalogProduct>();
    if (!skus.length) return out;
    const rows = await queryPrepared<ProductRow & { unit_price: string | null; unit_cost: string | null }>(em, PRODUCTS_BY_SKU, [
      [...new Set(skus)],
      currency,
    ]);
    for (const r of rows) {
      out.set(r.sku, {
        sku: r.sku,
        name: r.name,
        vendor: r.vendor,
        kind: r.kind,
        active: r.active,
        unitPrice: r.unit_price == null ? null : new Dec(r.unit_price),
        unitCost: r.unit_price == null || r.unit_cost == null ? null : new Dec(r.unit_cost),
        warrantyMonths: r.warranty_months,
        term: r.term,
        billingFrequency: r.billing_frequency,
        extendedWarrantySku: r.extended_warranty_sku,
        taxCategory: r.tax_category,
      });
    }
    return out;
  }

  /** Each known SKU's tax category (what renewals choose the renewed term's tax code with). */
  async taxCategories(skus: string[], em: EntityManager = this.db.manager): Promise<Map<string, TaxCategory>> {
    if (!skus.length) return new Map();
    const rows: Array<{ sku: string; tax_category: TaxCategory }> = await em.query(
      `SELECT sku, tax_category FROM products WHERE sku = ANY($1::text[])`,
      [[...new Set(skus)]],
    );
    return new Map(rows.map((r) => [r.sku, r.tax_category]));
  }

  /** The price in force now (what renewals use); null when the product is unknown or has no price in `currency`. */
  async currentPrice(sku: string, currency: Currency, em: EntityManager = this.db.manager): Promise<Dec | null> {
    return (await this.currentPriceAndCost(sku, currency, em))?.unitPrice ?? null;
  }

  /**
   * The price in force now and its cost (null when not known); null when there is no price in
   * `currency`. With `term`, the price of a subscription term of that length (termListPrice: a
   * month-to-month term of a product listed on a longer one takes its pack's monthly uplift).
   */
  async currentPriceAndCost(
    sku: string,
    currency: Currency,
    em: EntityManager = this.db.manager,
    term?: Term,
  ): Promise<{ unitPrice: Dec; unitCost: Dec | null } | null> {
    const rows: Array<{
      unit_price: string;
      unit_cost: string | null;
      term: Term | null;
      monthly_uplift_percent: string | null;
    }> = await em.query(
      `SELECT pp.unit_price, pp.unit_cost, p.term, c.monthly_uplift_percent
         FROM product_prices pp JOIN products p ON p.sku = pp.sku LEFT JOIN commitment_rule_packs c ON c.code = p.commitment_pack
        WHERE pp.sku = $1 AND pp.currency = $2 AND pp.valid_to IS NULL`,
      [sku, currency],
    );
    if (!rows.length) return null;
    const r = rows[0];
    const price = (v: string) => (term ? termListPrice(new Dec(v), currency, r.term, term, r.monthly_uplift_percent ?? '0') : new Dec(v));
    return { unitPrice: price(r.unit_price), unitCost: r.unit_cost == null ? null : price(r.unit_cost) };
  }

  /** GET /catalog/commitment-packs: every rule pack, by code. */
  async commitmentPacks(): Promise<{ items: CommitmentPackView[]; total: number }> {
    const rows: PackRow[] = await this.db.query(`SELECT ${PACK_COLUMNS} FROM commitment_rule_packs c ORDER BY c.code`);
    const items = rows.map(packView);
    return { items, total: items.length };
  }

  /**
   * The commitment rules a product follows (what the subscription change flow enforces); null when
   * the SKU is not in the catalog (no rules: changes are free).
   */
  async commitmentRules(sku: string, em: EntityManager = this.db.manager): Promise<CommitmentRules | null> {
    const rows: PackRow[] = await em.query(
      `SELECT ${PACK_COLUMNS} FROM products p JOIN commitment_rule_packs c ON c.code = p.commitment_pack WHERE p.sku = $1`,
      [sku],
    );
    return rows.length ? packView(rows[0]) : null;
  }

  private async packOrFail(em: EntityManager, code: string): Promise<CommitmentRules> {
    const rows: PackRow[] = await em.query(`SELECT ${PACK_COLUMNS} FROM commitment_rule_packs c WHERE c.code = $1`, [code]);
    if (!rows.length) {
      const detail = `commitmentPack ${code} is not a commitment pack (GET /catalog/commitment-packs)`;
      const e = catalogError(CatalogErrorCode.UnknownCommitmentPack, detail, { field: 'commitmentPack' });
      throw new ProblemError(e.status, e.slug, e.title, detail, e.extensions, [
        { field: 'commitmentPack', message: `${code} is not a commitment pack` },
      ]);
    }
    return packView(rows[0]);
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

  private async insertPrices(em: EntityManager, sku: string, prices: PriceInput[]): Promise<void> {
    await em.query(
      `INSERT INTO product_prices (sku, currency, unit_price, unit_cost)
       SELECT $1, t.currency, t.unit_price, t.unit_cost FROM unnest($2::text[], $3::numeric[], $4::numeric[]) AS t(currency, unit_price, unit_cost)`,
      [sku, prices.map((p) => p.currency), prices.map((p) => p.unitPrice.toString()), prices.map((p) => p.costPrice?.toString() ?? null)],
    );
  }

  private async assertWarrantySku(em: EntityManager, warrantySku: string, sku: string): Promise<void> {
    if (warrantySku === sku) throw invalid([{ field: 'extendedWarrantySku', message: 'must name another product' }]);
    const rows: Array<{ kind: CreditLine }> = await em.query(`SELECT kind FROM products WHERE sku = $1`, [warrantySku]);
    if (!rows.length) {
      throw catalogError(CatalogErrorCode.UnknownProduct, `The extended-warranty SKU ${warrantySku} is not in the catalog`, {
        sku: warrantySku,
      });
    }
  }

  private async views(em: EntityManager, skus: string[], opts: { history?: boolean; withCost?: boolean } = {}): Promise<ProductView[]> {
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

interface PackRow {
  code: string;
  name: string;
  description: string;
  window_hours: number | null;
  price_lock: boolean;
  auto_renew_default: boolean;
  allowed_terms: Term[];
  allowed_billing_frequencies: BillingFrequency[];
  monthly_uplift_percent: string;
}

const PACK_COLUMNS = `c.code, c.name, c.description, c.window_hours, c.price_lock, c.auto_renew_default, c.allowed_terms,
  c.allowed_billing_frequencies, c.monthly_uplift_percent::text AS monthly_uplift_percent`;

function packView(r: PackRow): CommitmentPackView & CommitmentRules {
  return {
    code: r.code,
    name: r.name,
    description: r.description,
    windowHours: r.window_hours,
    priceLock: r.price_lock,
    autoRenewDefault: r.auto_renew_default,
    allowedTerms: r.allowed_terms,
    allowedBillingFrequencies: r.allowed_billing_frequencies,
    monthlyUpliftPercent: new Dec(r.monthly_uplift_percent).toString(),
  };
}

/** A product's term and billing frequency must be allowed by its pack: 422 naming the field. */
function assertAllowed(pack: CommitmentRules, p: { term?: Term | null; billingFrequency?: BillingFrequency | null }): void {
  const problems = commitmentProblems(pack, p);
  if (!problems.length) return;
  const detail = problems.map((e) => `${e.field}: ${e.message}`).join('; ');
  const e = catalogError(CatalogErrorCode.NotAllowedByCommitment, detail, {
    field: problems[0].field,
    commitmentPack: pack.code,
  });
  throw new ProblemError(e.status, e.slug, e.title, detail, e.extensions, problems);
}

function duplicateCurrencies(prices: PriceInput[]): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  prices.forEach((p, i) => {
    if (seen.has(p.currency)) errors.push({ field: `prices.${i}.currency`, message: `${p.currency} is listed twice` });
    seen.add(p.currency);
  });
  return errors;
}

/** A price without `costPrice` (and, on an update, no known cost to keep) names `prices.N.costPrice`. */
function missingCosts(prices: PriceInput[], keepsCost: (p: PriceInput) => boolean): FieldError[] {
  return prices.flatMap((p, i) =>
    p.costPrice == null && !keepsCost(p)
      ? [{ field: `prices.${i}.costPrice`, message: `is required: the vendor's cost in ${p.currency}` }]
      : [],
  );
}

function invalid(errors: FieldError[]) {
  return validationError(errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
}

function notFoundProduct(sku: string) {
  return catalogError(CatalogErrorCode.ProductNotFound, `Product ${sku.slice(0, 64)} was not found`);
}
