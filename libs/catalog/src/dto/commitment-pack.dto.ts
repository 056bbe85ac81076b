import { ApiProperty } from '@nestjs/swagger';
import { BILLING_FREQUENCIES, BillingFrequency, Term, TERMS } from '../domain/product-rules';

/** A commitment rule pack (GET /catalog/commitment-packs; docs/commitments.md). */
export class CommitmentPackView {
  @ApiProperty({ example: 'NCE_LIKE' }) code: string;
  @ApiProperty({ example: 'NCE-like' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 168,
    description:
      'Hours after the purchase, a renewal or a seat addition in which seats may be decreased or the subscription cancelled; null: any time',
  })
  windowHours: number | null;
  @ApiProperty({ description: 'The unit price is locked for the term' }) priceLock: boolean;
  @ApiProperty({ description: 'Whether new subscriptions renew automatically by default' })
  autoRenewDefault: boolean;
  @ApiProperty({ enum: TERMS, isArray: true }) allowedTerms: Term[];
  @ApiProperty({ enum: BILLING_FREQUENCIES, isArray: true }) allowedBillingFrequencies: BillingFrequency[];
  @ApiProperty({
    example: '20',
    description: 'Information only: the monthly list price is meant to be this % above annual; not applied to prices',
  })
  monthlyUpliftPercent: string;
}

export class CommitmentPacksView {
  @ApiProperty({ type: [CommitmentPackView] }) items: CommitmentPackView[];
  @ApiProperty() total: number;
}
