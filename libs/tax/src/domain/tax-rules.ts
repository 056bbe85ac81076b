// Pure tax-code choice (docs/accounting.md §11): which rule applies to a line, and which codes a rule may name.

export const TAX_CATEGORIES = ['STANDARD', 'ZERO_RATED', 'EXEMPT'] as const;
export type TaxCategory = (typeof TAX_CATEGORIES)[number];

export const TAX_KINDS = ['STANDARD', 'ZERO', 'EXEMPT', 'REVERSE_CHARGE'] as const;
export type TaxKind = (typeof TAX_KINDS)[number];

/** The member states of the European Union (ISO 3166-1 alpha-2), for rules and codes of the `EU` jurisdiction. */
export const EU_MEMBERS: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
]);

/** A rule's buyer: an ISO country, `EU` (any member state) or `*` (any country). */
export const ANY_COUNTRY = '*';
export const EU = 'EU';

export interface TaxBuyer {
  country: string;
  registered: boolean;
}

export interface RuleCandidate {
  taxCategory: string;
  buyerCountry: string;
  buyerRegistered: boolean | null;
}

/** How specifically `rule` names `buyer`: null when it does not apply; higher wins. */
export function ruleSpecificity(rule: RuleCandidate, buyer: TaxBuyer): number | null {
  let country: number;
  if (rule.buyerCountry === buyer.country) country = 2;
  else if (rule.buyerCountry === EU && EU_MEMBERS.has(buyer.country)) country = 1;
  else if (rule.buyerCountry === ANY_COUNTRY) country = 0;
  else return null;
  if (rule.buyerRegistered !== null && rule.buyerRegistered !== buyer.registered) return null;
  return country * 2 + (rule.buyerRegistered === null ? 0 : 1);
}

/**
 * The rule for a line of `category` sold to `buyer`: the most specific applicable one (the
 * buyer's country over `EU` over `*`; a stated registration over either). Null when none applies.
 */
export function pickRule<R extends RuleCandidate>(rules: R[], category: string, buyer: TaxBuyer): R | null {
  let best: R | null = null;
  let bestScore = -1;
  for (const r of rules) {
    if (r.taxCategory !== category) continue;
    const s = ruleSpecificity(r, buyer);
    if (s !== null && s > bestScore) {
      best = r;
      bestScore = s;
    }
  }
  return best;
}

/**
 * Whether a code of `jurisdiction` and `kind` may be charged to buyers of `buyerCountry` (a rule's
 * buyer) by a seller in `seller`: a STANDARD or REVERSE_CHARGE code only inside its own
 * jurisdiction (a country, or the EU for its members); a ZERO or EXEMPT code also in the seller's
 * jurisdiction (exports, exempt supplies), for any buyer.
 */
export function codeFitsBuyer(code: { jurisdiction: string; kind: TaxKind }, buyerCountry: string, seller: string): boolean {
  const inJurisdiction =
    code.jurisdiction === buyerCountry || (code.jurisdiction === EU && (buyerCountry === EU || EU_MEMBERS.has(buyerCountry)));
  if (inJurisdiction) return true;
  return (code.kind === 'ZERO' || code.kind === 'EXEMPT') && code.jurisdiction === seller;
}

/** Whether a code is in force on `date` (YYYY-MM-DD; both ends inclusive). */
export function inForce(code: { validFrom: string; validTo: string | null }, date: string): boolean {
  return code.validFrom <= date && (code.validTo === null || date <= code.validTo);
}
