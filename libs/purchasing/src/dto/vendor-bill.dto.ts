import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CURRENCIES, Currency, IsCalendarDate, IsMoneyString, PageQueryDto } from '#disty/core';
import { PRINTABLE } from './vendor.dto';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class VendorBillLineDto {
  @ApiPropertyOptional({
    example: 'DELL-LAT-5440',
    description: 'Matches the vendor’s accrued costs of this SKU',
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(PRINTABLE, { message: 'sku must not contain control characters' })
  sku?: string;

  @ApiProperty({ example: 'Latitude 5440 laptops' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  @Matches(PRINTABLE, { message: 'description must not contain control characters' })
  description: string;

  @ApiProperty({ example: 10 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity: number;

  @ApiProperty({ example: '1234.5000', description: 'Per unit, net of tax; at most 4 decimals' })
  @IsMoneyString({ maxDecimals: 4 })
  unitCost: string;

  @ApiProperty({ example: '1234.50', description: 'Input tax of the line (to 1300), in the bill’s currency' })
  @IsMoneyString({ min: 'nonNegative' })
  tax: string;

  @ApiPropertyOptional({
    description: 'A line that matches no accrued cost posts its whole net to 5900 instead of being refused',
  })
  @IsOptional()
  @IsBoolean()
  allowUnmatched?: boolean;
}

/** POST /vendor-bills: a vendor's bill, matched to the costs accrued for it. */
export class CreateVendorBillDto {
  @ApiProperty()
  @IsUUID()
  vendorId: string;

  @ApiProperty({
    example: 'INV-88231',
    description: 'The vendor’s number; unique per vendor (case-insensitively)',
  })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @Matches(PRINTABLE, { message: 'number must not contain control characters' })
  number: string;

  @ApiProperty({
    example: '2026-11-20',
    description: 'The bill date: not in the future, not in a closed month',
  })
  @IsCalendarDate()
  date: string;

  @ApiPropertyOptional({ enum: CURRENCIES, description: 'Default: the vendor’s currency' })
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: Currency;

  @ApiProperty({ type: [VendorBillLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => VendorBillLineDto)
  lines: VendorBillLineDto[];
}

export class VendorBillQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() vendorId?: string;
  @ApiPropertyOptional({ description: 'Bill date from (inclusive)' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;
  @ApiPropertyOptional({ description: 'Bill date to (inclusive)' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
  @ApiPropertyOptional({ enum: ['OPEN', 'PARTIALLY_PAID', 'PAID'] })
  @IsOptional()
  @IsIn(['OPEN', 'PARTIALLY_PAID', 'PAID'])
  status?: string;
}

export class MatchingQueryDto {
  @ApiProperty({ example: '2026-11', description: 'The month (YYYY-MM)' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'period must be YYYY-MM' })
  period: string;
}

/** POST /vendor-bills/:id/payments. */
export class PayVendorBillDto {
  @ApiProperty({ example: '1100.00', description: 'At most the bill’s open amount, in its currency' })
  @IsMoneyString()
  amount: string;

  @ApiProperty({ example: '2026-11-25' })
  @IsCalendarDate()
  paidOn: string;

  @ApiProperty({ example: 'NAB EFT 2026-11-25 DELL' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @Matches(PRINTABLE, { message: 'reference must not contain control characters' })
  reference: string;
}

// ------------------------------------------------------------------ responses

export class AccrualMatchView {
  @ApiProperty() accrualId: string;
  @ApiProperty({ enum: ['shipment', 'recognition', 'usage'] }) sourceType: string;
  @ApiProperty() sourceId: string;
  @ApiProperty({ nullable: true, type: String }) resellerId: string | null;
  @ApiProperty() accruedOn: string;
  @ApiProperty() quantity: string;
  @ApiProperty() amount: string;
}

export class VendorBillLineView {
  @ApiProperty() id: string;
  @ApiProperty() lineNo: number;
  @ApiProperty({ nullable: true, type: String }) sku: string | null;
  @ApiProperty() description: string;
  @ApiProperty() quantity: string;
  @ApiProperty() unitCost: string;
  @ApiProperty() net: string;
  @ApiProperty() tax: string;
  @ApiProperty() gross: string;
  @ApiProperty({ description: 'Quantity of the accruals matched' }) matchedQuantity: string;
  @ApiProperty({ description: 'Accrued amount matched (debited to 2050)' }) matchedAmount: string;
  @ApiProperty({ description: 'net − matchedAmount (to 5900)' }) variance: string;
  @ApiProperty() allowUnmatched: boolean;
  @ApiProperty({ type: [AccrualMatchView] }) matches: AccrualMatchView[];
}

export class VendorBillPaymentView {
  @ApiProperty() id: string;
  @ApiProperty() billId: string;
  @ApiProperty() amount: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() paidOn: string;
  @ApiProperty() reference: string;
  @ApiProperty() createdAt: string;
}

export const VENDOR_BILL_STATUSES = ['OPEN', 'PARTIALLY_PAID', 'PAID'] as const;

export class VendorBillSummaryView {
  @ApiProperty() id: string;
  @ApiProperty() vendorId: string;
  @ApiProperty() vendorName: string;
  @ApiProperty() number: string;
  @ApiProperty() date: string;
  @ApiProperty() dueDate: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() net: string;
  @ApiProperty() tax: string;
  @ApiProperty() gross: string;
  @ApiProperty({ description: 'Accrued costs matched (2050)' }) matched: string;
  @ApiProperty({ description: 'Σ line variances (5900)' }) variance: string;
  @ApiProperty() paid: string;
  @ApiProperty({ description: 'gross − paid (2000)' }) open: string;
  @ApiProperty({ enum: VENDOR_BILL_STATUSES }) status: string;
  @ApiProperty() createdAt: string;
}

export class VendorBillView extends VendorBillSummaryView {
  @ApiProperty({ type: [VendorBillLineView] }) lines: VendorBillLineView[];
  @ApiProperty({ type: [VendorBillPaymentView] }) payments: VendorBillPaymentView[];
}

export class UnmatchedAccrualView {
  @ApiProperty() vendor: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'null: no vendor record has this catalog vendor name yet',
  })
  vendorId: string | null;
  @ApiProperty() sku: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() accruals: number;
  @ApiProperty() quantity: string;
  @ApiProperty() amount: string;
}

export class MatchingBillLineView {
  @ApiProperty() billId: string;
  @ApiProperty() number: string;
  @ApiProperty() vendorId: string;
  @ApiProperty() vendorName: string;
  @ApiProperty() date: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() lineNo: number;
  @ApiProperty({ nullable: true, type: String }) sku: string | null;
  @ApiProperty() description: string;
  @ApiProperty() quantity: string;
  @ApiProperty() net: string;
  @ApiProperty() matchedQuantity: string;
  @ApiProperty() matchedAmount: string;
  @ApiProperty() variance: string;
  @ApiProperty({ description: 'Matched no accrual (allowUnmatched): its whole net went to 5900' })
  unmatched: boolean;
}

export class MatchingView {
  @ApiProperty() period: string;
  @ApiProperty({
    type: [UnmatchedAccrualView],
    description: 'Accruals of the month no bill has matched yet, per vendor, SKU and currency',
  })
  unmatchedAccruals: UnmatchedAccrualView[];
  @ApiProperty({
    type: [MatchingBillLineView],
    description: 'Lines of the month’s bills with a variance or matching nothing',
  })
  billLines: MatchingBillLineView[];
}

export class VendorPaymentResultView {
  @ApiProperty({ type: VendorBillPaymentView }) payment: VendorBillPaymentView;
  @ApiProperty({
    type: VendorBillSummaryView,
    description: 'The bill after the payment (paid, open, status)',
  })
  bill: VendorBillSummaryView;
}
