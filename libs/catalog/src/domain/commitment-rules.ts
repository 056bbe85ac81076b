import { Currency, Dec, FieldError, roundMoney } from '#disty/core';
import { BillingFrequency, Term } from './product-rules';

/** The packs the catalog seeds (docs/commitments.md); products reference one by code. */
export const COMMITMENT_PACKS = ['NCE_LIKE', 'NO_COMMITMENT'] as const;
export type CommitmentPackCode = (typeof COMMITMENT_PACKS)[number];
export const DEFAULT_COMMITMENT_PACK: CommitmentPackCode = 'NO_COMMITMENT';

/** A product's commitment rules, as the subscription change flow enforces them. */
export interface CommitmentRules {
  code: string;
  name: string;
  /** Hours after a purchase, renewal or seat addition in which seats may decrease or the subscription be cancelled; null: any time. */
  windowHours: number | null;
  priceLock: boolean;
  autoRenewDefault: boolean;
  allowedTerms: Term[];
  allowedBillingFrequencies: BillingFrequency[];
  /** How much above the product's listed term price a month-to-month (P1M) term costs when the product is listed on a longer term (termListPrice). */
  monthlyUpliftPercent: string;
}

/** A product's own term and billing frequency must be ones its pack allows. */
export function commitmentProblems(
  rules: Pick<CommitmentRules, 'code' | 'allowedTerms' | 'allowedBillingFrequencies'>,
  p: { term?: Term | null; billingFrequency?: BillingFrequency | null },
): FieldError[] {
  const errors: FieldError[] = [];
  if (p.term != null && !rules.allowedTerms.includes(p.term)) {
    errors.push({
      field: 'term',
      message: `${p.term} is not allowed by commitment pack ${rules.code} (allowed: ${rules.allowedTerms.join(', ')})`,
    });
  }
  if (p.billingFrequency != null && !rules.allowedBillingFrequencies.includes(p.billingFrequency)) {
    errors.push({
      field: 'billingFrequency',
      message: `${p.billingFrequency} is not allowed by commitment pack ${rules.code} (allowed: ${rules.allowedBillingFrequencies.join(', ')})`,
    });
  }
  return errors;
}

/**
 * The monthly unit price (or cost) of a subscription term: the catalog's price for the product's
 * own term; a month-to-month (P1M) term of a product listed on a longer term costs the pack's
 * monthly uplift more (NCE-like: +20 %), rounded to the currency's minor unit (docs/commitments.md,
 * "Pricing by term"). The vendor charges the uplift too, so cost takes it as well.
 */
export function termListPrice(
  listed: Dec,
  currency: Currency,
  productTerm: Term | null,
  term: Term,
  monthlyUpliftPercent: string | Dec,
): Dec {
  const uplift = new Dec(monthlyUpliftPercent);
  if (term !== 'P1M' || productTerm == null || productTerm === 'P1M' || uplift.isZero()) return listed;
  return roundMoney(listed.times(uplift.plus(100)).div(100), currency);
}
