import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsCalendarDate, PageQueryDto } from '#disty/core';
import { ALERT_SORTS, ALERT_SOURCES, ALERT_STATUSES, AlertSort, AlertSource, AlertStatus } from '../domain/alert-status';

export class ScanDto {
  @ApiPropertyOptional({ description: 'Scan as of this date (default today)', example: '2026-10-16' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
}

export class ScanResult {
  @ApiProperty({ example: '2026-10-16' }) asOf: string;
  @ApiProperty({ description: 'Alerts raised by this scan' }) raised: number;
  @ApiProperty({ description: 'Webhook deliveries queued (one per raised alert per subscribed webhook)' })
  webhookDeliveries: number;
  @ApiProperty({
    description: 'Open alerts closed as WON by the system because their subscription renewed into a later term',
  })
  closedRenewed: number;
}

export class PipelineQueryDto {
  @ApiPropertyOptional({ description: 'Distributor staff only: one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ description: 'Only alerts whose term ends before this date', example: '2027-01-01' })
  @IsOptional()
  @IsCalendarDate()
  termEndBefore?: string;
}

export class AlertQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 30 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  threshold?: number;

  @ApiPropertyOptional({ enum: ALERT_STATUSES })
  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;

  @ApiPropertyOptional({ enum: ALERT_SOURCES })
  @IsOptional()
  @IsIn(ALERT_SOURCES)
  source?: AlertSource;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ description: 'Only alerts whose term ends before this date', example: '2027-01-01' })
  @IsOptional()
  @IsCalendarDate()
  termEndBefore?: string;

  @ApiPropertyOptional({ description: 'Distributor staff only: one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiPropertyOptional({
    description: 'daysLeft is counted from this date (default today)',
    example: '2026-10-16',
  })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  @ApiPropertyOptional({
    enum: ['alerts', 'renewals'],
    default: 'alerts',
    description:
      'alerts: one row per (term, threshold) alert; renewals: one card per renewal at its current threshold, with the renewal’s status',
  })
  @IsOptional()
  @IsIn(['alerts', 'renewals'])
  view?: 'alerts' | 'renewals';

  @ApiPropertyOptional({ description: 'End customer name contains this (case-insensitive)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsNotEmpty()
  @MaxLength(200)
  endCustomer?: string;

  @ApiPropertyOptional({
    description: 'Only renewals with at most this many days left (from asOf)',
    example: 30,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3650)
  daysLeftMax?: number;

  @ApiPropertyOptional({
    description: 'Free-text search over the product name, the SKU and the end customer name (case-insensitive)',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsNotEmpty()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    enum: ALERT_SORTS,
    default: 'termEnd',
    description: 'daysLeft and termEnd order alike; value is the renewal value (within a currency)',
  })
  @IsOptional()
  @IsIn(ALERT_SORTS)
  sort?: AlertSort;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';
}

export class BulkAssignDto {
  @ApiProperty({
    type: [String],
    description: 'Alerts (or cards: any alert id of a renewal) to assign; all or nothing',
    maxItems: 500,
  })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  alertIds: string[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'A sales user of the alerts’ reseller; null unassigns',
  })
  @ValidateIf((o: BulkAssignDto) => o.assigneeId !== null)
  @IsUUID()
  assigneeId: string | null;
}

export class BulkAssignResult {
  @ApiProperty({ description: 'Renewals assigned (every alert of each renewal gets the assignee)' })
  renewals: number;
  @ApiProperty({ description: 'Alerts whose assignee changed' }) alertsUpdated: number;
}

export class CreateQuoteDto {
  @ApiPropertyOptional({
    description: 'Last day the quote may be accepted (default: today + 30 days)',
    example: '2026-12-26',
  })
  @IsOptional()
  @IsCalendarDate()
  validUntil?: string;

  @ApiPropertyOptional({
    description: 'Quantity for the next term (default: the current quantity)',
    minimum: 1,
    maximum: 100000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  quantity?: number;
}

export class UpdateAlertDto {
  @ApiProperty({
    enum: ALERT_STATUSES,
    description:
      'OPEN → CONTACTED | WON | LOST | DISMISSED; CONTACTED → WON | LOST | DISMISSED; the same status keeps it. WON, LOST and DISMISSED close every alert of the renewal',
  })
  @IsIn(ALERT_STATUSES)
  status: AlertStatus;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'A sales user of the alert’s reseller; null unassigns',
  })
  @ValidateIf((o: UpdateAlertDto) => o.assigneeId !== undefined && o.assigneeId !== null)
  @IsUUID()
  assigneeId?: string | null;

  @ApiPropertyOptional({
    description: 'Appended to the alert’s notes with the author and time',
    maxLength: 4000,
  })
  @IsOptional()
  @IsString()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsNotEmpty()
  @MaxLength(4000)
  note?: string;
}
