import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';
import { CURRENCIES, Currency, PageQueryDto } from '#disty/core';

/** A vendor tenant or account id: printable, no surrounding spaces, 1–100 characters. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}$/;

export class CreateConsumptionSubscriptionDto {
  @ApiPropertyOptional({ description: 'Distributor staff name the reseller; a reseller user’s own is taken' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiProperty({ description: 'The reseller’s end customer record (GET /end-customers)' })
  @IsUUID()
  endCustomerId: string;

  @ApiProperty({
    example: 'AZURE-PLAN',
    description: 'A consumption product (GET /catalog/consumption-products)',
  })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'sku must be a SKU' })
  sku: string;

  @ApiProperty({
    example: '3f2a1c9e-tenant',
    description: 'The vendor’s tenant or account id as its usage files name it; unique per vendor',
  })
  @Matches(TENANT_ID_PATTERN, {
    message: 'tenantId must be 1–100 letters, digits or . _ : @ / -, starting with a letter or digit',
  })
  tenantId: string;
}

export class ConsumptionSubscriptionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Distributor staff only' }) @IsOptional() @IsUUID() resellerId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() endCustomerId?: string;
}

export class ConsumptionSubscriptionView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() endCustomerId: string;
  @ApiProperty() endCustomer: string;
  @ApiProperty() sku: string;
  @ApiProperty() vendorId: string;
  @ApiProperty() tenantId: string;
  @ApiProperty({ enum: CURRENCIES, description: 'The reseller’s currency: usage is rated and billed in it' })
  currency: Currency;
  @ApiProperty() createdAt: string;
}

export class ConsumptionSubscriptionPage {
  @ApiProperty({ type: [ConsumptionSubscriptionView] }) items: ConsumptionSubscriptionView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
