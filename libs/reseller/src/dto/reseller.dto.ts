import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
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

  @ApiPropertyOptional({
    example: '51 824 753 556',
    description: 'Tax registration number (ABN, NZBN/GST number, VAT id), printed on invoices',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  taxId?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Registered for tax (GST/VAT) in its country: with the country, chooses the tax code of each line',
  })
  @IsOptional()
  @IsBoolean()
  taxRegistered?: boolean;

  @ApiPropertyOptional({
    example: '12 Quay Street, Auckland 1010, New Zealand',
    description: 'Legal address, printed on invoices',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  address?: string;

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

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null removes it' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  taxId?: string | null;

  @ApiPropertyOptional({ description: 'Applies to orders placed (and terms renewed) after the change' })
  @IsOptional()
  @IsBoolean()
  taxRegistered?: boolean;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null removes it' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  address?: string | null;

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

  @ApiPropertyOptional({
    example: 'Two years of on-time payments',
    description: 'Why: required with `limit`; kept in the line’s history',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class CreditLimitChangeView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: CREDIT_LINES }) line: CreditLine;
  @ApiProperty() changedAt: string;
  @ApiProperty({ nullable: true, type: String, description: 'The user who made the change' }) changedBy: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Their email' }) changedByEmail: string | null;
  @ApiProperty({ example: '250000.00' }) fromLimit: string;
  @ApiProperty({ example: '300000.00' }) toLimit: string;
  @ApiProperty() fromOnHold: boolean;
  @ApiProperty() toOnHold: boolean;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
}

export class CreditLimitChangeListView {
  @ApiProperty({ type: [CreditLimitChangeView], description: 'Newest first (at most 200)' })
  items: CreditLimitChangeView[];
}

export class ResellerQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Part of the name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
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
  @ApiProperty({
    example: '0.10',
    nullable: true,
    type: String,
    description:
      'The rate a STANDARD product sold to this reseller gets today under the tax rules (an estimate: each line stores its own code and rate); null when no rule applies',
  })
  taxRate: string | null;
  @ApiProperty({ nullable: true, type: String }) taxId: string | null;
  @ApiProperty() taxRegistered: boolean;
  @ApiProperty({ nullable: true, type: String }) address: string | null;
  @ApiProperty() paymentTermsDays: number;
  @ApiProperty({ type: CreditLimitsView }) creditLimits: CreditLimitsView;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class CreditLineView {
  @ApiProperty({ enum: CREDIT_LINES }) line: CreditLine;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ example: '250000.00' }) limit: string;
  @ApiProperty({ example: '1200.00', description: 'Open receivables on the line’s AR account (ledger)' })
  openReceivables: string;
  @ApiProperty({ example: '5000.00', description: 'Ordered, not yet invoiced, tax included' })
  reserved: string;
  @ApiProperty({
    example: '243800.00',
    description: 'limit − (openReceivables + reserved + unbilledUsage); may be negative',
  })
  available: string;
  @ApiProperty() onHold: boolean;
  @ApiProperty({
    example: '0.00',
    description: 'CLOUD: rated usage not yet invoiced, counted against the line (docs/consumption.md §7)',
  })
  unbilledUsage: string;
  @ApiProperty({
    description: 'CLOUD: on hold because its exposure reached its limit; lifts when it falls back',
  })
  exposureHold: boolean;
}

export class CreditLineListView {
  @ApiProperty({ type: [CreditLineView] }) items: CreditLineView[];
}
