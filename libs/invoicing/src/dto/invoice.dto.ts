import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { AmountsView, CREDIT_LINES, CreditLine, Currency, IsCalendarDate, IsMoneyString, PageQueryDto } from '#disty/core';
import { AGING_BUCKETS, AgingBucket } from '../domain/invoice-math';

export const INVOICE_STATUSES = ['ISSUED', 'PARTIALLY_PAID', 'PAID', 'CREDITED', 'WRITTEN_OFF'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
/** ADJUSTMENT: goodwill and corrections (POST /invoices/:id/credit-notes); SERVICE_CHANGE: service not provided (a back-dated change). */
export const CREDIT_NOTE_KINDS = ['ADJUSTMENT', 'SERVICE_CHANGE'] as const;
export type CreditNoteKind = (typeof CREDIT_NOTE_KINDS)[number];
export const BILLING_RUN_STATUSES = ['RUNNING', 'COMPLETED', 'FAILED'] as const;
export type BillingRunStatus = (typeof BILLING_RUN_STATUSES)[number];

// ------------------------------------------------------------------ requests

export class StartBillingRunDto {
  @ApiProperty({
    example: '2026-01-31',
    description: 'Bills everything billable on or before this date; it is also the invoices’ issue date',
  })
  @IsCalendarDate()
  periodEnd: string;
}

/** A page of a reseller's documents issued in a window: what invoice and credit-note lists share. */
class IssuedDocumentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Distributor staff only; reseller users always see their own' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiPropertyOptional({ example: '2026-01-01', description: 'Issued on or after' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'Issued on or before' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class InvoiceQueryDto extends IssuedDocumentQueryDto {
  @ApiPropertyOptional({ enum: INVOICE_STATUSES })
  @IsOptional()
  @IsIn(INVOICE_STATUSES)
  status?: InvoiceStatus;
}

export class CreditNoteLineDto {
  @ApiProperty()
  @IsUUID()
  invoiceLineId: string;

  @ApiProperty({
    example: '100.00',
    description: 'Net amount to credit (tax is added at the invoice’s rate)',
  })
  @IsMoneyString({ maxDecimals: 2 })
  amount: string;
}

export class CreateCreditNoteDto {
  @ApiProperty({ type: [CreditNoteLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => CreditNoteLineDto)
  lines: CreditNoteLineDto[];

  @ApiProperty({ example: 'Damaged on arrival' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}

export class CreditNoteQueryDto extends IssuedDocumentQueryDto {
  @ApiPropertyOptional({ description: 'Credit notes on this invoice' })
  @IsOptional()
  @IsUUID()
  invoiceId?: string;
}

export class AsOfQueryDto {
  @ApiPropertyOptional({ example: '2026-03-31', description: 'Default: today' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  @ApiPropertyOptional({ description: 'Limit to one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

// ------------------------------------------------------------------ responses

export class InvoiceTotalsView {
  @ApiProperty({ type: AmountsView }) HARDWARE: AmountsView;
  @ApiProperty({ type: AmountsView }) CLOUD: AmountsView;
  @ApiProperty({ type: AmountsView }) all: AmountsView;
}

export class SourceView {
  @ApiProperty({ enum: ['order_line', 'subscription_charge'] }) type: string;
  @ApiProperty() id: string;
}

export class UsageLineView {
  @ApiProperty({ example: '744.5' }) quantity: string;
  @ApiProperty({ example: 'hour' }) unit: string;
  @ApiProperty({
    example: '0.0912',
    description: 'Average price of one unit over the period (net ÷ quantity); tiers make it vary',
  })
  unitPrice: string;
}

export class InvoiceLineView {
  @ApiProperty() id: string;
  @ApiProperty() description: string;
  @ApiProperty() sku: string;
  @ApiProperty({ enum: CREDIT_LINES }) creditLine: CreditLine;
  @ApiProperty() quantity: number;
  @ApiProperty({ nullable: true, type: String }) periodStart: string | null;
  @ApiProperty({ nullable: true, type: String }) periodEnd: string | null;
  @ApiProperty() net: string;
  @ApiProperty() tax: string;
  @ApiProperty() gross: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'GST',
    description: 'The tax code stored on the line when it was ordered or renewed (null before tax codes)',
  })
  taxCode: string | null;
  @ApiProperty({
    example: '0.10',
    description: 'The rate stored with that code: the line’s tax is round(net × rate)',
  })
  taxRate: string;
  @ApiProperty({ description: 'Net credited by credit notes so far' }) creditedNet: string;
  @ApiProperty({ type: SourceView }) source: SourceView;
  @ApiPropertyOptional({
    type: UsageLineView,
    description: 'Usage lines only (source type usage): what was used',
  })
  usage?: UsageLineView;
}

export class OpenAmountsView {
  @ApiProperty() HARDWARE: string;
  @ApiProperty() CLOUD: string;
}

export class InvoiceSummaryView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'INV-2026-000001' }) number: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() resellerName: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty() issueDate: string;
  @ApiProperty() dueDate: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty({ enum: INVOICE_STATUSES }) status: InvoiceStatus;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The lines’ rate when they share one, else null (each line carries its own code and rate)',
  })
  taxRate: string | null;
  @ApiProperty({ type: InvoiceTotalsView }) totals: InvoiceTotalsView;
  @ApiProperty() amountPaid: string;
  @ApiProperty({ description: 'Credited by credit notes on this invoice' }) amountCredited: string;
  @ApiProperty({
    description: 'Credits of other invoices (proration and cancellation credits) applied to this one',
  })
  creditsApplied: string;
  @ApiProperty({ description: "This invoice's own credit used on other invoices or refunded" })
  creditUsed: string;
  @ApiProperty({ description: 'Written off as bad debt (POST /invoices/:id/write-off)' })
  amountWrittenOff: string;
  @ApiProperty({
    description: 'What is still due: gross − amountPaid − amountCredited − creditsApplied − amountWrittenOff, never negative',
  })
  amountDue: string;
  @ApiProperty({ description: 'Credit this invoice still holds (a negative total not yet used or refunded)' })
  creditBalance: string;
  @ApiProperty({ type: OpenAmountsView, description: 'Open amount per credit line' }) open: OpenAmountsView;
  @ApiProperty({ nullable: true, type: String }) billingRunId: string | null;
}

export class InvoiceView extends InvoiceSummaryView {
  @ApiProperty({ type: [InvoiceLineView] }) lines: InvoiceLineView[];
  @ApiProperty({ type: () => [CreditNoteView] }) creditNotes: CreditNoteView[];
}

export class CreditNoteLineView {
  @ApiProperty() invoiceLineId: string;
  @ApiProperty({ enum: CREDIT_LINES }) creditLine: CreditLine;
  @ApiProperty() net: string;
  @ApiProperty() tax: string;
  @ApiProperty() gross: string;
}

export class CreditNoteView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'CN-2026-000001' }) number: string;
  @ApiProperty() invoiceId: string;
  @ApiProperty({ example: 'INV-2026-000001', description: 'The number of the invoice it credits' })
  invoiceNumber: string;
  @ApiProperty() resellerId: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty() issueDate: string;
  @ApiProperty() reason: string;
  @ApiProperty({
    enum: CREDIT_NOTE_KINDS,
    description: 'ADJUSTMENT (goodwill, corrections) or SERVICE_CHANGE (service not provided)',
  })
  kind: CreditNoteKind;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The subscription change a SERVICE_CHANGE credit note is for',
  })
  subscriptionChangeId: string | null;
  @ApiProperty({ type: [CreditNoteLineView] }) lines: CreditNoteLineView[];
  @ApiProperty({ type: InvoiceTotalsView }) totals: InvoiceTotalsView;
}

export class CreditNotePageView {
  @ApiProperty({ type: [CreditNoteView] }) items: CreditNoteView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}

export class BillingRunView {
  @ApiProperty() id: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty({ enum: BILLING_RUN_STATUSES }) status: BillingRunStatus;
  @ApiProperty() resellersTotal: number;
  @ApiProperty() resellersDone: number;
  @ApiProperty() invoicesIssued: number;
  @ApiProperty({ description: 'Resellers whose billing failed (retried when the run is resumed)' })
  resellersFailed: number;
  @ApiProperty() startedAt: string;
  @ApiProperty({ nullable: true, type: String }) completedAt: string | null;
}

export class BillingRunListView {
  @ApiProperty({ type: [BillingRunView] }) items: BillingRunView[];
}

export class BillingRunAccepted {
  @ApiProperty() id: string;
  @ApiProperty({ enum: BILLING_RUN_STATUSES }) status: BillingRunStatus;
}

export class AgingRowView {
  @ApiProperty() resellerId: string;
  @ApiProperty() resellerName: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty({ enum: CREDIT_LINES }) creditLine: CreditLine;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: `Open amount per bucket: ${AGING_BUCKETS.join(', ')} days past due`,
  })
  buckets: Record<AgingBucket, string>;
  @ApiProperty() total: string;
}

export class AgingTotalView {
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) buckets: Record<AgingBucket, string>;
  @ApiProperty() total: string;
}

export class AgingReportView {
  @ApiProperty() asOf: string;
  @ApiProperty({ type: [AgingRowView] }) items: AgingRowView[];
  @ApiProperty({ type: [AgingTotalView] }) totals: AgingTotalView[];
}

export class CreditHoldChangeView {
  @ApiProperty() resellerId: string;
  @ApiProperty({ enum: CREDIT_LINES }) creditLine: CreditLine;
  @ApiProperty({ nullable: true, type: String, description: 'The overdue invoice that caused the hold' })
  invoiceId: string | null;
}

export class CreditHoldRunView {
  @ApiProperty() asOf: string;
  @ApiProperty() daysOverdue: number;
  @ApiProperty({ type: [CreditHoldChangeView] }) placed: CreditHoldChangeView[];
  @ApiProperty({ type: [CreditHoldChangeView] }) released: CreditHoldChangeView[];
}
