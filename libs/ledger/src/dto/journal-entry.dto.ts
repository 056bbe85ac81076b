import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CURRENCIES, Currency, IsCalendarDate, IsMoneyString, PageQueryDto } from '#disty/core';

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
  @ApiProperty({
    enum: [...CURRENCIES, 'BASE'],
    description: 'A currency, or BASE: the whole business in the reporting currency',
  })
  @IsIn([...CURRENCIES, 'BASE'])
  currency: Currency | 'BASE';
}

export class StatementQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsCalendarDate() to?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() resellerId?: string;
  @ApiPropertyOptional({ enum: CURRENCIES, description: 'Needed when the account holds several currencies' })
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: Currency;
}

export class JournalLineView {
  @ApiProperty({ example: '1100' }) accountCode: string;
  @ApiProperty({ type: String, nullable: true }) resellerId: string | null;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ example: '110.00' }) debit: string;
  @ApiProperty({ example: '0.00' }) credit: string;
  /** The line in the reporting currency (docs/accounting.md §10); null on lines posted before base amounts existed and never back-filled. */
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The debit in the reporting currency; null on lines posted before base amounts existed',
  })
  baseDebit: string | null;
  @ApiProperty({ type: String, nullable: true }) baseCredit: string | null;
}

export class JournalSourceView {
  @ApiProperty({
    example: 'invoice',
    description: 'What posted the entry (invoice, payment, manual, reversal, …)',
  })
  type: string;
  @ApiProperty() id: string;
}

export class JournalEntryView {
  @ApiProperty() id: string;
  @ApiProperty({ example: '2026-11-30' }) entryDate: string;
  @ApiProperty() memo: string;
  @ApiProperty({ type: JournalSourceView }) source: JournalSourceView;
  @ApiProperty({ type: String, nullable: true, description: 'The entry this one reverses' }) reversalOf: string | null;
  @ApiProperty({ type: [JournalLineView] }) lines: JournalLineView[];
  @ApiProperty() createdAt: string;
}

export class ClosePeriodDto {
  @ApiPropertyOptional({
    description: 'Close although the month-end checks found unexplained items (needs reason)',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;

  @ApiPropertyOptional({
    example: 'Hardware shipped on the 30th is invoiced in the next run; accepted by the controller',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
