import { AmountsView, CreditLine, Currency, Dec, formatRate, moneyString } from '#disty/core';
import { amountDue, creditBalance } from './domain/invoice-math';
import { CreditNoteView, InvoiceLineView, InvoiceSummaryView, InvoiceTotalsView, InvoiceView } from './dto/invoice.dto';
import { CreditNoteLineRow, CreditNoteRow, InvoiceRow, LineRow } from './invoicing.sql';

const amounts = (net: Dec, tax: Dec, c: Currency): AmountsView => ({
  net: moneyString(net, c),
  tax: moneyString(tax, c),
  gross: moneyString(net.plus(tax), c),
});

export function openOf(r: Pick<InvoiceRow, 'hardware_open' | 'cloud_open'>): Record<CreditLine, Dec> {
  return { HARDWARE: new Dec(r.hardware_open), CLOUD: new Dec(r.cloud_open) };
}

export function mapInvoiceSummary(r: InvoiceRow): InvoiceSummaryView {
  const c = r.currency;
  const hw = { net: new Dec(r.hardware_net), tax: new Dec(r.hardware_tax) };
  const cl = { net: new Dec(r.cloud_net), tax: new Dec(r.cloud_tax) };
  const totals: InvoiceTotalsView = {
    HARDWARE: amounts(hw.net, hw.tax, c),
    CLOUD: amounts(cl.net, cl.tax, c),
    all: amounts(hw.net.plus(cl.net), hw.tax.plus(cl.tax), c),
  };
  const open = openOf(r);
  return {
    id: r.id,
    number: r.number,
    resellerId: r.reseller_id,
    resellerName: r.reseller_name,
    currency: c,
    issueDate: r.issue_date,
    dueDate: r.due_date,
    periodEnd: r.period_end,
    status: r.status,
    taxRate: r.tax_rate === null ? null : formatRate(r.tax_rate),
    totals,
    amountPaid: moneyString(new Dec(r.hardware_paid).plus(r.cloud_paid), c),
    amountCredited: moneyString(new Dec(r.hardware_credited).plus(r.cloud_credited), c),
    // Credit applications net to zero within an invoice; what is left is credit from other documents
    // (> 0) or this invoice's credit used elsewhere or refunded (< 0). docs/money-integrity.md.
    creditsApplied: moneyString(Dec.max(new Dec(r.hardware_offset).plus(r.cloud_offset), 0), c),
    creditUsed: moneyString(Dec.max(new Dec(r.hardware_offset).plus(r.cloud_offset).negated(), 0), c),
    amountWrittenOff: moneyString(new Dec(r.hardware_written_off).plus(r.cloud_written_off), c),
    amountDue: moneyString(amountDue(open), c),
    creditBalance: moneyString(creditBalance(open), c),
    open: { HARDWARE: moneyString(open.HARDWARE, c), CLOUD: moneyString(open.CLOUD, c) },
    billingRunId: r.billing_run_id,
  };
}

export function mapLine(l: LineRow, c: Currency): InvoiceLineView {
  return {
    id: l.id,
    description: l.description,
    sku: l.sku,
    creditLine: l.credit_line,
    quantity: l.quantity,
    periodStart: l.period_start,
    periodEnd: l.period_end,
    net: moneyString(l.net, c),
    tax: moneyString(l.tax, c),
    gross: moneyString(l.gross, c),
    taxCode: l.tax_code,
    taxRate: formatRate(l.tax_rate),
    creditedNet: moneyString(l.credited_net, c),
    source: { type: l.source_type, id: l.source_id },
    ...(l.usage_quantity != null ? { usage: usageOf(l.usage_quantity, l.usage_unit ?? '', l.net) } : {}),
  };
}

/** A usage line's quantity, unit and average unit price (net ÷ quantity; docs/consumption.md, "Billing"). */
function usageOf(quantity: string, unit: string, net: string): { quantity: string; unit: string; unitPrice: string } {
  const q = new Dec(quantity);
  return {
    quantity: q.toFixed(),
    unit,
    unitPrice: q.isZero() ? '0' : new Dec(net).div(q).toDecimalPlaces(6).toFixed(),
  };
}

export function mapCreditNote(n: CreditNoteRow, lines: CreditNoteLineRow[]): CreditNoteView {
  const c = n.currency;
  const hw = { net: new Dec(n.hardware_net), tax: new Dec(n.hardware_tax) };
  const cl = { net: new Dec(n.cloud_net), tax: new Dec(n.cloud_tax) };
  return {
    id: n.id,
    number: n.number,
    invoiceId: n.invoice_id,
    invoiceNumber: n.invoice_number,
    resellerId: n.reseller_id,
    currency: c,
    issueDate: n.issue_date,
    reason: n.reason,
    kind: n.kind,
    subscriptionChangeId: n.subscription_change_id,
    lines: lines.map((l) => ({
      invoiceLineId: l.invoice_line_id,
      creditLine: l.credit_line,
      net: moneyString(l.net, c),
      tax: moneyString(l.tax, c),
      gross: moneyString(new Dec(l.net).plus(l.tax), c),
    })),
    totals: {
      HARDWARE: amounts(hw.net, hw.tax, c),
      CLOUD: amounts(cl.net, cl.tax, c),
      all: amounts(hw.net.plus(cl.net), hw.tax.plus(cl.tax), c),
    },
  };
}

export function mapInvoice(r: InvoiceRow, lines: LineRow[], creditNotes: CreditNoteView[]): InvoiceView {
  return { ...mapInvoiceSummary(r), lines: lines.map((l) => mapLine(l, r.currency)), creditNotes };
}
