import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { CURRENCIES, Currency, IsCalendarDate } from '#disty/core';
import { MARGIN_GROUPS, MarginGroup } from '../domain/margin';

export class MarginQueryDto {
  @ApiProperty({ example: '2026-01-01', description: 'First day (inclusive)' })
  @IsCalendarDate()
  from: string;

  @ApiProperty({ example: '2026-12-31', description: 'Last day (inclusive)' })
  @IsCalendarDate()
  to: string;

  @ApiPropertyOptional({ enum: MARGIN_GROUPS, default: 'month' })
  @IsOptional()
  @IsIn(MARGIN_GROUPS)
  groupBy?: MarginGroup;

  @ApiPropertyOptional({ enum: CURRENCIES })
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: Currency;

  @ApiPropertyOptional({ description: 'Limit to one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class MarginRowView {
  @ApiProperty({
    description: 'Reseller id, SKU, vendor or YYYY-MM; "(none)" for costs no reseller or SKU carries (purchase price variance)',
  })
  key: string;
  @ApiProperty({ description: 'Reseller name, product name, vendor or month' }) label: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ example: '1000.00' }) revenue: string;
  @ApiProperty({ example: '750.00' }) cost: string;
  @ApiProperty({ example: '250.00' }) margin: string;
  @ApiProperty({
    example: '25.00',
    nullable: true,
    type: String,
    description: 'Margin as % of revenue; null without revenue',
  })
  marginPercent: string | null;
}

export class MarginTotalView {
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() revenue: string;
  @ApiProperty() cost: string;
  @ApiProperty() margin: string;
  @ApiProperty({ nullable: true, type: String }) marginPercent: string | null;
}

export class MarginReportView {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ enum: MARGIN_GROUPS }) groupBy: MarginGroup;
  @ApiProperty({ type: [MarginRowView] }) items: MarginRowView[];
  @ApiProperty({ type: [MarginTotalView] }) totals: MarginTotalView[];
}
