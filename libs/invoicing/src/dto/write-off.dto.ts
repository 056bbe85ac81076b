import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Currency, IsCalendarDate, IsMoneyString, PageQueryDto } from '#disty/core';
import { OpenAmountsView } from './invoice.dto';

export class CreateWriteOffDto {
  @ApiProperty({
    example: '250.00',
    description: 'Gross amount written off (at most what is open on the invoice)',
  })
  @IsMoneyString({ maxDecimals: 2 })
  amount: string;

  @ApiProperty({ example: 'Reseller in liquidation' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}

export class WriteOffQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '2026-01-01', description: 'Written off on or after' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'Written off on or before' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({ description: 'Limit to one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class WriteOffView {
  @ApiProperty() id: string;
  @ApiProperty() invoiceId: string;
  @ApiProperty({ example: 'INV-2026-000001' }) invoiceNumber: string;
  @ApiProperty() resellerId: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty({ description: 'Gross written off (net + tax)' }) amount: string;
  @ApiProperty({ description: 'Posted to 6200 Bad debts written off' }) net: string;
  @ApiProperty({ description: 'Tax adjustment, posted to 2100 Tax payable' }) tax: string;
  @ApiProperty({ type: OpenAmountsView, description: 'The amount per credit line (credited to 1100 / 1110)' })
  parts: OpenAmountsView;
  @ApiProperty() reason: string;
  @ApiProperty() writtenOffOn: string;
  @ApiProperty({ nullable: true, type: String }) createdBy: string | null;
}

export class WriteOffTotalView {
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty() amount: string;
  @ApiProperty() net: string;
  @ApiProperty() tax: string;
}

export class WriteOffReportView {
  @ApiProperty({ type: [WriteOffView] }) items: WriteOffView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
  @ApiProperty({
    type: [WriteOffTotalView],
    description: 'Sums per currency over the whole period (not only this page)',
  })
  totals: WriteOffTotalView[];
}
