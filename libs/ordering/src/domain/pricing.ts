import { Amounts, CreditLine, Currency, Dec, roundMoney } from '#disty/core';

export interface PricingLine {
  kind: CreditLine;
  quantity: number;
  /** Hardware: one unit. Cloud: one unit for one month. */
  unitPrice: Dec;
  /** Months the line's first charge covers: 1 for hardware; 1, 12 or the term's months for cloud. */
  periodMonths: number;
  /** The net already fixed elsewhere (a cloud line's first charge from the subscription); else computed. */
  net?: Dec;
  /** The line's own tax rate (its tax code's, docs/accounting.md §11); default: the rate given to priceOrder. */
  taxRate?: Dec;
}

export interface PricedOrder {
  lines: Amounts[];
  totals: Record<CreditLine, Amounts>;
}

const zero = (): Amounts => ({ net: new Dec(0), tax: new Dec(0), gross: new Dec(0) });

/**
 * Prices a cart (docs/accounting.md §4): each line's net = unitPrice × quantity × months, rounded
 * half-up to the currency's minor unit once; its tax = net × taxRate, rounded the same way;
 * gross = net + tax. Totals per credit line are sums of the rounded line amounts.
 */
export function priceOrder(lines: PricingLine[], taxRate: Dec, currency: Currency): PricedOrder {
  if (taxRate.isNegative() || taxRate.gte(1)) throw new RangeError('taxRate must be in [0, 1)');
  const totals: Record<CreditLine, Amounts> = { HARDWARE: zero(), CLOUD: zero() };
  const priced = lines.map((l) => {
    if (!Number.isInteger(l.quantity) || l.quantity <= 0) throw new RangeError('quantity must be a positive integer');
    if (!Number.isInteger(l.periodMonths) || l.periodMonths <= 0) throw new RangeError('periodMonths must be a positive integer');
    if (l.unitPrice.isNegative()) throw new RangeError('unitPrice must be ≥ 0');
    const net = roundMoney(l.net ?? l.unitPrice.times(l.quantity).times(l.periodMonths), currency);
    const rate = l.taxRate ?? taxRate;
    if (rate.isNegative() || rate.gte(1)) throw new RangeError('taxRate must be in [0, 1)');
    const tax = roundMoney(net.times(rate), currency);
    const amounts = { net, tax, gross: net.plus(tax) };
    const t = totals[l.kind];
    totals[l.kind] = { net: t.net.plus(net), tax: t.tax.plus(tax), gross: t.gross.plus(amounts.gross) };
    return amounts;
  });
  return { lines: priced, totals };
}

/**
 * A line's cost (docs/accounting.md §4): unitCost × quantity × months, rounded half-up to the
 * currency's minor unit once, like its net. null when the unit cost is not known (a price older
 * than cost prices): the line keeps null, counted as 0 and listed by the missing-costs report.
 */
export function lineCost(unitCost: Dec | null, quantity: number, periodMonths: number, currency: Currency): Dec | null {
  if (unitCost == null) return null;
  if (unitCost.isNegative()) throw new RangeError('unitCost must be ≥ 0');
  return roundMoney(unitCost.times(quantity).times(periodMonths), currency);
}

/**
 * The cost of the `shipped` units of a line of `quantity` units costing `cost`: their share,
 * rounded half-up, the rest staying with the units left (as splitLineAmounts splits net and tax).
 */
export function splitLineCost(
  cost: Dec | null,
  quantity: number,
  shipped: number,
  currency: Currency,
): { shipped: Dec | null; rest: Dec | null } {
  if (cost == null) return { shipped: null, rest: null };
  const part = roundMoney(cost.times(shipped).div(quantity), currency);
  return { shipped: part, rest: cost.minus(part) };
}

/**
 * A partial shipment of a hardware line holding `line` for `line.quantity` units: the `shipped`
 * units take their share of each amount (net and tax × shipped / quantity, rounded half-up to the
 * currency's minor units), and the rest keeps what remains. Shares of what is left, not a re-priced
 * line: pricing each shipment on its own could round up more tax (or net) than the whole line
 * holds, leaving the last units a negative amount (6 × 4 JPY at 37.5 %: 2 tax a unit, 9 for the
 * line). So the parts always add up to the line, and none is negative.
 */
export function splitLineAmounts(
  line: Amounts & { quantity: number },
  shipped: number,
  currency: Currency,
): { shipped: Amounts; rest: Amounts } {
  if (!Number.isInteger(shipped) || shipped <= 0 || shipped >= line.quantity) {
    throw new RangeError('a split ships at least one unit and fewer than the line holds');
  }
  const share = (amount: Dec) => roundMoney(amount.times(shipped).div(line.quantity), currency);
  const net = share(line.net);
  const tax = share(line.tax);
  const rest = { net: line.net.minus(net), tax: line.tax.minus(tax) };
  return { shipped: { net, tax, gross: net.plus(tax) }, rest: { ...rest, gross: rest.net.plus(rest.tax) } };
}

export type HardwareLineStatus = 'PENDING' | 'SHIPPED' | 'CANCELLED';
export type OrderLineStatus = HardwareLineStatus | 'PROVISIONED';
export type OrderStatus = 'PLACED' | 'PARTIALLY_SHIPPED' | 'FULFILLED' | 'CANCELLED';

/**
 * An order's status from its lines: CANCELLED when every line is; FULFILLED when nothing is left
 * to ship; PARTIALLY_SHIPPED when some hardware shipped and some waits; otherwise PLACED.
 */
export function orderStatus(lines: OrderLineStatus[]): OrderStatus {
  const live = lines.filter((s) => s !== 'CANCELLED');
  if (!live.length) return 'CANCELLED';
  const pending = live.filter((s) => s === 'PENDING').length;
  if (!pending) return 'FULFILLED';
  return live.some((s) => s === 'SHIPPED') ? 'PARTIALLY_SHIPPED' : 'PLACED';
}
