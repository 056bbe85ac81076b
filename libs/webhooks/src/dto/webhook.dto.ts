import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsUrl, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '#disty/core';
import { DELIVERY_STATUSES, DeliveryStatus, WEBHOOK_EVENTS, WebhookEvent } from '../webhook-events';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://crm.example.com/hooks/disty' })
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'url must be an http(s) URL' })
  @MaxLength(2000)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['renewal_alert.raised'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events: WebhookEvent[];

  @ApiPropertyOptional({
    description: 'Distributor staff: the reseller the webhook belongs to (required for admin)',
  })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class WebhookQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Distributor staff only: one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

export class WebhookView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true }) events: WebhookEvent[];
  @ApiProperty() active: boolean;
  @ApiProperty() createdAt: string;
}

export class CreatedWebhookView extends WebhookView {
  @ApiProperty({ description: 'The signing secret, shown only in this response', example: 'whsec_…' })
  secret: string;
}

export class DeliveryView {
  @ApiProperty() id: string;
  @ApiProperty() webhookId: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS }) event: WebhookEvent;
  @ApiProperty({ description: 'Sent as the body’s id and the Disty-Event-Id header; receivers dedupe on it' })
  eventId: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: String, nullable: true, description: 'When the next attempt is due (PENDING only)' })
  nextAttemptAt: string | null;
  @ApiProperty({ type: String, nullable: true }) lastAttemptAt: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) lastResponseStatus: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, nullable: true }) deliveredAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload: Record<string, unknown>;
}

export class DeliveryRunResult {
  @ApiProperty() claimed: number;
  @ApiProperty() delivered: number;
  @ApiProperty({ description: 'Failed attempts that will be retried' }) retrying: number;
  @ApiProperty({ description: 'Deliveries given up after the last attempt' }) failed: number;
}
