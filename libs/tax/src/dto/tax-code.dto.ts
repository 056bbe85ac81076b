import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { TAX_CATEGORIES, TAX_KINDS, TaxCategory, TaxKind } from '../domain/tax-rules';

const CODE = /^[A-Z0-9][A-Z0-9_-]{0,19}$/;
const RATE = /^0(\.\d{1,6})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CreateTaxCodeDto {
  @ApiProperty({ example: 'SG-GST' })
  @Matches(CODE, { message: 'code must be 1–20 capital letters, digits, "-" or "_"' })
  code: string;

  @ApiProperty({ example: 'SG', description: 'ISO 3166-1 alpha-2 country, or EU' })
  @Matches(/^[A-Z]{2}$/, { message: 'jurisdiction must be a two-letter code such as "AU" or "EU"' })
  jurisdiction: string;

  @ApiProperty({ example: '0.09' })
  @Matches(RATE, {
    message: 'rate must be a decimal string from "0" to below "1" with at most 6 decimals, e.g. "0.10"',
  })
  rate: string;

  @ApiProperty({ enum: TAX_KINDS })
  @IsIn(TAX_KINDS)
  kind: TaxKind;

  @ApiProperty({ example: 'Singapore GST 9 %' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  description: string;

  @ApiPropertyOptional({
    example: 'Reverse charge',
    description: 'Printed on invoices holding a line of this code',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  invoiceNote?: string;

  @ApiPropertyOptional({ example: '2026-01-01' })
  @IsOptional()
  @Matches(DATE, { message: 'validFrom must be a date YYYY-MM-DD' })
  validFrom?: string;

  @ApiPropertyOptional({ example: '2030-12-31' })
  @IsOptional()
  @Matches(DATE, { message: 'validTo must be a date YYYY-MM-DD' })
  validTo?: string;
}

export class UpdateTaxCodeDto {
  @ApiPropertyOptional({
    example: '0.10',
    description: 'Applies to lines ordered after the change; stored lines keep theirs',
  })
  @IsOptional()
  @Matches(RATE, {
    message: 'rate must be a decimal string from "0" to below "1" with at most 6 decimals, e.g. "0.10"',
  })
  rate?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  invoiceNote?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: '2030-12-31' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(DATE, { message: 'validTo must be a date YYYY-MM-DD or null' })
  validTo?: string | null;
}

export class CreateTaxRuleDto {
  @ApiProperty({ enum: TAX_CATEGORIES })
  @IsIn(TAX_CATEGORIES)
  taxCategory: TaxCategory;

  @ApiProperty({
    example: 'NZ',
    description: 'ISO 3166-1 alpha-2 country, EU (any member state) or * (any other country)',
  })
  @Matches(/^([A-Z]{2}|\*)$/, { message: 'buyerCountry must be a two-letter country, "EU" or "*"' })
  buyerCountry: string;

  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    description: 'true/false: only buyers (not) registered for tax; omitted or null: either',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsBoolean()
  buyerRegistered?: boolean | null;

  @ApiProperty({ example: 'NZ-GST' })
  @Matches(CODE, { message: 'taxCode must be a tax code such as "GST"' })
  taxCode: string;
}

export class UpdateTaxRuleDto {
  @ApiProperty({ example: 'GST' })
  @Matches(CODE, { message: 'taxCode must be a tax code such as "GST"' })
  taxCode: string;
}

export class TaxCodeView {
  @ApiProperty() code: string;
  @ApiProperty() jurisdiction: string;
  @ApiProperty({ example: '0.10' }) rate: string;
  @ApiProperty({ enum: TAX_KINDS }) kind: TaxKind;
  @ApiProperty() description: string;
  @ApiProperty({ nullable: true, type: String }) invoiceNote: string | null;
  @ApiProperty() validFrom: string;
  @ApiProperty({ nullable: true, type: String }) validTo: string | null;
}

export class TaxCodeListView {
  @ApiProperty({ type: [TaxCodeView] }) items: TaxCodeView[];
}

export class TaxRuleView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: TAX_CATEGORIES }) taxCategory: TaxCategory;
  @ApiProperty() sellerJurisdiction: string;
  @ApiProperty() buyerCountry: string;
  @ApiProperty({ nullable: true, type: Boolean }) buyerRegistered: boolean | null;
  @ApiProperty() taxCode: string;
}

export class TaxRuleListView {
  @ApiProperty({ type: [TaxRuleView] }) items: TaxRuleView[];
}
