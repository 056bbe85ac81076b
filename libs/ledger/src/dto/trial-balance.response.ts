import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CURRENCIES, Currency } from '#disty/core';
import { AccountType } from '../domain/accounts';

const ACCOUNT_TYPES: readonly AccountType[] = ['asset', 'liability', 'equity', 'revenue', 'contra_revenue', 'expense', 'other'];

/** GET /ledger/trial-balance as the API documents it (the shape LedgerService.trialBalance returns). */
export class TrialBalanceRowView {
  @ApiProperty({ example: '1100' }) accountCode: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ACCOUNT_TYPES }) type: AccountType;
  @ApiProperty({ example: '1100.00' }) debit: string;
  @ApiProperty({ example: '0.00' }) credit: string;
  @ApiProperty({ example: '1100.00', description: 'On the account’s normal side' }) balance: string;
}

export class TrialBalanceTotalsView {
  @ApiProperty() debit: string;
  @ApiProperty() credit: string;
}

export class TrialBalanceView {
  @ApiProperty({ example: '2026-11-25' }) asOf: string;
  @ApiProperty({ enum: [...CURRENCIES, 'BASE'] }) currency: Currency | 'BASE';
  @ApiPropertyOptional({
    enum: CURRENCIES,
    description: 'With currency=BASE: the reporting currency the amounts are in',
  })
  reportingCurrency?: Currency;
  @ApiProperty({ type: [TrialBalanceRowView] }) rows: TrialBalanceRowView[];
  @ApiProperty({ type: TrialBalanceTotalsView }) totals: TrialBalanceTotalsView;
  @ApiProperty() balanced: boolean;
}
