import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsIn,
  IsObject,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AmountsView, CURRENCIES, Currency, IsCalendarDate, PageQueryDto } from '#disty/core';
import { OrderLineStatus, OrderStatus } from '../domain/pricing';

export class EndCustomerDto {
  @ApiProperty({ example: 'Acme Dental Group' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'ACME-001' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reference?: string;
}

export class OrderLineDto {
  @ApiProperty({ example: 'DELL-LAT-7450' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  sku: string;

  @ApiProperty({ example: 5, minimum: 1 })
  @IsInt({ message: 'quantity must be a whole number' })
  @Min(1)
  @Max(100_000)
  quantity: number;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'Cloud lines only; default today' })
  @IsOptional()
  @IsCalendarDate()
  startDate?: string;
}

export class PlaceOrderDto {
  @ApiPropertyOptional({
    description: 'Admin only: the reseller ordering; reseller users order for their own',
  })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiPropertyOptional({
    type: EndCustomerDto,
    description: "The end customer by name (give this or endCustomerId): the reseller's record of that exact name is reused, or created",
  })
  @ValidateIf((o: PlaceOrderDto) => o.endCustomerId === undefined || o.endCustomer !== undefined)
  @IsDefined({ message: 'endCustomer or endCustomerId is required' })
  @IsObject()
  @ValidateNested()
  @Type(() => EndCustomerDto)
  endCustomer?: EndCustomerDto;

  @ApiPropertyOptional({
    description: "One of the reseller's end customers (GET /end-customers), instead of endCustomer",
  })
  @IsOptional()
  @IsUUID()
  endCustomerId?: string;

  @ApiPropertyOptional({ example: 'PO-2026-118' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  poNumber?: string;

  @ApiProperty({ type: [OrderLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  lines: OrderLineDto[];
}

export class ShipLineDto {
  @ApiProperty({ example: '2026-11-25' })
  @IsCalendarDate()
  shippedOn: string;

  @ApiPropertyOptional({
    description:
      'Units shipped now (default: the whole line). Fewer than the line holds splits it: the shipped units keep the line, ' +
      'the rest becomes a new pending line with the rest of its amounts and reserved credit',
    minimum: 1,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity?: number;

  @ApiPropertyOptional({ type: [String], description: 'At most one per unit, no repeats' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(100, { each: true })
  serialNumbers?: string[];
}

export class CancelOrderDto {
  @ApiPropertyOptional({
    type: [String],
    description: 'Only these lines; default every line not yet shipped',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  lineIds?: string[];
}

const ORDER_STATUSES = ['PLACED', 'PARTIALLY_SHIPPED', 'FULFILLED', 'CANCELLED'] as const;

export class OrderQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES }) @IsOptional() @IsIn(ORDER_STATUSES) status?: OrderStatus;
  @ApiPropertyOptional({ description: 'Distributor staff only' }) @IsOptional() @IsUUID() resellerId?: string;
}

export class TotalsView {
  @ApiProperty({ type: AmountsView }) HARDWARE: AmountsView;
  @ApiProperty({ type: AmountsView }) CLOUD: AmountsView;
}

export class ReservedView {
  @ApiProperty({ example: '110.00' }) HARDWARE: string;
  @ApiProperty({ example: '0.00' }) CLOUD: string;
}

export class OrderLineView {
  @ApiProperty() id: string;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['HARDWARE', 'CLOUD'] }) kind: 'HARDWARE' | 'CLOUD';
  @ApiProperty({ enum: ['HARDWARE', 'CLOUD'] }) creditLine: 'HARDWARE' | 'CLOUD';
  @ApiProperty() quantity: number;
  @ApiProperty({ description: 'Hardware: one unit; cloud: one unit for one month' }) unitPrice: string;
  @ApiProperty({ description: 'Hardware: the quantity; cloud: the first charge' }) net: string;
  @ApiProperty() tax: string;
  @ApiProperty() gross: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'GST',
    description: 'The tax code chosen when ordered (null on lines ordered before tax codes)',
  })
  taxCode: string | null;
  @ApiProperty({
    example: '0.10',
    description: 'The rate of that code when ordered; the line’s invoice uses it',
  })
  taxRate: string;
  @ApiProperty({ enum: ['PENDING', 'SHIPPED', 'CANCELLED', 'PROVISIONED'] }) status: OrderLineStatus;
  @ApiPropertyOptional() subscriptionId?: string;
  @ApiPropertyOptional() startDate?: string;
  @ApiPropertyOptional({ nullable: true, type: Number }) warrantyMonths?: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) shippedOn?: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description:
      'The date the shipment counts on in the books: shippedOn, or the first day of the first open month when its month was closed',
  })
  postedOn?: string | null;
  @ApiPropertyOptional({ type: [String] }) serialNumbers?: string[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Last day covered (inclusive)' })
  warrantyEnd?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) invoiceId?: string | null;
}

/** The order's end customer: its record's id, and the name and reference the order was placed for. */
export class OrderEndCustomerView {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The end customer record (GET /end-customers/{id})',
  })
  id: string | null;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) reference: string | null;
}

export class OrderView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'ORD-000123', description: 'The number people quote' }) number: string;
  @ApiProperty() resellerId: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiProperty({ type: OrderEndCustomerView }) endCustomer: OrderEndCustomerView;
  @ApiProperty({ nullable: true, type: String }) poNumber: string | null;
  @ApiProperty({ type: [OrderLineView] }) lines: OrderLineView[];
  @ApiProperty({ type: TotalsView, description: 'Over lines not cancelled' }) totals: TotalsView;
  @ApiProperty({ type: ReservedView, description: 'Credit this order holds reserved now, per line' })
  reserved: ReservedView;
  @ApiProperty({ enum: CURRENCIES }) currency: Currency;
  @ApiProperty() createdAt: string;
}

export class ToShipQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() resellerId?: string;
}

/** A hardware line waiting to ship (GET /orders/to-ship), oldest order first. */
export class ToShipLineView {
  @ApiProperty() orderId: string;
  @ApiProperty({ example: 'ORD-000123' }) orderNumber: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() endCustomerName: string;
  @ApiProperty({ nullable: true, type: String }) poNumber: string | null;
  @ApiProperty() orderedAt: string;
  @ApiProperty() lineId: string;
  @ApiProperty() lineNo: number;
  @ApiProperty() sku: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Units still to ship on this line' }) quantity: number;
}
