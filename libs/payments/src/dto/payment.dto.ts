import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CreditLine, CURRENCIES, Currency, IsCalendarDate, IsMoneyString, PageQueryDto } from '#disty/core';

/** SETTLEMENT: collections held for the reseller netted against its invoices (docs/billing-on-behalf.md). */
export const PAYMENT_METHODS = ['BANK_TRANSFER', 'STRIPE', 'SETTLEMENT'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export class AllocationDto {
  @ApiProperty()
  @IsUUID()
  invoiceId: string;

  @ApiProperty({ example: '500.00' })
  @IsMoneyString()
  amount: string;
}

export class RecordPaymentDto {
  @ApiProperty()
  @IsUUID()
  resellerId: string;

  @ApiProperty({ example: '1500.00' })
  @IsMoneyString({ currencyField: 'currency' })
  amount: string;

  @ApiProperty({ enum: CURRENCIES, example: 'AUD' })
  @IsIn(CURRENCIES)
  currency: Currency;

  @ApiProperty({ enum: ['BANK_TRANSFER'] })
  @IsIn(['BANK_TRANSFER'], { message: 'method must be BANK_TRANSFER (card payments arrive through Stripe)' })
  method: 'BANK_TRANSFER';

  @ApiProperty({ example: 'NAB 2026-02-03 HARBOUR IT' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reference: string;

  @ApiProperty({ example: '2026-02-03' })
  @IsCalendarDate()
  receivedOn: string;

  @ApiPropertyOptional({ type: [AllocationDto], description: 'Default: the oldest open invoices first' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => AllocationDto)
  allocations?: AllocationDto[];
}

export class ApplyPaymentDto {
  @ApiPropertyOptional({ type: [AllocationDto], description: 'Default: the oldest open invoices first' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => AllocationDto)
  allocations?: AllocationDto[];
}

export class PaymentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Distributor staff only; reseller users always see their own' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;

  @ApiPropertyOptional({ enum: PAYMENT_METHODS })
  @IsOptional()
  @IsIn(PAYMENT_METHODS)
  method?: PaymentMethod;
}

export class ReconciliationQueryDto {
  @ApiPropertyOptional({ example: '2026-03-31', description: 'Default: now (maintained balances)' })
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;

  @ApiPropertyOptional({ description: 'Limit to one reseller' })
  @IsOptional()
  @IsUUID()
  resellerId?: string;
}

// ------------------------------------------------------------------ responses

export class ByCreditLineView {
  @ApiProperty() HARDWARE: string;
  @ApiProperty() CLOUD: string;
}

export class PaymentAllocationView {
  @ApiProperty() invoiceId: string;
  @ApiProperty() invoiceNumber: string;
  @ApiProperty({ enum: ['PAYMENT', 'APPLICATION', 'REFUND'] }) kind: string;
  @ApiProperty() appliedOn: string;
  @ApiProperty() amount: string;
  @ApiProperty({ type: ByCreditLineView }) byCreditLine: ByCreditLineView;
}

export class PaymentSettlementView {
  @ApiProperty({ type: String, description: 'The currency Stripe settled the charge in' }) currency: Currency;
  @ApiProperty() amount: string;
  @ApiProperty({ description: "Stripe's fee, in the settlement currency" }) fee: string;
  @ApiProperty({
    description: 'Charge currency × rate = settlement currency (the balance transaction’s exchange_rate)',
  })
  exchangeRate: string;
}

export class PaymentView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty({ enum: PAYMENT_METHODS }) method: PaymentMethod;
  @ApiProperty() amount: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty() fee: string;
  @ApiProperty({ description: 'Cash not yet applied to an invoice (account 2200)' }) unapplied: string;
  @ApiProperty() refunded: string;
  @ApiProperty() reference: string;
  @ApiProperty() receivedOn: string;
  @ApiProperty({ nullable: true, type: String }) invoiceId: string | null;
  @ApiProperty({ nullable: true, type: String }) stripePaymentIntentId: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "A Stripe payment's real date (receivedOn is the posting date: the first open day when its month was closed)",
  })
  occurredOn: string | null;
  @ApiProperty({
    nullable: true,
    type: PaymentSettlementView,
    description: 'A card payment settled in another currency than its invoice',
  })
  settlement: PaymentSettlementView | null;
  @ApiProperty({
    description: 'Realised FX difference in the payment currency (account 7100): > 0 a loss, < 0 a gain',
  })
  fxDifference: string;
  @ApiProperty({ type: [PaymentAllocationView] }) allocations: PaymentAllocationView[];
  @ApiProperty() createdAt: string;
}

export class PaymentIntentView {
  @ApiProperty() paymentIntentId: string;
  @ApiProperty() clientSecret: string;
  @ApiProperty({ description: 'The invoice’s open amount the intent collects' }) amount: string;
  @ApiProperty({ type: String }) currency: Currency;
}

export class ReconciliationRowView {
  @ApiProperty({ nullable: true, type: String, description: 'null: ledger lines without a reseller' })
  resellerId: string | null;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiPropertyOptional({ enum: ['HARDWARE', 'CLOUD'] }) creditLine?: CreditLine;
  @ApiProperty() account: string;
  @ApiProperty({ description: 'Balance of the control account in the ledger' }) ledger: string;
  @ApiProperty({ description: 'The same from the subledger' }) subledger: string;
  @ApiProperty() difference: string;
  @ApiPropertyOptional({
    description: 'Receivables: open invoice amounts (the subledger = openInvoices − unappliedCredits)',
  })
  openInvoices?: string;
  @ApiPropertyOptional({
    description: 'Receivables: credits (negative invoice sides) not yet applied or refunded',
  })
  unappliedCredits?: string;
}

export class ReconciliationSectionView {
  @ApiProperty({ type: [ReconciliationRowView] }) items: ReconciliationRowView[];
  @ApiProperty({
    type: [ReconciliationRowView],
    description: 'Per currency (and credit line), over all resellers',
  })
  totals: ReconciliationRowView[];
}

export class ReconciliationDifferenceView extends ReconciliationRowView {
  @ApiProperty({
    enum: [
      'receivables',
      'unappliedCash',
      'stripeClearing',
      'unbilled',
      'accruedCosts',
      'payables',
      'deferredRevenue',
      'tax',
      'signs',
      'receivablesSubledger',
    ],
  })
  section: string;
  @ApiProperty({
    description:
      'control-account, ar-credit-balance, unapplied-cash-debit-balance, subledger-movements, credit-documents, write-off-documents, cash-on-credit, stranded-credit',
  })
  check: string;
  @ApiPropertyOptional({ description: 'The invoice concerned, for subledger checks' }) invoiceId?: string;
  @ApiProperty() expected: string;
  @ApiProperty() actual: string;
  @ApiProperty() message: string;
}

export class ReconciliationView {
  @ApiProperty() asOf: string;
  @ApiProperty({ nullable: true, type: String }) resellerId: string | null;
  @ApiProperty() reconciled: boolean;
  @ApiProperty({ type: ReconciliationSectionView, description: '1100/1110 beside open invoice amounts' })
  receivables: ReconciliationSectionView;
  @ApiProperty({ type: ReconciliationSectionView, description: '2200 beside unapplied payments' })
  unappliedCash: ReconciliationSectionView;
  @ApiProperty({
    type: ReconciliationSectionView,
    description: '1050 beside Stripe payments net of fees and refunds',
  })
  stripeClearing: ReconciliationSectionView;
  @ApiProperty({
    type: ReconciliationSectionView,
    description: '1190 beside the net of shipped hardware lines whose shipment posted revenue, not yet invoiced',
  })
  unbilled: ReconciliationSectionView;
  @ApiProperty({
    type: ReconciliationSectionView,
    description: '2050 beside vendor cost accruals not matched to a vendor bill, per reseller',
  })
  accruedCosts: ReconciliationSectionView;
  @ApiProperty({
    type: ReconciliationSectionView,
    description: '2000 beside open vendor bill amounts (no reseller)',
  })
  payables: ReconciliationSectionView;
  @ApiProperty({
    type: ReconciliationSectionView,
    description: '2400 beside invoiced cloud net not yet recognised (per charge, from the recognition subledger)',
  })
  deferredRevenue: ReconciliationSectionView;
  @ApiProperty({
    type: ReconciliationSectionView,
    description: '2100 per reseller beside the output tax of its invoices less credit notes and write-offs',
  })
  tax: ReconciliationSectionView;
  @ApiProperty({
    type: ReconciliationSectionView,
    description: "2500 beside collections made on the reseller's behalf not yet settled (docs/billing-on-behalf.md)",
  })
  collectionsHeld: ReconciliationSectionView;
  @ApiProperty({ type: [ReconciliationDifferenceView] }) differences: ReconciliationDifferenceView[];
}

/** What POST /webhooks/stripe answers Stripe (docs/api-conventions.md §9). */
export class StripeEventOutcomeView {
  @ApiProperty({ enum: [true] }) received: true;
  @ApiProperty() eventId: string;
  @ApiProperty({ example: 'payment_intent.succeeded' }) type: string;
  @ApiProperty({ example: 'recorded', description: '`recorded`, `duplicate`, or `ignored: <why>`' })
  outcome: string;
  @ApiPropertyOptional({ description: 'The card payment recorded, when there is one' }) paymentId?: string;
}
