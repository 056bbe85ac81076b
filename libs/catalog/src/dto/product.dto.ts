import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { TAX_CATEGORIES, TaxCategory } from '#disty/tax';
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
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CREDIT_LINES, CreditLine, CURRENCIES, Currency, IsMoneyString, PageQueryDto } from '#disty/core';
import { BILLING_FREQUENCIES, BillingFrequency, SKU_PATTERN, Term, TERMS } from '../domain/product-rules';

/** A commitment pack's code: upper-case letters, digits and underscores. */
export const COMMITMENT_PACK_PATTERN = /^[A-Z][A-Z0-9_]{0,39}$/;

/** At most ten integer digits: prices stay far inside numeric(20,4) even times a large quantity. */
export const PRICE_RANGE = /^\d{1,10}(\.\d+)?$/;

export class PriceDto {
  @ApiProperty({ enum: CURRENCIES, example: 'AUD' })
  @IsIn(CURRENCIES)
  currency: Currency;

  @ApiProperty({ example: '1299.00', description: 'Hardware: one unit. Cloud: one unit for one month.' })
  @IsMoneyString({ currencyField: 'currency' })
  @Matches(PRICE_RANGE, { message: 'unitPrice must be below 10,000,000,000' })
  unitPrice: string;

  @ApiPropertyOptional({
    example: '1050.00',
    description:
      'The vendor’s cost of one unit (cloud: one seat for one month) in this currency, ≥ 0. Required for a new price; ' +
      'on PATCH it may be left out to keep the current cost of the currency when one is known.',
  })
  @IsOptional()
  @IsMoneyString({ currencyField: 'currency', min: 'nonNegative' })
  @Matches(PRICE_RANGE, { message: 'costPrice must be a decimal below 10,000,000,000' })
  costPrice?: string;
}

export class CreateProductDto {
  @ApiProperty({ example: 'DELL-LAT-7450' })
  @Matches(SKU_PATTERN, {
    message: 'sku must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  })
  sku: string;

  @ApiProperty({ example: 'Dell Latitude 7450' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'Dell' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  vendor: string;

  @ApiProperty({ enum: CREDIT_LINES })
  @IsIn(CREDIT_LINES)
  kind: CreditLine;

  @ApiProperty({ type: [PriceDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PriceDto)
  prices: PriceDto[];

  @ApiPropertyOptional({ description: 'Hardware only', example: 36 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(240)
  warrantyMonths?: number;

  @ApiPropertyOptional({ enum: TERMS, description: 'Cloud only' })
  @IsOptional()
  @IsIn(TERMS)
  term?: Term;

  @ApiPropertyOptional({ enum: BILLING_FREQUENCIES, description: 'Cloud only' })
  @IsOptional()
  @IsIn(BILLING_FREQUENCIES)
  billingFrequency?: BillingFrequency;

  @ApiPropertyOptional({ description: 'Hardware only: the SKU sold to extend this product’s warranty' })
  @IsOptional()
  @Matches(SKU_PATTERN, { message: 'extendedWarrantySku must be a SKU' })
  extendedWarrantySku?: string;

  @ApiPropertyOptional({
    enum: TAX_CATEGORIES,
    default: 'STANDARD',
    description: 'With the buyer’s country and tax registration, chooses each line’s tax code',
  })
  @IsOptional()
  @IsIn(TAX_CATEGORIES)
  taxCategory?: TaxCategory;

  @ApiPropertyOptional({
    example: 'NCE_LIKE',
    default: 'NO_COMMITMENT',
    description: 'The commitment rule pack (GET /catalog/commitment-packs); the product’s term and billing frequency must be allowed by it',
  })
  @IsOptional()
  @Matches(COMMITMENT_PACK_PATTERN, {
    message: 'commitmentPack must be a commitment pack code such as NCE_LIKE or NO_COMMITMENT',
  })
  commitmentPack?: string;
}

export class UpdateProductDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    type: [PriceDto],
    description: 'Sets the price in each listed currency from now on; other currencies keep theirs',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PriceDto)
  prices?: PriceDto[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Hardware only; null unlinks' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(SKU_PATTERN, { message: 'extendedWarrantySku must be a SKU or null' })
  extendedWarrantySku?: string | null;

  @ApiPropertyOptional({
    enum: TAX_CATEGORIES,
    description: 'Applies to lines ordered and terms renewed after the change',
  })
  @IsOptional()
  @IsIn(TAX_CATEGORIES)
  taxCategory?: TaxCategory;

  @ApiPropertyOptional({
    example: 'NCE_LIKE',
    description: 'Changes the commitment rule pack; applies to decreases and cancellations requested from now on',
  })
  @IsOptional()
  @Matches(COMMITMENT_PACK_PATTERN, {
    message: 'commitmentPack must be a commitment pack code such as NCE_LIKE or NO_COMMITMENT',
  })
  commitmentPack?: string;
}

/** The catalog search's list orders; a leading "-" reverses one. */
export const PRODUCT_SORTS = ['sku', '-sku', 'name', '-name', 'vendor', '-vendor', 'kind', '-kind', 'price', '-price'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export class ProductQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CREDIT_LINES }) @IsOptional() @IsIn(CREDIT_LINES) kind?: CreditLine;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) vendor?: string;
  @ApiPropertyOptional({ description: 'Matches SKU, name or vendor' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
  @ApiPropertyOptional({ enum: CURRENCIES, description: 'Only products priced in this currency' })
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: Currency;
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'Admin only; reseller users see active products',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  active?: 'true' | 'false';
  @ApiPropertyOptional({
    enum: PRODUCT_SORTS,
    description:
      'Order of the list (default sku); a leading "-" reverses it. "price" orders by the current price in `currency`, which it requires',
  })
  @IsOptional()
  @IsIn(PRODUCT_SORTS)
  sort?: ProductSort;
}

/** The vendors of the catalog's products, by name (GET /catalog/products/vendors). */
export class ProductVendorsView {
  @ApiProperty({ type: [String], example: ['Cisco', 'Microsoft'] }) vendors: string[];
}

export class PriceView {
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ example: '1299.00' }) unitPrice: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '1050.00',
    description: 'Distributor staff only (absent for reseller users); null when the cost is not known (a price older than cost prices)',
  })
  costPrice?: string | null;
}

export class PriceHistoryView extends PriceView {
  @ApiProperty() validFrom: string;
  @ApiProperty({ nullable: true, type: String }) validTo: string | null;
}

export class ProductView {
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() vendor: string;
  @ApiProperty({ enum: CREDIT_LINES }) kind: CreditLine;
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: Number }) warrantyMonths: number | null;
  @ApiProperty({ nullable: true, enum: TERMS }) term: Term | null;
  @ApiProperty({ nullable: true, enum: BILLING_FREQUENCIES }) billingFrequency: BillingFrequency | null;
  @ApiProperty({ nullable: true, type: String }) extendedWarrantySku: string | null;
  @ApiProperty({ enum: TAX_CATEGORIES }) taxCategory: TaxCategory;
  @ApiProperty({
    example: 'NO_COMMITMENT',
    description: 'The commitment rule pack (GET /catalog/commitment-packs)',
  })
  commitmentPack: string;
  @ApiProperty({ type: [PriceView] }) prices: PriceView[];
  @ApiPropertyOptional({ type: [PriceHistoryView], description: 'On GET /catalog/products/:sku' })
  priceHistory?: PriceHistoryView[];
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class MissingCostView {
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty() vendor: string;
  @ApiProperty({ enum: CREDIT_LINES }) kind: CreditLine;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ example: '1299.00' }) unitPrice: string;
  @ApiProperty({ description: 'When the price without a cost came into force' }) validFrom: string;
}

export class MissingCostsView {
  @ApiProperty({ type: [MissingCostView] }) items: MissingCostView[];
  @ApiProperty() total: number;
}
