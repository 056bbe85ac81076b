// The checks placing an order makes before it writes anything: lines, amounts, the end customer.
import { Currency, Dec, FieldError, ProblemError, validationError } from '#disty/core';
import { CatalogProduct } from '#disty/catalog';
import { priceOrder, PricingLine } from './domain/pricing';
import { orderingError, OrderingErrorCode } from './errors';
import type { PlaceOrderInput } from './ordering.service';

/** Unknown, inactive, unpriced SKUs and misplaced start dates refuse the whole order. */
export function checkLine(
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

/** Far above any credit limit (limits stay below 10^14), and far inside numeric(20,4). */
const MAX_AMOUNT = new Dec('1e14');

/** A cart whose amounts could not be stored is refused before anything is written. */
export function assertWithinBounds(lines: PricingLine[], currency: Currency): void {
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
export function checkEndCustomer(input: PlaceOrderInput): void {
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
