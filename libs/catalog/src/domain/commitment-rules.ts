import { FieldError } from '@disty/core';
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
  /** Information only: how much above annual the monthly list price is meant to be (not applied to prices). */
  monthlyUpliftPercent: string;
}

/** A product's own term and billing frequency must be ones its pack allows. */
export function commitmentProblems(
  rules: Pick<CommitmentRules, 'code' | 'allowedTerms' | 'allowedBillingFrequencies'>,
  p: { term?: Term | null; billingFrequency?: BillingFrequency | null },
): FieldError[] {
  const errors: FieldError[] = [];
  if (p.term != null && !rules.allowedTerms.includes(p.term)) {
    errors.push({ field: 'term', message: `${p.term} is not allowed by commitment pack ${rules.code} (allowed: ${rules.allowedTerms.join(', ')})` });
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
 * When a commitment window closes: `windowHours` after the latest anchor (purchase, current term's
 * start, latest seat addition). Null when the rules have no window.
 */
export function windowClosesAt(windowHours: number | null, anchors: Date[]): Date | null {
  if (windowHours == null || !anchors.length) return null;
  const latest = Math.max(...anchors.map((a) => a.getTime()));
  return new Date(latest + windowHours * 3_600_000);
}
