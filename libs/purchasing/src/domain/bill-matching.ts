// Matching a vendor bill to accrued costs, and the bill's posting (docs/accounting.md §3, "vendor bills").
// Pure: no Nest, no SQL, so the property tests can hammer it.
import { Currency, Dec, roundMoney } from '#disty/core';
import { AccountCode } from '#disty/ledger';

/** An unmatched accrual the bill may match (cost_accruals row). */
export interface AccrualCandidate {
  id: string;
  sku: string;
  resellerId: string | null;
  accruedOn: string;
  quantity: Dec;
  amount: Dec;
}

export interface BillLineInput {
  sku: string | null;
  quantity: Dec;
  unitCost: Dec;
  tax: Dec;
  allowUnmatched: boolean;
}

export interface MatchedLine {
  net: Dec;
  tax: Dec;
  gross: Dec;
  matched: AccrualCandidate[];
  matchedQuantity: Dec;
  matchedAmount: Dec;
  /** net − matchedAmount: what the bill costs more (+) or less (−) than was accrued; to 5900. */
  variance: Dec;
}

export interface BillMatch {
  lines: MatchedLine[];
  /** Indexes of lines that matched nothing and do not allow it (422 unmatched-bill-line). */
  unmatched: number[];
  net: Dec;
  tax: Dec;
  gross: Dec;
  matched: Dec;
  variance: Dec;
}

/** Oldest first: accrual date, then id (a total order, also the lock order). */
export function byAge(a: AccrualCandidate, b: AccrualCandidate): number {
  return a.accruedOn < b.accruedOn ? -1 : a.accruedOn > b.accruedOn ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Matches each line with a SKU to the candidates of that SKU (the vendor's unmatched accruals in
 * the bill's currency, of the bill date's month and earlier), oldest first, whole accruals only:
 * an accrual is taken when its quantity still fits in what the line has left to match, and skipped
 * otherwise (a later, smaller one may fit). Lines are matched in order; an accrual is matched by at
 * most one line. A line's net is quantity × unitCost rounded to the currency; its variance is net −
 * the accrued amounts it matched. A line matching nothing (no SKU, or no accrual fits) is listed in
 * `unmatched` unless it allows it, in which case its whole net is variance.
 */
export function matchBill(lines: BillLineInput[], candidates: AccrualCandidate[], currency: Currency): BillMatch {
  const pool = [...candidates].sort(byAge);
  const taken = new Set<string>();
  const out: MatchedLine[] = [];
  const unmatched: number[] = [];
  lines.forEach((line, i) => {
    const net = roundMoney(line.quantity.times(line.unitCost), currency);
    const matched: AccrualCandidate[] = [];
    let left = line.quantity;
    if (line.sku) {
      for (const a of pool) {
        if (!left.gt(0)) break;
        if (a.sku !== line.sku || taken.has(a.id) || a.quantity.gt(left)) continue;
        matched.push(a);
        taken.add(a.id);
        left = left.minus(a.quantity);
      }
    }
    const matchedQuantity = sum(matched.map((a) => a.quantity));
    const matchedAmount = sum(matched.map((a) => a.amount));
    if (!matched.length && !line.allowUnmatched) unmatched.push(i);
    out.push({
      net,
      tax: line.tax,
      gross: net.plus(line.tax),
      matched,
      matchedQuantity,
      matchedAmount,
      variance: net.minus(matchedAmount),
    });
  });
  return {
    lines: out,
    unmatched,
    net: sum(out.map((l) => l.net)),
    tax: sum(out.map((l) => l.tax)),
    gross: sum(out.map((l) => l.gross)),
    matched: sum(out.map((l) => l.matchedAmount)),
    variance: sum(out.map((l) => l.variance)),
  };
}

/** A ledger line of the bill's entry (reseller null: not a reseller's). */
export interface BillPostingLine {
  accountCode: string;
  resellerId: string | null;
  currency: Currency;
  debit?: Dec;
  credit?: Dec;
}

/**
 * The bill's one entry: debit 2050 with the matched accruals, per the accruals' reseller (so each
 * reseller's 2050 balance still equals its unmatched accruals); 5900 with each line's variance,
 * shared among the resellers of the accruals it matched in proportion to their amounts (a line
 * matching nothing: no reseller), a negative variance as a credit; 1300 the tax; credit 2000 the
 * gross. Zero amounts give no line.
 */
export function billPosting(match: BillMatch, currency: Currency): BillPostingLine[] {
  const accrued = new Map<string | null, Dec>();
  const variance = new Map<string | null, Dec>();
  const add = (m: Map<string | null, Dec>, k: string | null, v: Dec) => m.set(k, (m.get(k) ?? new Dec(0)).plus(v));
  for (const line of match.lines) {
    for (const a of line.matched) add(accrued, a.resellerId, a.amount);
    for (const [reseller, part] of shareByReseller(line, currency)) add(variance, reseller, part);
  }
  const side = (accountCode: string, resellerId: string | null, amount: Dec): BillPostingLine[] =>
    amount.isZero()
      ? []
      : [
          amount.gt(0)
            ? { accountCode, resellerId, currency, debit: amount }
            : { accountCode, resellerId, currency, credit: amount.negated() },
        ];
  return [
    ...[...accrued].flatMap(([r, amount]) => side(AccountCode.AccruedVendorCosts, r, amount)),
    ...[...variance].flatMap(([r, amount]) => side(AccountCode.PurchasePriceVariance, r, amount)),
    ...side(AccountCode.TaxReceivable, null, match.tax),
    ...side(AccountCode.AccountsPayable, null, match.gross.negated()),
  ];
}

/**
 * A line's variance split among the resellers of its matched accruals, pro rata to their matched
 * amounts: each share but the largest rounded to the currency, the largest taking the rest, so the
 * shares add up to the variance exactly. No match (or nothing matched of any amount): all to no reseller.
 */
export function shareByReseller(line: MatchedLine, currency: Currency): Map<string | null, Dec> {
  const weights = new Map<string | null, Dec>();
  for (const a of line.matched) weights.set(a.resellerId, (weights.get(a.resellerId) ?? new Dec(0)).plus(a.amount));
  const total = sum([...weights.values()]);
  if (line.variance.isZero()) return new Map();
  if (!weights.size || !total.gt(0)) return new Map([[null, line.variance]]);
  const entries = [...weights].sort((a, b) => b[1].comparedTo(a[1]) || String(a[0]).localeCompare(String(b[0])));
  const out = new Map<string | null, Dec>();
  let rest = line.variance;
  for (const [reseller, w] of entries.slice(1)) {
    const part = roundMoney(line.variance.times(w).dividedBy(total), currency);
    out.set(reseller, part);
    rest = rest.minus(part);
  }
  out.set(entries[0][0], rest);
  return out;
}

export function sum(xs: Dec[]): Dec {
  return xs.reduce((s, x) => s.plus(x), new Dec(0));
}
