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
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CURRENCIES, Currency, PageQueryDto } from '#disty/core';
import { TAX_CATEGORIES, TaxCategory } from '#disty/tax';
import { SKU_PATTERN } from '../domain/product-rules';

/** A usage unit price or cost: at most ten integer digits and six decimals (usage is priced in fractions of a cent). */
export const USAGE_PRICE = /^\d{1,10}(\.\d{1,6})?$/;
/** A vendor's meter id: printable, no surrounding spaces, 1–100 characters. */
export const METER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;

export class MeterTierDto {
  @ApiProperty({
    nullable: true,
    type: String,
    example: '1000',
    description: 'Upper bound of the month’s volume (exclusive); null on the last tier',
  })
  @ValidateIf((_, v) => v !== null)
  @Matches(USAGE_PRICE, { message: 'upTo must be a positive decimal or null' })
  upTo: string | null;

  @ApiProperty({ example: '0.0800' })
  @Matches(USAGE_PRICE, { message: 'unitPrice must be a decimal ≥ 0 with at most 6 decimals' })
  unitPrice: string;
}

export class MeterPriceDto {
  @ApiProperty({ enum: CURRENCIES, example: 'AUD' })
  @IsIn(CURRENCIES)
  currency: Currency;

  @ApiPropertyOptional({ example: '0.0912', description: 'Flat price of one unit; give this or tiers' })
  @IsOptional()
  @Matches(USAGE_PRICE, { message: 'unitPrice must be a decimal ≥ 0 with at most 6 decimals' })
  unitPrice?: string;

  @ApiPropertyOptional({
    type: [MeterTierDto],
    description: 'Graduated tiers by the month’s running volume per subscription; give this or unitPrice',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MeterTierDto)
  tiers?: MeterTierDto[];

  @ApiProperty({ example: '0.0700', description: 'The vendor’s cost of one unit in this currency' })
  @Matches(USAGE_PRICE, { message: 'costPrice must be a decimal ≥ 0 with at most 6 decimals' })
  costPrice: string;
}

export class MeterDto {
  @ApiProperty({
    example: 'VM-D2S-V5-HOURS',
    description: 'The vendor’s meter id as its usage files name it; unique per vendor',
  })
  @Matches(METER_ID_PATTERN, {
    message: 'meterId must be 1–100 letters, digits or . _ : / -, starting with a letter or digit',
  })
  meterId: string;

  @ApiProperty({ example: 'D2s v5 virtual machine hours' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'hour', description: 'The unit usage files report the meter in' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  unit: string;

  @ApiProperty({ type: [MeterPriceDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => MeterPriceDto)
  prices: MeterPriceDto[];
}

export class CreateConsumptionProductDto {
  @ApiProperty({ example: 'AZURE-PLAN' })
  @Matches(SKU_PATTERN, {
    message: 'sku must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  })
  sku: string;

  @ApiProperty({ example: 'Azure plan (consumption)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ description: 'The vendor (GET /vendors) that reports the usage and bills its cost' })
  @IsUUID()
  vendorId: string;

  @ApiPropertyOptional({ enum: TAX_CATEGORIES, default: 'STANDARD' })
  @IsOptional()
  @IsIn(TAX_CATEGORIES)
  taxCategory?: TaxCategory;

  @ApiProperty({ type: [MeterDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => MeterDto)
  meters: MeterDto[];
}

export class ConsumptionProductQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() vendorId?: string;
}

export class MeterTierView {
  @ApiProperty({ example: '0' }) from: string;
  @ApiProperty({ nullable: true, type: String, example: '1000' }) upTo: string | null;
  @ApiProperty({ example: '0.0800' }) unitPrice: string;
}

export class MeterPriceView {
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ type: [MeterTierView], description: 'A flat price is one tier from 0 with no upper bound' })
  tiers: MeterTierView[];
  @ApiPropertyOptional({ type: String, description: 'Distributor staff only' }) costPrice?: string;
}

export class MeterView {
  @ApiProperty() id: string;
  @ApiProperty() meterId: string;
  @ApiProperty() name: string;
  @ApiProperty() unit: string;
  @ApiProperty({ type: [MeterPriceView] }) prices: MeterPriceView[];
}

export class ConsumptionProductView {
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['CONSUMPTION'] }) kind: 'CONSUMPTION';
  @ApiProperty({ enum: ['CLOUD'], description: 'Usage is billed on the cloud credit line' })
  creditLine: 'CLOUD';
  @ApiProperty() vendorId: string;
  @ApiProperty({ enum: TAX_CATEGORIES }) taxCategory: TaxCategory;
  @ApiProperty() active: boolean;
  @ApiProperty({ type: [MeterView] }) meters: MeterView[];
  @ApiProperty() createdAt: string;
}

export class ConsumptionProductPage {
  @ApiProperty({ type: [ConsumptionProductView] }) items: ConsumptionProductView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
