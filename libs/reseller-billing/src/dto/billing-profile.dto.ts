import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsCalendarDate, IsMoneyString, PageQueryDto } from '#disty/core';

/** A reseller's billing profile: opt-ins, branding, numbering (docs/billing-on-behalf.md). */
export class UpdateBillingProfileDto {
  @ApiPropertyOptional({ description: 'Distributor admin only (required for them): whose profile' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiPropertyOptional({
    description: 'Each billing run also drafts the reseller’s invoices to its end customers',
  })
  @IsOptional()
  @IsBoolean()
  endCustomerBilling?: boolean;

  @ApiPropertyOptional({ description: 'Issue them at once instead of leaving them DRAFT for review' })
  @IsOptional()
  @IsBoolean()
  autoIssue?: boolean;

  @ApiPropertyOptional({
    description: 'The distributor collects the end customers’ payments for the reseller',
  })
  @IsOptional()
  @IsBoolean()
  collectionOnBehalf?: boolean;

  @ApiPropertyOptional({ example: 'Acme IT Services Pty Ltd', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  legalName?: string | null;

  @ApiPropertyOptional({ example: '1 George St, Sydney NSW 2000', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string | null;

  @ApiPropertyOptional({ example: '51 824 753 556', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  taxId?: string | null;

  @ApiPropertyOptional({
    example: 'https://acme.example/logo.png',
    nullable: true,
    type: String,
    description: 'An https URL shown on the invoices',
  })
  @IsOptional()
  @Matches(/^https:\/\/[^\s]{1,490}$/, { message: 'logoUrl must be an https URL' })
  logoUrl?: string | null;

  @ApiPropertyOptional({ example: 'BSB 062-000, account 1234 5678', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  paymentInstructions?: string | null;

  @ApiPropertyOptional({
    example: 'ACME',
    description: 'Invoice numbers are <prefix>-<year>-<6 digits>, gapless per reseller',
  })
  @IsOptional()
  @Matches(/^[A-Z0-9][A-Z0-9-]{0,15}$/, { message: 'numberPrefix must be 1–16 capitals, digits or dashes' })
  numberPrefix?: string;

  @ApiPropertyOptional({ example: 14 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  paymentTermsDays?: number;
}

export class BillingFeeDto {
  @ApiProperty() @IsUUID() resellerId: string;

  @ApiProperty({
    example: '2.5',
    description: 'The billing-services fee, % of what is collected (0–100), taken at settlement (4200)',
  })
  @IsMoneyString({ min: 'nonNegative', maxDecimals: 4 })
  feePercent: string;
}

export class ProfileQueryDto {
  @ApiPropertyOptional({ description: 'Distributor staff: whose profile (required for them)' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class BillingProfileView {
  @ApiProperty() resellerId: string;
  @ApiProperty() endCustomerBilling: boolean;
  @ApiProperty() autoIssue: boolean;
  @ApiProperty() collectionOnBehalf: boolean;
  @ApiProperty({ example: '2.5' }) feePercent: string;
  @ApiProperty({ nullable: true, type: String }) legalName: string | null;
  @ApiProperty({ nullable: true, type: String }) address: string | null;
  @ApiProperty({ nullable: true, type: String }) taxId: string | null;
  @ApiProperty({ nullable: true, type: String }) logoUrl: string | null;
  @ApiProperty({ nullable: true, type: String }) paymentInstructions: string | null;
  @ApiProperty() numberPrefix: string;
  @ApiProperty() paymentTermsDays: number;
  @ApiProperty({ description: 'The last number issued (0: none yet)' }) lastNumber: number;
}

export class CreatePriceRuleDto {
  @ApiPropertyOptional({ description: 'Distributor admin only (required for them)' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiPropertyOptional({
    description: 'Only for this end customer (an override); absent: every end customer',
  })
  @IsOptional()
  @IsUUID()
  endCustomerId?: string;

  @ApiPropertyOptional({ enum: ['HARDWARE', 'CLOUD'] })
  @IsOptional()
  @IsIn(['HARDWARE', 'CLOUD'])
  productKind?: 'HARDWARE' | 'CLOUD';

  @ApiPropertyOptional({ example: 'Microsoft' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  vendor?: string;

  @ApiPropertyOptional({ description: 'Only this SKU (required with fixedPrice)' })
  @ValidateIf((o: CreatePriceRuleDto) => o.sku !== undefined || o.fixedPrice !== undefined)
  @IsString()
  @MaxLength(64)
  sku?: string;

  @ApiPropertyOptional({
    example: '20',
    description: 'Sell = cost × (1 + markup/100). Give this or fixedPrice',
  })
  @ValidateIf((o: CreatePriceRuleDto) => o.fixedPrice === undefined)
  @IsMoneyString({ min: 'nonNegative', maxDecimals: 4 })
  markupPercent?: string;

  @ApiPropertyOptional({
    example: '99.00',
    description: 'A unit sell price for the SKU, in currency. Give this or markupPercent',
  })
  @ValidateIf((o: CreatePriceRuleDto) => o.markupPercent === undefined)
  @IsMoneyString({ min: 'nonNegative', currencyField: 'currency' })
  fixedPrice?: string;

  @ApiPropertyOptional({ example: 'AUD', description: 'Required with fixedPrice' })
  @ValidateIf((o: CreatePriceRuleDto) => o.fixedPrice !== undefined)
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code' })
  currency?: string;

  @ApiProperty({ example: '2026-01-01' })
  @IsCalendarDate()
  effectiveFrom: string;

  @ApiPropertyOptional({ example: '2027-01-01', description: 'First day no longer in force' })
  @IsOptional()
  @IsCalendarDate()
  effectiveTo?: string;
}

export class PriceRuleQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Distributor admin: one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  endCustomerId?: string;
}

export class PriceRuleView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty({ nullable: true, type: String }) endCustomerId: string | null;
  @ApiProperty({ nullable: true, enum: ['HARDWARE', 'CLOUD'], type: String }) productKind: 'HARDWARE' | 'CLOUD' | null;
  @ApiProperty({ nullable: true, type: String }) vendor: string | null;
  @ApiProperty({ nullable: true, type: String }) sku: string | null;
  @ApiProperty({ nullable: true, type: String }) markupPercent: string | null;
  @ApiProperty({ nullable: true, type: String }) fixedPrice: string | null;
  @ApiProperty({ nullable: true, type: String }) currency: string | null;
  @ApiProperty() effectiveFrom: string;
  @ApiProperty({ nullable: true, type: String }) effectiveTo: string | null;
}

export class PriceListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '2026-10-31', description: 'Prices in force that day (default today)' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
}

export class EndCustomerPriceView {
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['HARDWARE', 'CLOUD'] }) kind: 'HARDWARE' | 'CLOUD';
  @ApiProperty() vendor: string;
  @ApiProperty() currency: string;
  @ApiProperty({ description: 'What the reseller pays the distributor per unit' }) cost: string;
  @ApiProperty({ description: 'What the end customer is charged per unit' }) sellPrice: string;
  @ApiProperty() margin: string;
  @ApiProperty({ nullable: true, type: String, description: 'Margin as % of the sell price' }) marginPercent: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The rule applied (null: sold at cost)' })
  priceRuleId: string | null;
}
