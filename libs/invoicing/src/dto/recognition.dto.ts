import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Currency, IsCalendarDate } from '#disty/core';
import { AsOfQueryDto } from './invoice.dto';

// ------------------------------------------------------------------ requests

export class RunRecognitionDto {
  @ApiPropertyOptional({
    example: '2026-03-31',
    description: 'Releases service days on or before this date (default: yesterday); not after today, not in a closed month',
  })
  @IsOptional()
  @IsCalendarDate()
  through?: string;
}

/** asOf (default today; the roll-forward runs from the first day of its month to it) and resellerId, as the other as-of reports. */
export class DeferredRevenueQueryDto extends AsOfQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'Also list each reseller (default false: totals per currency only)',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  byReseller?: 'true' | 'false';
}

// ------------------------------------------------------------------ responses

export class RecognitionEntryView {
  @ApiProperty() entryId: string;
  @ApiProperty({ example: '2026-03-31' }) entryDate: string;
  @ApiProperty({ description: 'The entry’s source id (source type `recognition`)' }) sourceId: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Revenue released per currency',
  })
  revenue: Record<string, string>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Cost accrued per currency',
  })
  cost: Record<string, string>;
}

export class RecognitionRunView {
  @ApiProperty() runId: string;
  @ApiProperty({ example: '2026-03-31' }) through: string;
  @ApiProperty({ description: 'Charge-month slices released by this run' }) slices: number;
  @ApiProperty({ type: [RecognitionEntryView] }) entries: RecognitionEntryView[];
}

export class ScheduleMonthView {
  @ApiProperty({ example: '2026-03' }) period: string;
  @ApiProperty({ description: 'Service days of the charge in the month' }) days: number;
  @ApiProperty({
    description: 'Revenue the month releases (recognised rows, then the projection of what is still deferred)',
  })
  amount: string;
  @ApiProperty({ description: 'Every service day of the month is recognised' }) recognised: boolean;
  @ApiProperty({ description: 'Days of the month recognised so far' }) recognisedDays: number;
  @ApiProperty() recognisedAmount: string;
  @ApiProperty({
    type: [String],
    description:
      'Source ids of the ledger entries that released it (source type `recognition`; an invoice id for days earned before deferral)',
  })
  entries: string[];
  @ApiProperty({ description: 'What stays deferred once this month is released' }) remainingDeferred: string;
}

export class ScheduleChargeView {
  @ApiProperty() chargeId: string;
  @ApiProperty() invoiceId: string;
  @ApiProperty() invoiceLineId: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty() periodStart: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty() days: number;
  @ApiProperty({ description: 'Invoiced net' }) net: string;
  @ApiProperty({ description: 'Taken from deferred revenue by credit notes' }) creditedFromDeferred: string;
  @ApiProperty() recognised: string;
  @ApiProperty({ description: 'net − creditedFromDeferred − recognised' }) deferred: string;
  @ApiProperty({ type: [ScheduleMonthView] }) months: ScheduleMonthView[];
}

export class RevenueScheduleView {
  @ApiProperty() subscriptionId: string;
  @ApiProperty({ type: [ScheduleChargeView] }) charges: ScheduleChargeView[];
}

export class DeferredRevenueRowView {
  @ApiPropertyOptional({ nullable: true, type: String }) resellerId?: string | null;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty({ description: '2400 at the start of the month (subledger)' }) opening: string;
  @ApiProperty({ description: 'Cloud net invoiced into 2400 in the period' }) invoiced: string;
  @ApiProperty({ description: 'Taken from 2400 by credit notes in the period' }) credited: string;
  @ApiProperty({ description: 'Released to 4100 by recognition in the period' }) released: string;
  @ApiProperty({ description: 'opening + invoiced − credited − released' }) closing: string;
  @ApiProperty({ description: '2400’s ledger balance as of asOf' }) ledgerClosing: string;
  @ApiProperty({ description: 'ledgerClosing − closing (zero when the books agree)' }) difference: string;
}

export class DeferredRevenueReportView {
  @ApiProperty({ example: '2026-03-01' }) from: string;
  @ApiProperty({ example: '2026-03-31' }) asOf: string;
  @ApiProperty({ type: [DeferredRevenueRowView] }) totals: DeferredRevenueRowView[];
  @ApiPropertyOptional({ type: [DeferredRevenueRowView] }) resellers?: DeferredRevenueRowView[];
}
