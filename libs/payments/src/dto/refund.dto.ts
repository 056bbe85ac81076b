import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { CURRENCIES, Currency, IsCalendarDate, IsMoneyString } from '@disty/core';

/** POST /refunds: a bank refund of a reseller's credit balance. */
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
}

export class RefundSourcesView {
  @ApiProperty({ description: 'From unused credits on the hardware line (debit 1100)' }) HARDWARE: string;
  @ApiProperty({ description: 'From unused credits on the cloud line (debit 1110)' }) CLOUD: string;
  @ApiProperty({ description: 'From unapplied bank cash (debit 2200)' }) unappliedCash: string;
}

export class RefundView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() amount: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty() reference: string;
  @ApiProperty() paidOn: string;
  @ApiProperty({ type: RefundSourcesView }) from: RefundSourcesView;
}

export class CreditBalanceView {
  @ApiProperty() resellerId: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty({ type: RefundSourcesView, description: 'What a refund may pay out, per source' }) from: RefundSourcesView;
  @ApiProperty({ description: 'Total refundable' }) refundable: string;
}

export class CreditBalanceQueryDto {
  @ApiProperty()
  @IsUUID()
  resellerId: string;
}
