import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Currency } from '#disty/core';

export const QUOTE_STATUSES = ['OPEN', 'ACCEPTED', 'EXPIRED'] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

export class RenewalQuoteLineView {
  @ApiProperty() sku: string;
  @ApiProperty() description: string;
  @ApiProperty() quantity: number;
  @ApiProperty({
    example: '120.00',
    description: 'Price per unit for the whole next term, at the catalog’s current price',
  })
  unitPrice: string;
  @ApiProperty({ example: '600.00' }) net: string;
}

export class RenewalQuoteView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'Q-2026-000001', description: 'Gapless per reseller and year' }) number: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() alertId: string;
  @ApiProperty({ enum: ['SUBSCRIPTION', 'WARRANTY'] }) source: 'SUBSCRIPTION' | 'WARRANTY';
  @ApiPropertyOptional({ nullable: true, type: String }) subscriptionId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) orderLineId: string | null;
  @ApiProperty({ description: 'The end of the term (or warranty) this quote renews' }) termEnd: string;
  @ApiProperty() endCustomerName: string;
  @ApiPropertyOptional({ nullable: true, type: String }) endCustomerReference: string | null;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty({ type: [RenewalQuoteLineView] }) lines: RenewalQuoteLineView[];
  @ApiProperty({ example: '600.00', description: 'Sum of the lines’ net, before tax' }) total: string;
  @ApiProperty() issueDate: string;
  @ApiProperty({ description: 'Last day the quote may be accepted' }) validUntil: string;
  @ApiProperty({ enum: QUOTE_STATUSES, description: 'EXPIRED: OPEN and validUntil has passed' })
  status: QuoteStatus;
  @ApiProperty() createdBy: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ nullable: true, type: String }) acceptedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) acceptedBy: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The subscription’s scheduled change (at renewal) created by accepting',
  })
  scheduledChangeId: string | null;
}
