import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsCalendarDate, PageQueryDto } from '#disty/core';
import { BILLING_FREQUENCIES, BillingFrequency, Term, TERMS } from '../domain/schedule';

export class SubscriptionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['ACTIVE', 'CANCELLED', 'EXPIRED'] })
  @IsOptional()
  @IsIn(['ACTIVE', 'CANCELLED', 'EXPIRED'])
  status?: 'ACTIVE' | 'CANCELLED' | 'EXPIRED';

  @ApiPropertyOptional({
    description: 'Only subscriptions whose current term ends before this date',
    example: '2026-12-31',
  })
  @IsOptional()
  @IsCalendarDate()
  endsBefore?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  sku?: string;

  @ApiPropertyOptional({
    description: 'Distributor staff only: one reseller (ignored for reseller users, who see their own)',
  })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class ChangeSubscriptionDto {
  @ApiPropertyOptional({
    minimum: 1,
    description: 'New seat count; the difference is prorated for the rest of the billing period',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  autoRenew?: boolean;

  @ApiPropertyOptional({
    description:
      'Date the change takes effect (default today). A later date schedules the change; an earlier one is for distributor staff only, with a reason, within open months',
    example: '2026-03-10',
  })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  @ApiPropertyOptional({
    description: 'Why (distributor staff; required when asOf is before today, or with override)',
    example: 'Seats removed in March; vendor confirmed',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({
    description: 'Distributor admin only: let a decrease or cancellation through a closed commitment window (recorded with the reason)',
  })
  @IsOptional()
  @IsBoolean()
  override?: boolean;
}

export class CancelSubscriptionDto {
  @ApiProperty({ enum: ['END_OF_TERM', 'IMMEDIATE'] })
  @IsIn(['END_OF_TERM', 'IMMEDIATE'])
  when: 'END_OF_TERM' | 'IMMEDIATE';

  @ApiPropertyOptional({
    description:
      'Date of an immediate cancellation (default today). A later date schedules it; an earlier one is for distributor staff only, with a reason, within open months',
    example: '2026-03-10',
  })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  @ApiPropertyOptional({
    description: 'Why (distributor staff; required when asOf is before today, or with override)',
    example: 'Seats removed in March; vendor confirmed',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({
    description: 'Distributor admin only: let a decrease or cancellation through a closed commitment window (recorded with the reason)',
  })
  @IsOptional()
  @IsBoolean()
  override?: boolean;
}

export class RenewalRunQueryDto {
  @ApiPropertyOptional({
    description: 'Renew terms that ended before this date (default today)',
    example: '2027-01-15',
  })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
}

export class RenewalRunResult {
  @ApiProperty() asOf: string;
  @ApiProperty({ description: 'New terms created' }) renewed: number;
  @ApiProperty({ description: 'Subscriptions that expired' }) expired: number;
  @ApiProperty({ description: 'Subscriptions examined' }) processed: number;
  @ApiPropertyOptional({ description: 'Scheduled changes applied' }) scheduledApplied?: number;
  @ApiPropertyOptional({
    description: 'Scheduled changes that could not be applied (marked FAILED with the reason)',
  })
  scheduledFailed?: number;
}

export class ScheduleChangeDto {
  @ApiProperty({
    description: '"RENEWAL" (applied when the next term is created) or a later date (YYYY-MM-DD, seat changes only)',
    example: 'RENEWAL',
  })
  @IsString()
  @Matches(/^(RENEWAL|\d{4}-\d{2}-\d{2})$/, { message: 'at must be "RENEWAL" or a date YYYY-MM-DD' })
  at: string;

  @ApiPropertyOptional({ minimum: 1, description: 'New seat count' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity?: number;

  @ApiPropertyOptional({
    description: 'New product for the next term (at RENEWAL only); priced from the catalog',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  sku?: string;

  @ApiPropertyOptional({ enum: TERMS, description: 'Term length of the next term (at RENEWAL only)' })
  @IsOptional()
  @IsIn(TERMS as unknown as string[])
  term?: Term;

  @ApiPropertyOptional({
    enum: BILLING_FREQUENCIES,
    description: 'Billing frequency of the next term (at RENEWAL only)',
  })
  @IsOptional()
  @IsIn(BILLING_FREQUENCIES as unknown as string[])
  billingFrequency?: BillingFrequency;
}
