import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { Currency, IsCalendarDate } from '#disty/core';
import { AGING_BUCKETS, AgingBucket } from '../domain/invoice-math';

export const STATEMENT_LINE_TYPES = [
  'INVOICE',
  'CREDIT_NOTE',
  'PAYMENT',
  'PAYMENT_APPLICATION',
  'CREDIT_APPLICATION',
  'REFUND',
  'WRITE_OFF',
  'OTHER',
] as const;
export type StatementLineType = (typeof STATEMENT_LINE_TYPES)[number];

export class StatementQueryDto {
  @ApiPropertyOptional({
    example: '2026-01-01',
    description: 'First day (default: the first day of the month of `to`)',
  })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({
    example: '2026-01-31',
    description: 'Last day, and the date of the aging (default: today)',
  })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class StatementLineView {
  @ApiProperty() date: string;
  @ApiProperty({ enum: STATEMENT_LINE_TYPES }) type: StatementLineType;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The document number (invoice, credit note; the invoice of a write-off)',
  })
  reference: string | null;
  @ApiProperty() description: string;
  @ApiProperty({ description: 'The ledger source of the movement' }) sourceType: string;
  @ApiProperty() sourceId: string;
  @ApiProperty({ description: 'Raises what the reseller owes' }) debit: string;
  @ApiProperty({ description: 'Lowers what the reseller owes' }) credit: string;
  @ApiProperty({
    description: 'Running balance: what the reseller owes after this line (negative: in credit)',
  })
  balance: string;
}

export class StatementAgingView {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: `Open invoice amounts as of \`to\` per bucket: ${AGING_BUCKETS.join(', ')} days past due`,
  })
  buckets: Record<AgingBucket, string>;
  @ApiProperty() total: string;
}

export class StatementCurrencyView {
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty({
    description: 'What the reseller owed at the start of `from` (receivables less unapplied cash)',
  })
  openingBalance: string;
  @ApiProperty({ type: [StatementLineView] }) lines: StatementLineView[];
  @ApiProperty({ description: 'openingBalance + Σ debit − Σ credit' }) closingBalance: string;
  @ApiProperty({ type: StatementAgingView }) aging: StatementAgingView;
}

export class StatementView {
  @ApiProperty() resellerId: string;
  @ApiProperty() resellerName: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({
    type: [StatementCurrencyView],
    description: 'One statement per currency the reseller has moved in',
  })
  currencies: StatementCurrencyView[];
}
