import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Currency, moneyString } from '#disty/core';
import { ALERT_KINDS, ALERT_SOURCES, ALERT_STATUSES, AlertKind, AlertSource, AlertStatus } from '../domain/alert-status';
import { AlertRow, CardRow, NoteRow, SubscriptionStateRow } from '../renewal-alert.sql';

export class AlertNoteView {
  @ApiProperty() id: string;
  @ApiProperty() authorId: string;
  @ApiProperty() body: string;
  @ApiProperty() createdAt: string;
}

export class AlertEndCustomerView {
  @ApiProperty() name: string;
  @ApiPropertyOptional({ nullable: true, type: String }) reference: string | null;
}

export class RenewalAlertView {
  @ApiProperty() id: string;
  @ApiProperty() resellerId: string;
  @ApiProperty({ enum: ALERT_SOURCES }) source: AlertSource;
  @ApiPropertyOptional({ nullable: true, type: String }) subscriptionId: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The hardware order line of a warranty alert',
  })
  orderLineId: string | null;
  @ApiProperty({ type: AlertEndCustomerView }) endCustomer: AlertEndCustomerView;
  @ApiProperty() sku: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'The product’s name in the catalog (null when the SKU is no longer there)',
  })
  productName: string | null;
  @ApiProperty() quantity: number;
  @ApiProperty({ example: '2027-01-14', description: 'Last day of the term or warranty (inclusive)' })
  termEnd: string;
  @ApiProperty({
    enum: ALERT_KINDS,
    description: 'THRESHOLD: a 90/60/30 alert; WINDOW: a month-to-month term’s commitment-window reminder (threshold 0)',
  })
  kind: AlertKind;
  @ApiProperty({ example: 30 }) threshold: number;
  @ApiProperty({ description: 'termEnd − asOf (asOf: the request’s, or today)' }) daysLeft: number;
  @ApiProperty({ example: '2026-10-16', description: 'The scan date that raised the alert' })
  raisedAsOf: string;
  @ApiProperty({
    example: '1500.00',
    description: 'Next term at the current catalog price × quantity (warranty: extended-warranty price, else the line’s net)',
  })
  renewalValue: string;
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty({ enum: ALERT_STATUSES }) status: AlertStatus;
  @ApiPropertyOptional({ nullable: true, type: String }) assigneeId: string | null;
  @ApiProperty({ type: [AlertNoteView] }) notes: AlertNoteView[];
  @ApiProperty() raisedAt: string;
  @ApiProperty() updatedAt: string;
}

export class CardWindowView {
  @ApiProperty({
    example: '2027-01-21T09:30:00.000Z',
    description: 'When the commitment window closes (seat decreases and cancellations end)',
  })
  closesAt: string;
  @ApiProperty({ description: 'Whether the window is still open now' }) open: boolean;
}

export class CardScheduledChangeView {
  @ApiProperty() id: string;
  @ApiPropertyOptional({ nullable: true, type: Number }) quantity: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) sku: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) term: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) billingFrequency: string | null;
  @ApiProperty({ example: '2027-01-15', description: 'The next term’s first day' }) effectiveDate: string;
}

export class RenewalCardView extends RenewalAlertView {
  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    description: 'Subscriptions: whether it renews automatically (null for warranties)',
  })
  autoRenew: boolean | null;
  @ApiPropertyOptional({
    nullable: true,
    type: Boolean,
    description: 'Subscriptions: whether it is cancelled at the term’s end (null for warranties)',
  })
  cancelAtTermEnd: boolean | null;
  @ApiPropertyOptional({
    nullable: true,
    type: CardWindowView,
    description: 'The commitment window, where the product’s pack has one',
  })
  commitmentWindow: CardWindowView | null;
  @ApiPropertyOptional({
    nullable: true,
    type: CardScheduledChangeView,
    description: 'The pending change at renewal, if any',
  })
  scheduledChange: CardScheduledChangeView | null;
  @ApiProperty({
    type: [String],
    description: 'Every alert of this renewal (term or warranty), largest threshold first; `id` is the current one',
  })
  alertIds: string[];
  @ApiProperty({
    type: [Number],
    description: 'The thresholds raised for this renewal, largest first; `threshold` is the current (latest) one',
  })
  thresholds: number[];
}

export class PipelineBucket {
  @ApiProperty({ type: String }) currency: Currency;
  @ApiProperty() count: number;
  @ApiProperty({ example: '12000.00' }) value: string;
}

export class PipelineThresholdBucket extends PipelineBucket {
  @ApiProperty() threshold: number;
}

export class PipelineStatusBucket extends PipelineBucket {
  @ApiProperty({ enum: ALERT_STATUSES }) status: AlertStatus;
}

export class PipelineView {
  @ApiProperty({ type: [PipelineThresholdBucket] }) byThreshold: PipelineThresholdBucket[];
  @ApiProperty({ type: [PipelineStatusBucket] }) byStatus: PipelineStatusBucket[];
  @ApiProperty({
    type: [PipelineBucket],
    description: 'All renewals, per currency (each renewal once, at its current threshold and status)',
  })
  total: PipelineBucket[];
}

export function mapNote(n: NoteRow): AlertNoteView {
  return { id: n.id, authorId: n.author_id, body: n.body, createdAt: new Date(n.created_at).toISOString() };
}

export function mapAlert(r: AlertRow & { days_left_now: number }, notes: NoteRow[], productName: string | null): RenewalAlertView {
  return {
    id: r.id,
    resellerId: r.reseller_id,
    source: r.source,
    subscriptionId: r.subscription_id,
    orderLineId: r.order_line_id,
    endCustomer: { name: r.end_customer_name, reference: r.end_customer_reference },
    sku: r.sku,
    productName,
    quantity: r.quantity,
    termEnd: r.term_end,
    kind: r.kind,
    threshold: r.threshold,
    daysLeft: r.days_left_now,
    raisedAsOf: r.raised_as_of,
    renewalValue: moneyString(r.renewal_value, r.currency),
    currency: r.currency,
    status: r.status,
    assigneeId: r.assignee_id,
    notes: notes.map(mapNote),
    raisedAt: new Date(r.raised_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** A renewal's card: its current alert with the renewal's status, assignee, alerts and notes. */
export function mapCard(
  r: CardRow,
  notes: NoteRow[],
  productName: string | null,
  state: SubscriptionStateRow | undefined,
  now: Date,
): RenewalCardView {
  const closes = state?.window_closes_at ? new Date(state.window_closes_at) : null;
  return {
    ...mapAlert(r, notes, productName),
    status: r.renewal_status,
    assigneeId: r.renewal_assignee,
    alertIds: r.alert_ids,
    thresholds: r.thresholds,
    autoRenew: state ? state.auto_renew : null,
    cancelAtTermEnd: state ? state.cancel_at_term_end : null,
    commitmentWindow: closes ? { closesAt: closes.toISOString(), open: now.getTime() <= closes.getTime() } : null,
    scheduledChange: state?.change_id
      ? {
          id: state.change_id,
          quantity: state.change_quantity,
          sku: state.change_sku,
          term: state.change_term,
          billingFrequency: state.change_billing_frequency,
          effectiveDate: state.change_effective_date!,
        }
      : null,
  };
}

/** CSV columns, in order: the same fields as the JSON view (notes joined, one per line). */
export const CSV_COLUMNS: Array<{ key: string; header: string }> = [
  { key: 'id', header: 'id' },
  { key: 'resellerId', header: 'resellerId' },
  { key: 'source', header: 'source' },
  { key: 'subscriptionId', header: 'subscriptionId' },
  { key: 'orderLineId', header: 'orderLineId' },
  { key: 'endCustomer', header: 'endCustomer' },
  { key: 'endCustomerReference', header: 'endCustomerReference' },
  { key: 'sku', header: 'sku' },
  { key: 'quantity', header: 'quantity' },
  { key: 'termEnd', header: 'termEnd' },
  { key: 'threshold', header: 'threshold' },
  { key: 'daysLeft', header: 'daysLeft' },
  { key: 'renewalValue', header: 'renewalValue' },
  { key: 'currency', header: 'currency' },
  { key: 'status', header: 'status' },
  { key: 'assigneeId', header: 'assigneeId' },
  { key: 'notes', header: 'notes' },
  { key: 'raisedAt', header: 'raisedAt' },
  { key: 'productName', header: 'productName' }, // appended last: earlier columns keep their positions
  { key: 'kind', header: 'kind' },
];

/** Spreadsheet formula injection: free text starting with = + - @ (or a tab/CR) is prefixed with '. */
export function csvSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function toCsvRecord(v: RenewalAlertView): Record<string, string | number> {
  return {
    id: v.id,
    resellerId: v.resellerId,
    source: v.source,
    subscriptionId: v.subscriptionId ?? '',
    orderLineId: v.orderLineId ?? '',
    endCustomer: csvSafe(v.endCustomer.name),
    endCustomerReference: csvSafe(v.endCustomer.reference ?? ''),
    sku: v.sku,
    quantity: v.quantity,
    termEnd: v.termEnd,
    threshold: v.threshold,
    daysLeft: v.daysLeft,
    renewalValue: v.renewalValue,
    kind: v.kind,
    currency: v.currency,
    status: v.status,
    assigneeId: v.assigneeId ?? '',
    notes: csvSafe(v.notes.map((n) => `${n.createdAt} ${n.authorId}: ${n.body}`).join('\n')),
    raisedAt: v.raisedAt,
    productName: csvSafe(v.productName ?? ''),
  };
}
