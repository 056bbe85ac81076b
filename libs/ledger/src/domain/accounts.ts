import { CreditLine } from '#disty/core';

/** The chart of accounts' codes (docs/accounting.md §2): the contract other modules post against; the one set of account constants. */
export const AccountCode = {
  Cash: '1000',
  StripeClearing: '1050',
  ReceivablesHardware: '1100',
  ReceivablesCloud: '1110',
  UnbilledReceivables: '1190',
  TaxReceivable: '1300',
  AccountsPayable: '2000',
  AccruedVendorCosts: '2050',
  TaxPayable: '2100',
  UnappliedCash: '2200',
  DeferredRevenue: '2400',
  CollectionsHeld: '2500',
  RetainedEarnings: '3000',
  RevenueHardware: '4000',
  RevenueCloud: '4100',
  FeeRevenue: '4200',
  CreditNotes: '4900',
  CostOfGoodsSold: '5000',
  CostOfCloud: '5100',
  PurchasePriceVariance: '5900',
  ProcessingFees: '6100',
  BadDebts: '6200',
  FxRealised: '7100',
  FxUnrealised: '7150',
} as const;
export type AccountCode = (typeof AccountCode)[keyof typeof AccountCode];

/** Each credit line's receivables account: hardware → 1100, cloud → 1110 (docs/accounting.md §2). */
export const AR_ACCOUNT: Record<CreditLine, '1100' | '1110'> = {
  HARDWARE: AccountCode.ReceivablesHardware,
  CLOUD: AccountCode.ReceivablesCloud,
};
/** Each credit line's revenue account: hardware → 4000, cloud → 4100. */
export const REVENUE_ACCOUNT: Record<CreditLine, '4000' | '4100'> = {
  HARDWARE: AccountCode.RevenueHardware,
  CLOUD: AccountCode.RevenueCloud,
};

/** The source type of entries finance posts by hand (POST /ledger/entries); every other source is a system posting. */
export const MANUAL_SOURCE = 'manual';
/** The source type of a reversal posted by POST /ledger/entries/:id/reverse. */
export const REVERSAL_SOURCE = 'reversal';

/** `other`: foreign-exchange differences (7100, 7150), outside operating revenue and expense; debit-normal (a loss is positive). */
export type AccountType = 'asset' | 'liability' | 'equity' | 'revenue' | 'contra_revenue' | 'expense' | 'other';

/** Accounts whose balance grows with debits. */
export function isDebitNormal(type: AccountType): boolean {
  return type === 'asset' || type === 'expense' || type === 'contra_revenue' || type === 'other';
}
