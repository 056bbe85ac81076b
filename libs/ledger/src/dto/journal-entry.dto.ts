import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested,
} from 'class-validator';
import { CURRENCIES, Currency, IsCalendarDate, IsMoneyString, PageQueryDto } from '@disty/core';

export class EntryLineDto {
  @ApiProperty({ example: '1000' })
  @Matches(/^\d{4}$/, { message: 'accountCode must be a four-digit account code' })
  accountCode: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiProperty({ enum: CURRENCIES })
  @IsIn(CURRENCIES)
  currency: Currency;

  @ApiPropertyOptional({ example: '100.00', description: 'Give debit or credit, not both' })
  @IsOptional()
  @IsMoneyString({ currencyField: 'currency' })
  debit?: string;

  @ApiPropertyOptional({ example: '100.00' })
  @IsOptional()
  @IsMoneyString({ currencyField: 'currency' })
  credit?: string;
}

export class PostEntryDto {
  @ApiProperty({ example: '2026-11-25' })
  @IsCalendarDate()
  entryDate: string;

  @ApiProperty({ example: 'Opening balance' })
  @IsString()
  @MaxLength(500)
  memo: string;

  @ApiProperty({ type: [EntryLineDto] })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => EntryLineDto)
  lines: EntryLineDto[];
}

export class ReverseEntryDto {
  @ApiPropertyOptional({ description: 'Date of the reversal; default today' })
  @IsOptional()
  @IsCalendarDate()
  entryDate?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  memo?: string;
}

export class EntryQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Matches(/^\d{4}$/) accountCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() resellerId?: string;
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() to?: string;
  @ApiPropertyOptional() @IsOptional() @Matches(/^[a-z0-9_.-]{1,50}$/) sourceType?: string;
}

export class TrialBalanceQueryDto {
  @ApiPropertyOptional({ description: 'Default today' }) @IsOptional() @IsCalendarDate() asOf?: string;
  @ApiProperty({ enum: [...CURRENCIES, 'BASE'], description: 'A currency, or BASE: the whole business in the reporting currency' })
  @IsIn([...CURRENCIES, 'BASE'])
  currency: Currency | 'BASE';
}

export class StatementQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() to?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() resellerId?: string;
  @ApiPropertyOptional({ enum: CURRENCIES, description: 'Needed when the account holds several currencies' })
  @IsOptional() @IsIn(CURRENCIES) currency?: Currency;
}

export interface JournalLineView {
  accountCode: string;
  resellerId: string | null;
  currency: Currency;
  debit: string;
  credit: string;
  /** The line in the reporting currency (docs/accounting.md §10); null on lines posted before base amounts existed and never back-filled. */
  baseDebit: string | null;
  baseCredit: string | null;
}

export interface JournalEntryView {
  id: string;
  entryDate: string;
  memo: string;
  source: { type: string; id: string };
  reversalOf: string | null;
  lines: JournalLineView[];
  createdAt: string;
}

export class ClosePeriodDto {
  @ApiPropertyOptional({ description: 'Close although the month-end checks found unexplained items (needs reason)' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  @ApiPropertyOptional({ example: 'Hardware shipped on the 30th is invoiced in the next run; accepted by the controller' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
