import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Dec, moneyString } from '#disty/core';
import { BillingFrequency, Term } from '../domain/schedule';
import { ChargeRow, ScheduledChangeRow, SubscriptionRow, TermRow } from '../subscription.sql';

export type SubscriptionStatus = 'ACTIVE' | 'CANCELLED' | 'EXPIRED';
export type ChargeKind = 'TERM' | 'PRORATION' | 'CANCELLATION_CREDIT';

/** The end customer as a subscription names it (not the customers module's EndCustomerView: schema names are global). */
export class SubscriptionEndCustomerView {
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The end customer record (GET /end-customers/{id}); null when not linked',
  })
  id: string | null;
  @ApiProperty() name: string;
  @ApiPropertyOptional({ nullable: true, type: String }) reference: string | null;
}

export class TermView {
  @ApiProperty() id: string;
  @ApiProperty() termNo: number;
  @ApiProperty({ example: '2026-01-15' }) startDate: string;
  @ApiProperty({ example: '2027-01-14', description: 'Last day covered, inclusive' }) endDate: string;
  @ApiProperty({ example: '12.50', description: 'Monthly unit price of the term' }) unitPrice: string;
  @ApiProperty() quantity: number;
  @ApiProperty() currency: string;
  @ApiProperty({ enum: ['MONTHLY', 'ANNUAL', 'UPFRONT'] }) billingFrequency: BillingFrequency;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Set when the term was cut short by an immediate cancellation',
  })
  endedOn: string | null;
}

/** What a charge was made by (the `source` of a subscription charge). */
export class ChargeSourceView {
  @ApiProperty() type: string;
  @ApiProperty() id: string;
}

export class ChargeView {
  @ApiProperty() id: string;
  @ApiProperty() subscriptionId: string;
  @ApiProperty() termId: string;
  @ApiProperty({ enum: ['TERM', 'PRORATION', 'CANCELLATION_CREDIT'] }) kind: ChargeKind;
  @ApiProperty() sku: string;
  @ApiProperty() billingDate: string;
  @ApiProperty() periodStart: string;
  @ApiProperty() periodEnd: string;
  @ApiProperty({
    description: 'Seats charged (TERM), or the change in seats (PRORATION, CANCELLATION_CREDIT)',
  })
  quantity: number;
  @ApiProperty({ example: '150.00', description: 'Net amount; negative for credits' }) amount: string;
  @ApiProperty() currency: string;
  @ApiProperty({ enum: ['CLOUD'] }) creditLine: 'CLOUD';
  @ApiProperty() description: string;
  @ApiProperty({ type: () => ChargeSourceView }) source: ChargeSourceView;
  @ApiProperty({ enum: ['UNBILLED', 'BILLED', 'VOID'] }) status: 'UNBILLED' | 'BILLED' | 'VOID';
  @ApiPropertyOptional({ nullable: true, type: String }) invoiceId: string | null;
}

export class ScheduledChangeView {
  @ApiProperty() id: string;
  @ApiProperty({
    enum: ['QUANTITY', 'CANCEL_IMMEDIATE', 'RENEWAL'],
    description: 'RENEWAL: applied when the next term is created',
  })
  kind: 'QUANTITY' | 'CANCEL_IMMEDIATE' | 'RENEWAL';
  @ApiProperty({ enum: ['RENEWAL', 'DATE'], description: 'At the next renewal, or on effectiveDate' }) at: 'RENEWAL' | 'DATE';
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'New seat count (QUANTITY, RENEWAL)' })
  quantity: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'New SKU of the next term (RENEWAL)' })
  sku: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'New term length of the next term (RENEWAL)',
  })
  term: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'New billing frequency of the next term (RENEWAL)',
  })
  billingFrequency: string | null;
  @ApiProperty({ example: '2027-01-15' }) effectiveDate: string;
  @ApiProperty({ enum: ['PENDING', 'APPLIED', 'CANCELLED', 'FAILED'] }) status: ScheduledChangeRow['status'];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Why it could not be applied (e.g. credit limit)',
  })
  failureReason: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) requestedBy: string | null;
  @ApiProperty() requestedAt: string;
  @ApiPropertyOptional({ nullable: true, type: String }) resolvedAt: string | null;
}

export function mapScheduledChange(r: ScheduledChangeRow): ScheduledChangeView {
  return {
    id: r.id,
    kind: r.kind,
    at: r.kind === 'RENEWAL' ? 'RENEWAL' : 'DATE',
    quantity: r.new_quantity,
    sku: r.new_sku,
    term: r.new_term,
    billingFrequency: r.new_billing_frequency,
    effectiveDate: r.effective_date,
    status: r.status,
    failureReason: r.failure_reason,
    requestedBy: r.created_by,
    requestedAt: r.created_at.toISOString(),
    resolvedAt: r.resolved_at ? r.resolved_at.toISOString() : null,
  };
}

export class SubscriptionView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty() orderLineId: string;
  @ApiProperty() sku: string;
  @ApiProperty() quantity: number;
  @ApiProperty({ enum: ['ACTIVE', 'CANCELLED', 'EXPIRED'] }) status: SubscriptionStatus;
  @ApiProperty() autoRenew: boolean;
  @ApiProperty() cancelAtTermEnd: boolean;
  @ApiProperty() termStart: string;
  @ApiProperty({ description: 'Last day covered, inclusive' }) termEnd: string;
  @ApiProperty({ example: '12.50', description: 'Monthly unit price of the current term' }) unitPrice: string;
  @ApiProperty() currency: string;
  @ApiProperty({ enum: ['P1M', 'P1Y', 'P3Y'] }) term: Term;
  @ApiProperty({ enum: ['MONTHLY', 'ANNUAL', 'UPFRONT'] }) billingFrequency: BillingFrequency;
  @ApiProperty({ type: SubscriptionEndCustomerView }) endCustomer: SubscriptionEndCustomerView;
  @ApiPropertyOptional({ nullable: true, type: String }) cancelledOn: string | null;
  @ApiProperty({ type: [TermView] }) terms: TermView[];
  @ApiPropertyOptional({ type: [ChargeView] }) charges?: ChargeView[];
  @ApiPropertyOptional({
    type: [ScheduledChangeView],
    description: 'Changes asked for a later date (PENDING until the renewal job applies them)',
  })
  scheduledChanges?: ScheduledChangeView[];
}

export function unitPriceString(v: string | Dec): string {
  // Unit prices keep up to 4 decimals (numeric(20,4)); at least 2 are shown.
  const d = new Dec(v.toString());
  return d.decimalPlaces() <= 2 ? d.toFixed(2) : d.toFixed(4).replace(/0+$/, '');
}

export function mapTerm(t: TermRow): TermView {
  return {
    id: t.id,
    termNo: t.term_no,
    startDate: t.start_date,
    endDate: t.end_date,
    unitPrice: unitPriceString(t.unit_price),
    quantity: t.quantity,
    currency: t.currency,
    billingFrequency: t.billing_frequency,
    endedOn: t.ended_on,
  };
}

export function mapCharge(c: ChargeRow): ChargeView {
  return {
    id: c.id,
    subscriptionId: c.subscription_id,
    termId: c.term_id,
    kind: c.kind,
    sku: c.sku,
    billingDate: c.billing_date,
    periodStart: c.period_start,
    periodEnd: c.period_end,
    quantity: c.quantity,
    amount: moneyString(c.amount, c.currency),
    currency: c.currency,
    creditLine: c.credit_line,
    description: c.description,
    source: { type: 'subscription_charge', id: c.id },
    status: c.voided_at ? 'VOID' : c.billed_invoice_id ? 'BILLED' : 'UNBILLED',
    invoiceId: c.billed_invoice_id,
  };
}

export function mapSubscription(s: SubscriptionRow, terms: TermRow[], charges?: ChargeRow[]): SubscriptionView {
  return {
    id: s.id,
    resellerId: s.reseller_id,
    orderLineId: s.order_line_id,
    sku: s.sku,
    quantity: s.quantity,
    status: s.status,
    autoRenew: s.auto_renew,
    cancelAtTermEnd: s.cancel_at_term_end,
    termStart: s.term_start,
    termEnd: s.term_end,
    unitPrice: unitPriceString(s.unit_price),
    currency: s.currency,
    term: s.term,
    billingFrequency: s.billing_frequency,
    endCustomer: { id: s.end_customer_id, name: s.end_customer_name, reference: s.end_customer_reference },
    cancelledOn: s.cancelled_on,
    terms: terms.map(mapTerm),
    ...(charges ? { charges: charges.map(mapCharge) } : {}),
  };
}
