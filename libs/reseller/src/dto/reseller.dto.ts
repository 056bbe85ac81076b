import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean, IsDefined, IsIn, IsObject, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';
import { CREDIT_LINES, CreditLine, CURRENCIES, Currency, IsMoneyString, PageQueryDto } from '@disty/core';

/** A rate in [0, 1) with at most six decimals, as a string: "0.10". */
export const TAX_RATE = /^0(\.\d{1,6})?$/;
/** Credit limits: at most 14 integer digits. */
export const LIMIT_RANGE = /^\d{1,14}(\.\d+)?$/;

export class CreditLimitsDto {
  @ApiProperty({ example: '250000.00' })
  @IsMoneyString({ min: 'nonNegative' })
  @Matches(LIMIT_RANGE, { message: 'HARDWARE must be below 100,000,000,000,000' })
  HARDWARE: string;

  @ApiProperty({ example: '50000.00' })
  @IsMoneyString({ min: 'nonNegative' })
  @Matches(LIMIT_RANGE, { message: 'CLOUD must be below 100,000,000,000,000' })
  CLOUD: string;
}

export class CreateResellerDto {
  @ApiProperty({ example: 'Harbour IT Pty Ltd' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: CURRENCIES, example: 'AUD' })
  @IsIn(CURRENCIES)
  currency: Currency;

  @ApiProperty({ example: 'AU', description: 'ISO 3166-1 alpha-2' })
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as "AU"' })
  country: string;

  @ApiProperty({ example: '0.10', description: 'Applies to every line the reseller buys' })
  @Matches(TAX_RATE, { message: 'taxRate must be a decimal string from "0" to below "1" with at most 6 decimals, e.g. "0.10"' })
  taxRate: string;

  @ApiProperty({ example: 30 })
  @IsInt()
  @Min(0)
  @Max(365)
  paymentTermsDays: number;

  @ApiProperty({ type: CreditLimitsDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CreditLimitsDto)
  creditLimits: CreditLimitsDto;
}

export class UpdateResellerDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'NZ' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as "AU"' })
  country?: string;

  @ApiPropertyOptional({ example: '0.15', description: 'Applies to orders placed after the change' })
  @IsOptional()
  @Matches(TAX_RATE, { message: 'taxRate must be a decimal string from "0" to below "1" with at most 6 decimals, e.g. "0.10"' })
  taxRate?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  paymentTermsDays?: number;
}

export class UpdateCreditLineDto {
  @ApiPropertyOptional({ example: '300000.00' })
  @IsOptional()
  @IsMoneyString({ min: 'nonNegative' })
  @Matches(LIMIT_RANGE, { message: 'limit must be below 100,000,000,000,000' })
  limit?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  onHold?: boolean;
}

export class ResellerQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Part of the name' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
}

export class CreditLimitsView {
  @ApiProperty() HARDWARE: string;
  @ApiProperty() CLOUD: string;
}

export class ResellerView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() country: string;
  @ApiProperty({ example: '0.10' }) taxRate: string;
  @ApiProperty() paymentTermsDays: number;
  @ApiProperty({ type: CreditLimitsView }) creditLimits: CreditLimitsView;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class CreditLineView {
  @ApiProperty({ enum: CREDIT_LINES }) line: CreditLine;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ example: '250000.00' }) limit: string;
  @ApiProperty({ example: '1200.00', description: 'Open receivables on the line’s AR account (ledger)' }) openReceivables: string;
  @ApiProperty({ example: '5000.00', description: 'Ordered, not yet invoiced, tax included' }) reserved: string;
  @ApiProperty({ example: '243800.00', description: 'limit − (openReceivables + reserved); may be negative' }) available: string;
  @ApiProperty() onHold: boolean;
}
