import { CreditLine, preparedStatement } from '#disty/core';
import type { TaxCategory } from '#disty/tax';
import { BillingFrequency, Term } from './domain/product-rules';

// The catalog's SQL: column lists, statements and row types (products, product_prices).

export interface ProductRow {
  sku: string;
  name: string;
  vendor: string;
  kind: CreditLine;
  warranty_months: number | null;
  term: Term | null;
  billing_frequency: BillingFrequency | null;
  extended_warranty_sku: string | null;
  tax_category: TaxCategory;
  commitment_pack: string;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

export const PRODUCT_COLUMNS = `p.sku, p.name, p.vendor, p.kind, p.warranty_months, p.term, p.billing_frequency,
  p.extended_warranty_sku, p.active, p.created_at, p.updated_at, p.tax_category, p.commitment_pack`;

/** Products by SKU with their current price and cost in one currency (order placement's catalog read). */
export const PRODUCTS_BY_SKU = preparedStatement(
  'catalog.products-by-sku',
  // Each product's current price by an index probe (LATERAL … LIMIT 1; at most one row is current
  // per SKU and currency): as a plain join, the generic plan of this prepared statement read every
  // current price and hashed them, on every order (docs/performance.md §8). The SKU array is read
  // through a sub-select so that a custom plan knows no more of it than the generic plan: with the
  // array's length visible, every custom plan looked cheaper and PostgreSQL planned the statement
  // again on every order (0.14 ms; docs/performance.md §14).
  `SELECT ${PRODUCT_COLUMNS}, pp.unit_price, pp.unit_cost FROM products p
     LEFT JOIN LATERAL (
       SELECT unit_price, unit_cost FROM product_prices pp
        WHERE pp.sku = p.sku AND pp.currency = $2 AND pp.valid_to IS NULL LIMIT 1
     ) pp ON true
    WHERE p.sku = ANY((SELECT $1::text[])::text[])`,
);

/**
 * The ORDER BY of a catalog search (ProductQueryDto.sort), SKU breaking ties. "price" orders by the
 * current price in the search's currency, bound as parameter `$n`; products without one come last.
 */
export function productOrder(sort: string, n: number): string {
  const desc = sort.startsWith('-') ? ' DESC' : '';
  const key = sort.replace(/^-/, '');
  const expr: Record<string, string> = {
    name: 'lower(p.name)',
    vendor: 'lower(p.vendor)',
    kind: 'p.kind',
    price: `(SELECT pp.unit_price FROM product_prices pp WHERE pp.sku = p.sku AND pp.currency = $${n} AND pp.valid_to IS NULL)`,
  };
  return key in expr ? `${expr[key]}${desc} NULLS LAST, p.sku` : `p.sku${desc}`;
}
