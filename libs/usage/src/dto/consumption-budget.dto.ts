import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';
import { CURRENCIES, Currency, PageQueryDto } from '#disty/core';

export class SetBudgetDto {
  @ApiProperty({
    example: '5000.00',
    description: 'Monthly budget in the subscription’s currency (≥ 0, at most the currency’s decimals)',
  })
  @Matches(/^\d{1,16}(\.\d{1,4})?$/, { message: 'monthlyAmount must be a decimal string like "5000.00"' })
  monthlyAmount: string;
}

export class BudgetView {
  @ApiProperty() subscriptionId: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ nullable: true, type: String, example: '5000.00', description: 'null: no budget set' })
  monthlyAmount: string | null;
}

export class UsageSummaryQueryDto {
  @ApiPropertyOptional({ example: '2026-11', description: 'YYYY-MM; the current month by default' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be YYYY-MM' })
  month?: string;
}

export class MeterUsageView {
  @ApiProperty() meterId: string;
  @ApiProperty() name: string;
  @ApiProperty() unit: string;
  @ApiProperty({ example: '480.000000' }) quantity: string;
  @ApiProperty({ example: '48.00' }) monthToDate: string;
  @ApiProperty({ example: '72.00' }) forecast: string;
}

export class UsageSummaryView {
  @ApiProperty() subscriptionId: string;
  @ApiProperty({ example: '2026-11' }) month: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty({ example: '48.00', description: 'Rated usage of the month so far (net)' })
  monthToDate: string;
  @ApiProperty({
    description: 'Days the usage covers: the latest usage day this month; a past month all its days',
  })
  daysElapsed: number;
  @ApiProperty() daysInMonth: number;
  @ApiProperty({ example: '72.00', description: 'monthToDate ÷ daysElapsed × daysInMonth' }) forecast: string;
  @ApiProperty({ nullable: true, type: String }) budget: string | null;
  @ApiProperty({ description: 'The forecast is above the budget' }) overBudget: boolean;
  @ApiProperty({ type: [MeterUsageView] }) meters: MeterUsageView[];
}

export class BudgetAlertQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Distributor staff only' }) @IsOptional() @IsUUID() resellerId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() subscriptionId?: string;
}

export class BudgetAlertView {
  @ApiProperty() id: string;
  @ApiProperty() subscriptionId: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() tenantId: string;
  @ApiProperty() endCustomer: string;
  @ApiProperty({ example: '2026-11' }) month: string;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() budget: string;
  @ApiProperty() monthToDate: string;
  @ApiProperty() forecast: string;
  @ApiProperty() raisedAt: string;
}

export class BudgetAlertPage {
  @ApiProperty({ type: [BudgetAlertView] }) items: BudgetAlertView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
