import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { IsCalendarDate, IsMoneyString, PageQueryDto } from '#disty/core';

export const EC_INVOICE_STATUSES = ['DRAFT', 'ISSUED', 'PARTIALLY_PAID', 'PAID'] as const;
export type EndCustomerInvoiceStatus = (typeof EC_INVOICE_STATUSES)[number];

export class PartyView {
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) address: string | null;
  @ApiProperty({ nullable: true, type: String }) taxId: string | null;
  @ApiProperty({ nullable: true, type: String }) country: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) logoUrl?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) paymentInstructions?: string | null;
}

export class EndCustomerInvoiceLineView {
  @ApiProperty() lineNo: number;
  @ApiProperty({ enum: ['HARDWARE', 'SEAT', 'USAGE'] }) kind: string;
  @ApiProperty() sku: string;
  @ApiProperty() description: string;
  @ApiProperty() quantity: number;
  @ApiProperty({ nullable: true, type: String }) periodStart: string | null;
  @ApiProperty({ nullable: true, type: String }) periodEnd: string | null;
  @ApiProperty({ description: 'What the reseller pays the distributor for the line' }) cost: string;
  @ApiProperty({ description: 'The sell price (net)' }) net: string;
  @ApiProperty() taxRate: string;
  @ApiProperty() tax: string;
  @ApiProperty() gross: string;
}

export class EndCustomerInvoiceView {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String, description: 'The reseller’s own number (null while DRAFT)' })
  number: string | null;
  @ApiProperty() resellerId: string;
  @ApiProperty() endCustomerId: string;
  @ApiProperty({ description: 'The distributor invoice it was drafted from' }) sourceInvoiceId: string;
  @ApiProperty() sourceInvoiceNumber: string;
  @ApiProperty({ enum: EC_INVOICE_STATUSES }) status: EndCustomerInvoiceStatus;
  @ApiProperty() currency: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty({ nullable: true, type: String }) issueDate: string | null;
  @ApiProperty({ nullable: true, type: String }) dueDate: string | null;
  @ApiProperty({ enum: ['DOMESTIC', 'EXPORT', 'REVERSE_CHARGE'] }) taxTreatment: string;
  @ApiProperty({ type: PartyView, description: 'The reseller, as branded' }) seller: PartyView;
  @ApiProperty({ type: PartyView, description: 'The end customer' }) buyer: PartyView;
  @ApiProperty() cost: string;
  @ApiProperty() net: string;
  @ApiProperty() tax: string;
  @ApiProperty() gross: string;
  @ApiProperty() amountPaid: string;
  @ApiProperty() amountDue: string;
  @ApiPropertyOptional({
    type: [EndCustomerInvoiceLineView],
    description: 'On GET /end-customer-invoices/:id',
  })
  lines?: EndCustomerInvoiceLineView[];
}

export class EndCustomerInvoiceQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: EC_INVOICE_STATUSES })
  @IsOptional()
  @IsIn(EC_INVOICE_STATUSES)
  status?: EndCustomerInvoiceStatus;
  @ApiPropertyOptional() @IsOptional() @IsUUID() endCustomerId?: string;
  @ApiPropertyOptional({ description: 'Distributor staff: one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class RecordCollectionDto {
  @ApiProperty() @IsUUID() endCustomerInvoiceId: string;
  @ApiProperty({ example: '132.00' }) @IsMoneyString({ min: 'positive', maxDecimals: 2 }) amount: string;
  @ApiProperty({ example: 'AUD' }) @IsString() @MinLength(3) @MaxLength(3) currency: string;
  @ApiProperty({ example: 'EFT 20261105-77' }) @IsString() @MinLength(1) @MaxLength(200) reference: string;
  @ApiProperty({ example: '2026-11-05' }) @IsCalendarDate() receivedOn: string;
}

export class CollectionView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() endCustomerInvoiceId: string;
  @ApiProperty({ nullable: true, type: String }) endCustomerInvoiceNumber: string | null;
  @ApiProperty() endCustomerId: string;
  @ApiProperty({ enum: ['CARD', 'BANK_TRANSFER'] }) method: string;
  @ApiProperty() currency: string;
  @ApiProperty() amount: string;
  @ApiProperty({ description: 'Card processing fee (borne by the distributor)' }) fee: string;
  @ApiProperty() reference: string;
  @ApiProperty() receivedOn: string;
  @ApiProperty({ nullable: true, type: String }) settlementId: string | null;
  @ApiProperty({ nullable: true, type: String }) settledOn: string | null;
}

export class CollectionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Distributor staff: one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'Only collections not yet settled (true) or settled (false)',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  unsettled?: 'true' | 'false';
}

export class CollectionIntentView {
  @ApiProperty() paymentIntentId: string;
  @ApiProperty() clientSecret: string;
  @ApiProperty() amount: string;
  @ApiProperty() currency: string;
}

export class CreateSettlementDto {
  @ApiProperty() @IsUUID() resellerId: string;
  @ApiProperty({ example: 'AUD' }) @IsString() @MinLength(3) @MaxLength(3) currency: string;
  @ApiProperty({
    example: '2026-11-30',
    description: 'Settles every collection received on or before it and not yet settled',
  })
  @IsCalendarDate()
  settledOn: string;
}

export class NettedInvoiceView {
  @ApiProperty() invoiceId: string;
  @ApiProperty() invoiceNumber: string;
  @ApiProperty() amount: string;
}

export class SettlementView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() currency: string;
  @ApiProperty() settledOn: string;
  @ApiProperty() feePercent: string;
  @ApiProperty({ description: 'Collections settled (2500 released)' }) collected: string;
  @ApiProperty({ description: 'Billing-services fee (4200)' }) fee: string;
  @ApiProperty({ description: 'Applied to the reseller’s open invoices (a SETTLEMENT payment)' })
  netted: string;
  @ApiProperty({ description: 'Paid out to the reseller (1000)' }) paidOut: string;
  @ApiProperty({ nullable: true, type: String, description: 'The payment that carries the netting' })
  paymentId: string | null;
  @ApiProperty({ type: [CollectionView] }) collections: CollectionView[];
  @ApiProperty({ type: [NettedInvoiceView], description: 'The distributor invoices the netting paid' })
  nettedInvoices: NettedInvoiceView[];
}

export class SettlementQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Distributor staff: one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class MarginQueryDto {
  @ApiProperty({ example: '2026-10-01' }) @IsCalendarDate() from: string;
  @ApiProperty({ example: '2026-10-31' }) @IsCalendarDate() to: string;
  @ApiPropertyOptional({ description: 'Distributor admin: the reseller (required for them)' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class EndCustomerMarginRowView {
  @ApiProperty() endCustomerId: string;
  @ApiProperty() endCustomerName: string;
  @ApiProperty() currency: string;
  @ApiProperty({ description: 'Billed to the end customer, net (issued invoices)' }) sold: string;
  @ApiProperty({ description: 'What the reseller owes the distributor for it' }) cost: string;
  @ApiProperty() margin: string;
  @ApiProperty({ nullable: true, type: String }) marginPercent: string | null;
  @ApiProperty({ description: 'Paid by the end customer (gross)' }) paid: string;
  @ApiProperty({ description: 'Still owed by the end customer (gross)' }) owed: string;
}

export class EndCustomerMarginView {
  @ApiProperty() resellerId: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ type: [EndCustomerMarginRowView] }) rows: EndCustomerMarginRowView[];
}

export class PsaExportQueryDto extends MarginQueryDto {
  @ApiPropertyOptional({ description: 'One end customer (default: all of the reseller’s)' })
  @IsOptional()
  @IsUUID()
  endCustomerId?: string;
}
