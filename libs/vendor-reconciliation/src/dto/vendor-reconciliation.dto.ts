import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { CURRENCIES, Currency, IsCalendarDate, PageQueryDto } from '#disty/core';
import { ITEM_KINDS, ItemKind } from '../domain/reconcile';

export class ImportVendorInvoiceQueryDto {
  @ApiProperty() @IsUUID() vendorId: string;
  @ApiProperty({ example: '2026-10', description: 'The month the vendor invoices' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be YYYY-MM' })
  month: string;
  @ApiPropertyOptional({ enum: CURRENCIES, description: 'Default: the vendor’s currency' })
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: Currency;
  @ApiPropertyOptional() @IsOptional() @MaxLength(200) fileName?: string;
}

export class VendorReconciliationListQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() vendorId?: string;
}

export class AcceptVendorReconciliationDto {
  @ApiProperty({ example: 'MS-2026-10-0042', description: 'The vendor’s invoice number (unique per vendor)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(/^\P{Cc}+$/u, { message: 'number must not contain control characters' })
  number: string;

  @ApiProperty({ example: '2026-11-05', description: 'The bill date: not in a closed month' })
  @IsCalendarDate()
  date: string;

  @ApiPropertyOptional({
    example: '10',
    description: 'Input tax in percent of each line’s net (to 1300); default 0',
  })
  @IsOptional()
  @Matches(/^\d{1,2}(\.\d{1,2})?$/, { message: 'taxRate must be a percent like "10"' })
  taxRate?: string;
}

export class VendorReconciliationItemView {
  @ApiProperty({ enum: ITEM_KINDS }) kind: ItemKind;
  @ApiProperty({ nullable: true, type: String }) tenantId: string | null;
  @ApiProperty({ description: 'The meter id (usage) or the SKU (seats)' }) item: string;
  @ApiProperty({ nullable: true, type: String, description: 'The product the bill line is for' }) sku: string | null;
  @ApiProperty({ nullable: true, type: String }) vendorQuantity: string | null;
  @ApiProperty({ nullable: true, type: String }) vendorCost: string | null;
  @ApiProperty({ nullable: true, type: String }) accruedQuantity: string | null;
  @ApiProperty({ nullable: true, type: String }) accruedCost: string | null;
  @ApiProperty({ description: 'vendor cost − accrued cost' }) difference: string;
}

export class VendorReconciliationTotalsView {
  @ApiProperty() vendor: string;
  @ApiProperty() accrued: string;
  @ApiProperty({ description: 'vendor − accrued' }) difference: string;
  @ApiProperty({
    description: 'How many items of each kind',
    type: 'object',
    additionalProperties: { type: 'number' },
  })
  counts: Record<ItemKind, number>;
}

export class VendorReconciliationView {
  @ApiProperty() id: string;
  @ApiProperty() vendorId: string;
  @ApiProperty() month: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ nullable: true, type: String }) fileName: string | null;
  @ApiProperty() linesRead: number;
  @ApiProperty({ enum: ['OPEN', 'ACCEPTED'] }) status: 'OPEN' | 'ACCEPTED';
  @ApiProperty({ nullable: true, type: String }) vendorBillId: string | null;
  @ApiProperty({ type: VendorReconciliationTotalsView }) totals: VendorReconciliationTotalsView;
  @ApiProperty({ type: [VendorReconciliationItemView], description: 'Differences first, then matched items' })
  items: VendorReconciliationItemView[];
  @ApiProperty() createdAt: string;
}

export class VendorReconciliationSummaryView {
  @ApiProperty() id: string;
  @ApiProperty() vendorId: string;
  @ApiProperty() month: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ enum: ['OPEN', 'ACCEPTED'] }) status: 'OPEN' | 'ACCEPTED';
  @ApiProperty() vendorTotal: string;
  @ApiProperty() accruedTotal: string;
  @ApiProperty() differences: number;
  @ApiProperty() createdAt: string;
}

export class VendorReconciliationPage {
  @ApiProperty({ type: [VendorReconciliationSummaryView] }) items: VendorReconciliationSummaryView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
