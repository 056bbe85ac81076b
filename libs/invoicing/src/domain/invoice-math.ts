import { Amounts, CREDIT_LINES, CreditLine, Currency, Dec, roundMoney } from '#disty/core';

/** Something billable, as the owning module reports it (net already rounded to minor units). */
export interface BillableItem {
  creditLine: CreditLine;
  sourceType: 'order_line' | 'subscription_charge' | 'usage';
  sourceId: string;
  sku: string;
  description: string;
  quantity: number;
  periodStart?: string | null;
  periodEnd?: string | null;
  net: Dec;
  /** The tax rate in force when the item was ordered (its order line's or its term's); default: the invoice's rate. */
  taxRate?: Dec;
  /** The unit cost and the item's cost in force when ordered (null or absent: not known), kept on the invoice line. */
  unitCost?: Dec | null;
  cost?: Dec | null;
  /**
   * Hardware: its shipment already posted its revenue to 4000 against 1190 (docs/accounting.md §3),
   * so its invoice line credits 1190, not 4000. Absent or false: the invoice credits revenue.
   */
  shipmentPosted?: boolean;
  /** The tax code stored with that rate (docs/accounting.md §11); null on items ordered before tax codes. */
  taxCode?: string | null;
  /** Usage lines (docs/consumption.md): the exact quantity used and its unit (`quantity` is 1). */
  usageQuantity?: Dec | null;
  usageUnit?: string | null;
}

export interface PricedLine extends BillableItem {
  lineNo: number;
  taxRate: Dec;
  tax: Dec;
  gross: Dec;
}

export type InvoiceTotals = Record<CreditLine | 'all', Amounts>;

const zero = (): Amounts => ({ net: new Dec(0), tax: new Dec(0), gross: new Dec(0) });

/** docs/accounting.md §4: each invoice line's tax = round(net × taxRate), half-up, per line. */
export function taxOf(net: Dec, taxRate: Dec, currency: Currency): Dec {
  return roundMoney(net.times(taxRate), currency);
}

/**
 * Prices the items of one consolidated invoice: hardware lines first, then cloud, each in the
 * order given; net rounded to minor units, tax per line at the item's own rate (the rate in force
 * when it was ordered; `taxRate` only for an item that carries none), gross = net + tax.
 */
export function priceLines(items: BillableItem[], taxRate: Dec, currency: Currency): PricedLine[] {
  const ordered = [...items.filter((i) => i.creditLine === 'HARDWARE'), ...items.filter((i) => i.creditLine === 'CLOUD')];
  return ordered.map((item, i) => {
    const net = roundMoney(item.net, currency);
    const rate = item.taxRate ?? taxRate;
    const tax = taxOf(net, rate, currency);
    return { ...item, lineNo: i + 1, taxRate: rate, net, tax, gross: net.plus(tax) };
  });
}

/** Subtotal, tax and total per credit line and overall: exact sums of the (rounded) lines. */
export function invoiceTotals(lines: Array<{ creditLine: CreditLine; net: Dec; tax: Dec; gross: Dec }>): InvoiceTotals {
  const t: InvoiceTotals = { HARDWARE: zero(), CLOUD: zero(), all: zero() };
  for (const l of lines) {
    for (const key of [l.creditLine, 'all'] as const) {
      t[key] = {
        net: t[key].net.plus(l.net),
        tax: t[key].tax.plus(l.tax),
        gross: t[key].gross.plus(l.gross),
      };
    }
  }
  return t;
}

/**
 * The net of the hardware lines whose revenue their shipment posted: what the invoice credits to
 * 1190 (unbilled receivables) instead of 4000 (docs/accounting.md §3).
 */
/**
 * The net of the usage lines: their revenue was posted as the usage was rated (1190 / 4100), so the
 * invoice credits it to 1190, not to deferred revenue (docs/consumption.md, "Books").
 */
export function usageNet(lines: Array<{ sourceType: string; net: Dec }>): Dec {
  return lines.reduce((s, l) => (l.sourceType === 'usage' ? s.plus(l.net) : s), new Dec(0));
}

export function shippedNet(lines: Array<{ creditLine: CreditLine; net: Dec; shipmentPosted?: boolean }>): Dec {
  return lines.reduce((s, l) => (l.creditLine === 'HARDWARE' && l.shipmentPosted ? s.plus(l.net) : s), new Dec(0));
}

/** Net of the lines a credit note may still credit (positive lines only). */
export function creditableNet(lines: Array<{ net: Dec }>): Dec {
  return lines.reduce((s, l) => (l.net.gt(0) ? s.plus(l.net) : s), new Dec(0));
}

export type CreditCheck = { ok: true; net: Dec; tax: Dec } | { ok: false; creditableNet: Dec };

/**
 * Credits `amount` (net) on an invoice line: never more than the line's net not yet credited.
 * Tax at the invoice's rate, rounded half-up; crediting the rest of the line credits exactly the
 * rest of its tax, so a fully credited line leaves nothing behind.
 */
export function creditLineAmounts(
  line: { net: Dec; tax: Dec; creditedNet: Dec; creditedTax: Dec },
  amount: Dec,
  taxRate: Dec,
  currency: Currency,
): CreditCheck {
  const remainingNet = Dec.max(line.net.minus(line.creditedNet), 0);
  const remainingTax = Dec.max(line.tax.minus(line.creditedTax), 0);
  if (!amount.gt(0) || amount.gt(remainingNet)) return { ok: false, creditableNet: remainingNet };
  if (amount.eq(remainingNet)) return { ok: true, net: amount, tax: remainingTax };
  return { ok: true, net: amount, tax: Dec.min(taxOf(amount, taxRate, currency), remainingTax) };
}

/**
 * Splits an amount paid on an invoice across its credit lines pro rata to their open amounts
 * (docs/accounting.md §4): each line but the largest gets its share rounded half-up to minor units, the
 * largest takes the rest (the rounding difference). Never more than a line's open amount; what
 * exceeds the total open amount is returned as `leftover`. Lines with nothing open get nothing.
 */
export function splitProRata(
  amount: Dec,
  open: Partial<Record<CreditLine, Dec>>,
  currency: Currency,
): { parts: Record<CreditLine, Dec>; leftover: Dec } {
  const parts: Record<CreditLine, Dec> = { HARDWARE: new Dec(0), CLOUD: new Dec(0) };
  const weights = CREDIT_LINES.map((l) => ({ line: l, open: Dec.max(open[l] ?? 0, 0) })).filter((w) => w.open.gt(0));
  const total = weights.reduce((s, w) => s.plus(w.open), new Dec(0));
  if (!amount.gt(0) || total.isZero()) return { parts, leftover: Dec.max(amount, 0) };
  if (amount.gte(total)) {
    for (const w of weights) parts[w.line] = w.open;
    return { parts, leftover: amount.minus(total) };
  }
  // Largest open amount first (ties: HARDWARE); it absorbs the rounding difference.
  const [largest, ...others] = [...weights].sort((a, b) => b.open.comparedTo(a.open));
  let given = new Dec(0);
  for (const w of others) {
    parts[w.line] = Dec.min(roundMoney(amount.times(w.open).div(total), currency), w.open);
    given = given.plus(parts[w.line]);
  }
  parts[largest.line] = amount.minus(given);
  return { parts, leftover: new Dec(0) };
}

/**
 * What is due on an invoice: gross − payments − credit notes − credits applied, i.e. the sum of its
 * open amounts per credit line (a negative side is a credit that lowers it), never negative: an
 * invoice whose open amounts sum below zero owes nothing and holds a credit (creditBalance).
 */
export function amountDue(open: Partial<Record<CreditLine, Dec>>): Dec {
  return Dec.max(
    CREDIT_LINES.reduce((s, l) => s.plus(open[l] ?? 0), new Dec(0)),
    0,
  );
}

/** The unused credit an invoice still holds (its open amounts' sum below zero), else 0. */
export function creditBalance(open: Partial<Record<CreditLine, Dec>>): Dec {
  return Dec.max(
    CREDIT_LINES.reduce((s, l) => s.minus(open[l] ?? 0), new Dec(0)),
    0,
  );
}

/** INV-2026-000001: six digits at least, more when a year needs them. */
export function documentNumber(series: 'INV' | 'CN', year: number, seq: number): string {
  const digits = String(seq);
  return `${series}-${year}-${digits.padStart(Math.max(6, digits.length), '0')}`;
}

export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** Bucket of an open amount by days past due (≤ 0: not yet due). */
export function agingBucket(daysPastDue: number): AgingBucket {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return '1-30';
  if (daysPastDue <= 60) return '31-60';
  if (daysPastDue <= 90) return '61-90';
  return '90+';
}

/** Is a line overdue enough for a hold: more than `days` days past its due date. */
export function holdDue(daysPastDue: number, days: number): boolean {
  return daysPastDue > days;
}
