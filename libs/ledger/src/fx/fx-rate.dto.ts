import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, Matches, ValidateNested } from 'class-validator';
import { CURRENCIES, Currency, IsCalendarDate } from '#disty/core';

/** A rate: base units per unit of the currency, a positive decimal string (at most 10 decimals). */
export const RATE_STRING = /^(0|[1-9]\d{0,9})(\.\d{1,10})?$/;

export class FxRateInputDto {
  @ApiProperty({ enum: CURRENCIES, example: 'USD' })
  @IsIn(CURRENCIES)
  currency: Currency;

  @ApiProperty({ example: '2026-11-25', description: 'The day the rate is in force from' })
  @IsCalendarDate()
  date: string;

  @ApiProperty({ example: '1.5312', description: 'Units of the reporting currency per 1 unit of `currency`' })
  @Matches(RATE_STRING, {
    message: 'rate must be a positive decimal string with at most 10 decimals (e.g. "1.5312")',
  })
  rate: string;
}

/** POST /fx-rates: one rate, or a batch `{ rates: [...] }`. */
export class PostFxRatesDto {
  @ApiPropertyOptional({ enum: CURRENCIES })
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: Currency;

  @ApiPropertyOptional({ example: '2026-11-25' })
  @IsOptional()
  @IsCalendarDate()
  date?: string;

  @ApiPropertyOptional({ example: '1.5312' })
  @IsOptional()
  @Matches(RATE_STRING, {
    message: 'rate must be a positive decimal string with at most 10 decimals (e.g. "1.5312")',
  })
  rate?: string;

  @ApiPropertyOptional({ type: [FxRateInputDto] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => FxRateInputDto)
  rates?: FxRateInputDto[];
}

export class FxRateQueryDto {
  @ApiPropertyOptional({ enum: CURRENCIES })
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: Currency;

  @ApiPropertyOptional({ example: '2026-01-01' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class FxRateView {
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ example: '2026-11-25' }) date: string;
  @ApiProperty({ example: '1.5312000000' }) rate: string;
  @ApiProperty({ enum: ['api', 'csv', 'seed'] }) source: string;
  @ApiProperty() createdAt: string;
}

export class FxRateListView {
  @ApiProperty({ example: 'AUD', description: 'The reporting currency the rates convert into' })
  reportingCurrency: string;
  @ApiProperty({ type: [FxRateView] }) items: FxRateView[];
}

export class FxRateWriteView {
  @ApiProperty({ example: 'AUD' }) reportingCurrency: string;
  @ApiProperty({ description: 'Rates written (new or changed)' }) written: number;
  @ApiProperty({ description: 'Rates already there with the same value' }) unchanged: number;
  @ApiProperty({ type: [FxRateView] }) items: FxRateView[];
}

export class RevaluationDto {
  @ApiProperty({
    example: '2026-10-31',
    description: 'The last day of a month: not in a closed month, not in the future',
  })
  @IsCalendarDate()
  asOf: string;
}
