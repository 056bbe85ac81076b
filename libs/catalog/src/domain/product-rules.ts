import { CreditLine, FieldError } from '#disty/core';

export const TERMS = ['P1M', 'P1Y', 'P3Y'] as const;
export type Term = (typeof TERMS)[number];
export const BILLING_FREQUENCIES = ['MONTHLY', 'ANNUAL', 'UPFRONT'] as const;
export type BillingFrequency = (typeof BILLING_FREQUENCIES)[number];

/** A SKU: letters, digits, dot, underscore, dash; 1–64 characters, starting with a letter or digit. */
export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const TERM_MONTHS: Record<Term, number> = { P1M: 1, P1Y: 12, P3Y: 36 };

export function termMonths(term: Term): number {
  return TERM_MONTHS[term];
}

/** Months one charge covers: a month, a year, or the whole term (docs/accounting.md §4). */
export function billingPeriodMonths(term: Term, frequency: BillingFrequency): number {
  if (frequency === 'MONTHLY') return 1;
  if (frequency === 'ANNUAL') return 12;
  return termMonths(term);
}

export interface ProductShape {
  kind: CreditLine;
  warrantyMonths?: number | null;
  term?: Term | null;
  billingFrequency?: BillingFrequency | null;
  extendedWarrantySku?: string | null;
}

/**
 * The fields a kind takes: hardware has warranty months (and maybe an extended-warranty SKU),
 * cloud has a term and a billing frequency whose period fits in the term.
 */
export function productShapeProblems(p: ProductShape): FieldError[] {
  const errors: FieldError[] = [];
  if (p.kind === 'HARDWARE') {
    if (p.term != null) errors.push({ field: 'term', message: 'applies to cloud products only' });
    if (p.billingFrequency != null) errors.push({ field: 'billingFrequency', message: 'applies to cloud products only' });
  } else {
    if (p.warrantyMonths != null) errors.push({ field: 'warrantyMonths', message: 'applies to hardware products only' });
    if (p.extendedWarrantySku != null) errors.push({ field: 'extendedWarrantySku', message: 'applies to hardware products only' });
    if (p.term == null) errors.push({ field: 'term', message: 'is required for cloud products (P1M, P1Y or P3Y)' });
    if (p.billingFrequency == null) {
      errors.push({
        field: 'billingFrequency',
        message: 'is required for cloud products (MONTHLY, ANNUAL or UPFRONT)',
      });
    }
    if (p.term === 'P1M' && p.billingFrequency === 'ANNUAL') {
      errors.push({
        field: 'billingFrequency',
        message: 'ANNUAL billing needs a term of at least a year (P1Y or P3Y)',
      });
    }
  }
  return errors;
}
