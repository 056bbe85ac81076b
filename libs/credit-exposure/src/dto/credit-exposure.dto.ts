import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsUUID, Matches } from 'class-validator';
import { CREDIT_LINES, CreditLine, CURRENCIES, Currency, PageQueryDto } from '#disty/core';

export class CreditAlertQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Distributor staff only; a reseller user sees its own' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class ThresholdQueryDto {
  @ApiPropertyOptional({ description: 'The reseller’s thresholds; without it the global ones' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class SetThresholdsDto {
  @ApiPropertyOptional({ description: 'Set the reseller’s own thresholds; without it the global default' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiProperty({
    example: ['80', '100'],
    description: 'Percents of the CLOUD line (> 0, ≤ 1000, up to 2 decimals), 1–10 of them',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @Matches(/^\d{1,4}(\.\d{1,2})?$/, {
    each: true,
    message: 'each threshold must be a percent like "80" or "92.5"',
  })
  percents: string[];
}

export class EvaluateExposureDto {
  @ApiProperty() @IsUUID() resellerId: string;
}

export class ThresholdsView {
  @ApiProperty({ nullable: true, type: String, description: 'null: the global default' }) resellerId: string | null;
  @ApiProperty({ example: ['80', '100'] }) percents: string[];
  @ApiProperty({
    description: 'true when the reseller has none of its own and the global ones (or the built-in 80 and 100) apply',
  })
  inherited: boolean;
}

export class CreditAlertView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty({ enum: CREDIT_LINES }) creditLine: CreditLine;
  @ApiProperty({
    example: '2026-11',
    description: 'The month the threshold was crossed in (once per threshold and month)',
  })
  period: string;
  @ApiProperty({ example: '80' }) threshold: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ example: '1000.00' }) limit: string;
  @ApiProperty({
    example: '812.40',
    description: 'open invoices + reservations + unbilled usage when raised',
  })
  exposure: string;
  @ApiProperty({ example: '812.40' }) unbilledUsage: string;
  @ApiProperty({ description: 'The line went on hold with this alert' }) holdPlaced: boolean;
  @ApiProperty() raisedAt: string;
}

export class CreditAlertPage {
  @ApiProperty({ type: [CreditAlertView] }) items: CreditAlertView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}

export class ExposureView {
  @ApiProperty() resellerId: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() limit: string;
  @ApiProperty() openReceivables: string;
  @ApiProperty() reserved: string;
  @ApiProperty() unbilledUsage: string;
  @ApiProperty() exposure: string;
  @ApiProperty() available: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: '81.24',
    description: 'exposure ÷ limit in percent; null for a zero limit',
  })
  percent: string | null;
  @ApiProperty() exposureHold: boolean;
  @ApiProperty({ type: [String], description: 'Thresholds newly crossed by this evaluation' })
  alertsRaised: string[];
}
