import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { CURRENCIES, Currency, IsCalendarDate, IsMoneyString } from '#disty/core';

export const REFUND_METHODS = ['BANK_TRANSFER', 'STRIPE'] as const;
export type RefundMethod = (typeof REFUND_METHODS)[number];

/** POST /refunds: a refund of a reseller's credit balance, by bank transfer or (credit from card payments) through Stripe. */
export class CreateRefundDto {
  @ApiProperty()
  @IsUUID()
  resellerId: string;

  @ApiProperty({ example: '250.00' })
  @IsMoneyString({ currencyField: 'currency' })
  amount: string;

  @ApiProperty({ enum: CURRENCIES, example: 'AUD' })
  @IsIn(CURRENCIES)
  currency: Currency;

  @ApiProperty({ example: 'NAB refund 2026-11-26' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reference: string;

  @ApiProperty({ example: '2026-11-26' })
  @IsCalendarDate()
  paidOn: string;

  @ApiPropertyOptional({
    enum: REFUND_METHODS,
    default: 'BANK_TRANSFER',
    description: 'STRIPE: back to the cards of the Stripe payments the credit came from (credit 1050)',
  })
  @IsOptional()
  @IsIn(REFUND_METHODS)
  method?: RefundMethod;
}

export class RefundSourcesView {
  @ApiProperty({ description: 'From unused credits on the hardware line (debit 1100)' }) HARDWARE: string;
  @ApiProperty({ description: 'From unused credits on the cloud line (debit 1110)' }) CLOUD: string;
  @ApiProperty({
    description: 'From unapplied cash (debit 2200): bank cash for a bank refund, card cash for a Stripe refund',
  })
  unappliedCash: string;
}

export class RefundView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() amount: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty() reference: string;
  @ApiProperty() paidOn: string;
  @ApiProperty({ enum: REFUND_METHODS }) method: RefundMethod;
  @ApiProperty({ type: RefundSourcesView }) from: RefundSourcesView;
}

export class CreditBalanceView {
  @ApiProperty() resellerId: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty({ type: RefundSourcesView, description: 'What a refund may pay out, per source' })
  from: RefundSourcesView;
  @ApiProperty({ description: 'Total refundable' }) refundable: string;
}

export class CreditBalanceQueryDto {
  @ApiProperty()
  @IsUUID()
  resellerId: string;
}
