// Owns products and product_prices: writing them, and the prices other modules read (API reads: ProductQueryService).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CreditLine, Currency, Dec, FieldError, queryPrepared, retryOnConflict, validationError } from '#disty/core';
import type { TaxCategory } from '#disty/tax';
import { BillingFrequency, productShapeProblems, Term } from './domain/product-rules';
import { DEFAULT_COMMITMENT_PACK, termListPrice } from './domain/commitment-rules';
import { ProductView } from './dto/product.dto';
import { catalogError, CatalogErrorCode } from './errors';
import { PRODUCT_COLUMNS, ProductRow, PRODUCTS_BY_SKU } from './catalog.sql';
import { assertAllowed, CommitmentPackService } from './commitment-pack.service';
import { notFoundProduct, ProductQueryService } from './product-query.service';

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

/**
 * Products and their prices per currency. Prices keep their history: a change closes the current
 * price and opens a new one, so orders and renewals priced after it use it and nothing before
 * changes.
 */
@Injectable()
export class CatalogService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queries: ProductQueryService,
    private readonly packs: CommitmentPackService,
  ) {}

  async createProduct(input: CreateProductInput): Promise<ProductView> {
    const problems = [...productShapeProblems(input), ...duplicateCurrencies(input.prices), ...missingCosts(input.prices, () => false)];
    if (problems.length) throw invalid(problems);
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        if (input.extendedWarrantySku != null) await this.assertWarrantySku(em, input.extendedWarrantySku, input.sku);
        const pack = await this.packs.packOrFail(em, input.commitmentPack ?? DEFAULT_COMMITMENT_PACK);
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
        return (await this.queries.views(em, [input.sku], { withCost: true }))[0];
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
          assertAllowed(await this.packs.packOrFail(em, patch.commitmentPack), {
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
        return (await this.queries.views(em, [sku], { history: true, withCost: true }))[0];
      }),
    );
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
