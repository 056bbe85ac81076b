import { ApiProperty } from '@nestjs/swagger';
import { CURRENCIES, Currency } from '#disty/core';
import type { AccountType } from '../domain/accounts';
import { JournalEntryView, JournalSourceView } from './journal-entry.dto';

/** Response shapes of the ledger's HTTP API (docs/accounting.md); the services return these shapes. */
const ACCOUNT_TYPES: AccountType[] = ['asset', 'liability', 'equity', 'revenue', 'contra_revenue', 'expense', 'other'];

export class AccountView {
  @ApiProperty({ example: '1100' }) code: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ACCOUNT_TYPES }) type: AccountType;
  @ApiProperty({ description: 'A control account moves only through its documents, never by a manual entry' })
  control: boolean;
}

export class AccountListView {
  @ApiProperty({ type: [AccountView] }) items: AccountView[];
}

export class AccountStatementLineView {
  @ApiProperty() entryId: string;
  @ApiProperty() entryDate: string;
  @ApiProperty() memo: string;
  @ApiProperty({ type: JournalSourceView }) source: JournalSourceView;
  @ApiProperty({ type: String, nullable: true }) resellerId: string | null;
  @ApiProperty() debit: string;
  @ApiProperty() credit: string;
  @ApiProperty({ description: 'Running balance in the account’s normal direction' }) balance: string;
}

export class AccountStatementView {
  @ApiProperty() accountCode: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ACCOUNT_TYPES }) type: AccountType;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ type: String, nullable: true }) from: string | null;
  @ApiProperty({ type: String, nullable: true }) to: string | null;
  @ApiProperty({ type: String, nullable: true }) resellerId: string | null;
  @ApiProperty() openingBalance: string;
  @ApiProperty({ type: [AccountStatementLineView], description: 'At most 10 000 lines' })
  lines: AccountStatementLineView[];
  @ApiProperty() closingBalance: string;
}

export class FindingAmountView {
  @ApiProperty() currency: string;
  @ApiProperty() amount: string;
}

export class PeriodCloseFindingView {
  @ApiProperty({ example: 'shipped-not-invoiced', description: 'Which month-end check found it' })
  check: string;
  @ApiProperty() message: string;
  @ApiProperty({ type: 'integer' }) count: number;
  @ApiProperty({ type: [FindingAmountView], description: 'Totals per currency' })
  amounts: FindingAmountView[];
  @ApiProperty({
    type: 'array',
    description: 'Up to 50 examples (ids and amounts)',
    items: {
      type: 'object',
      additionalProperties: { oneOf: [{ type: 'string', nullable: true }, { type: 'number' }] },
    },
  })
  items: Array<Record<string, string | number | null>>;
}

export class PeriodCloseReportView {
  @ApiProperty({ example: '2026-10' }) period: string;
  @ApiProperty() closed: boolean;
  @ApiProperty({ type: [PeriodCloseFindingView] }) findings: PeriodCloseFindingView[];
}

export class ClosedPeriodView {
  @ApiProperty({ example: '2026-10' }) period: string;
  @ApiProperty({ enum: [true] }) closed: true;
  @ApiProperty() closedAt: string;
  @ApiProperty() forced: boolean;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: [PeriodCloseFindingView] }) findings: PeriodCloseFindingView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The year-end entry to retained earnings (December closes only)',
  })
  yearEndEntryId: string | null;
}

export class ClosedPeriodListView {
  @ApiProperty({ type: [ClosedPeriodView] }) items: ClosedPeriodView[];
}

export class RevaluationLineView {
  @ApiProperty() accountCode: string;
  @ApiProperty({ type: String, nullable: true }) resellerId: string | null;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() balance: string;
  @ApiProperty() rate: string;
  @ApiProperty() baseBefore: string;
  @ApiProperty() baseAfter: string;
  @ApiProperty() difference: string;
}

export class RevaluationResultView {
  @ApiProperty() asOf: string;
  @ApiProperty({ enum: CURRENCIES }) reportingCurrency: Currency;
  @ApiProperty({
    description: 'false when this month end was revalued before (the same entry is returned) or nothing needed it',
  })
  created: boolean;
  @ApiProperty({ type: JournalEntryView, nullable: true }) entry: JournalEntryView | null;
  @ApiProperty({ type: [RevaluationLineView] }) lines: RevaluationLineView[];
}
