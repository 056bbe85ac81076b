/** The chart of accounts' codes (DESIGN §5): the contract other modules post against. */
export const AccountCode = {
  Cash: '1000',
  StripeClearing: '1050',
  ReceivablesHardware: '1100',
  ReceivablesCloud: '1110',
  TaxPayable: '2100',
  UnappliedCash: '2200',
  RevenueHardware: '4000',
  RevenueCloud: '4100',
  CreditNotes: '4900',
  ProcessingFees: '6100',
} as const;

export type AccountType = 'asset' | 'liability' | 'equity' | 'revenue' | 'contra_revenue' | 'expense';

/** Accounts whose balance grows with debits. */
export function isDebitNormal(type: AccountType): boolean {
  return type === 'asset' || type === 'expense' || type === 'contra_revenue';
}
