import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsCalendarDate, PageQueryDto } from '@disty/core';
import { ALERT_SOURCES, ALERT_STATUSES, AlertSource, AlertStatus } from '../domain/alert-status';

export class ScanDto {
  @ApiPropertyOptional({ description: 'Scan as of this date (default today)', example: '2026-10-16' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
}

export class ScanResult {
  @ApiProperty({ example: '2026-10-16' }) asOf: string;
  @ApiProperty({ description: 'Alerts raised by this scan' }) raised: number;
  @ApiProperty({ description: 'Webhook deliveries queued (one per raised alert per subscribed webhook)' }) webhookDeliveries: number;
  @ApiProperty({ description: 'Open alerts closed as WON by the system because their subscription renewed into a later term' }) closedRenewed: number;
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

  @ApiPropertyOptional({ description: 'daysLeft is counted from this date (default today)', example: '2026-10-16' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  @ApiPropertyOptional({
    enum: ['alerts', 'renewals'],
    default: 'alerts',
    description: 'alerts: one row per (term, threshold) alert; renewals: one card per renewal at its current threshold, with the renewal’s status',
  })
  @IsOptional()
  @IsIn(['alerts', 'renewals'])
  view?: 'alerts' | 'renewals';
}

export class UpdateAlertDto {
  @ApiProperty({ enum: ALERT_STATUSES, description: 'OPEN → CONTACTED | WON | LOST | DISMISSED; CONTACTED → WON | LOST | DISMISSED; the same status keeps it. WON, LOST and DISMISSED close every alert of the renewal' })
  @IsIn(ALERT_STATUSES)
  status: AlertStatus;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'A sales user of the alert’s reseller; null unassigns' })
  @ValidateIf((o: UpdateAlertDto) => o.assigneeId !== undefined && o.assigneeId !== null)
  @IsUUID()
  assigneeId?: string | null;

  @ApiPropertyOptional({ description: 'Appended to the alert’s notes with the author and time', maxLength: 4000 })
  @IsOptional()
  @IsString()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsNotEmpty()
  @MaxLength(4000)
  note?: string;
}
