// The purchasing module's row types, column lists and row → view mappers (docs/architecture.md §1).
import { Currency, Dec, moneyString } from '#disty/core';
import { VendorView } from './dto/vendor.dto';
import { AccrualMatchView, VendorBillLineView, VendorBillPaymentView, VendorBillSummaryView } from './dto/vendor-bill.dto';

export interface VendorRow {
  id: string;
  name: string;
  currency: Currency;
  payment_terms_days: number;
  active: boolean;
  created_at: Date;
}

export const VENDOR_COLUMNS = `v.id, v.name, v.currency, v.payment_terms_days, v.active, v.created_at`;

export function toVendorView(r: VendorRow): VendorView {
  return {
    id: r.id,
    name: r.name,
    currency: r.currency,
    paymentTermsDays: r.payment_terms_days,
    active: r.active,
    createdAt: r.created_at.toISOString(),
  };
}

export interface BillRow {
  id: string;
  vendor_id: string;
  vendor_name: string;
  number: string;
  bill_date: string;
  due_date: string;
  currency: Currency;
  net: string;
  tax: string;
  gross: string;
  matched: string;
  variance: string;
  paid: string;
  status: string;
  created_at: Date;
}

export const BILL_COLUMNS = `b.id, b.vendor_id, v.name AS vendor_name, b.number, b.bill_date::text AS bill_date, b.due_date::text AS due_date,
  b.currency, b.net::text AS net, b.tax::text AS tax, b.gross::text AS gross, b.matched::text AS matched, b.variance::text AS variance,
  b.paid::text AS paid, b.status, b.created_at`;

export const BILL_FROM = `vendor_bills b JOIN vendors v ON v.id = b.vendor_id`;

export function toBillSummary(r: BillRow): VendorBillSummaryView {
  const c = r.currency;
  return {
    id: r.id,
    vendorId: r.vendor_id,
    vendorName: r.vendor_name,
    number: r.number,
    date: r.bill_date,
    dueDate: r.due_date,
    currency: c,
    net: moneyString(new Dec(r.net), c),
    tax: moneyString(new Dec(r.tax), c),
    gross: moneyString(new Dec(r.gross), c),
    matched: moneyString(new Dec(r.matched), c),
    variance: moneyString(new Dec(r.variance), c),
    paid: moneyString(new Dec(r.paid), c),
    open: moneyString(new Dec(r.gross).minus(r.paid), c),
    status: r.status,
    createdAt: r.created_at.toISOString(),
  };
}

export interface BillLineRow {
  id: string;
  bill_id: string;
  line_no: number;
  sku: string | null;
  description: string;
  quantity: string;
  unit_cost: string;
  net: string;
  tax: string;
  gross: string;
  matched_quantity: string;
  matched_amount: string;
  variance: string;
  allow_unmatched: boolean;
}

export const BILL_LINE_COLUMNS = `l.id, l.bill_id, l.line_no, l.sku, l.description, l.quantity::text AS quantity, l.unit_cost::text AS unit_cost,
  l.net::text AS net, l.tax::text AS tax, l.gross::text AS gross, l.matched_quantity::text AS matched_quantity,
  l.matched_amount::text AS matched_amount, l.variance::text AS variance, l.allow_unmatched`;

export interface MatchedAccrualRow {
  id: string;
  vendor_bill_line_id: string;
  source_type: string;
  source_id: string;
  reseller_id: string | null;
  accrued_on: string;
  quantity: string;
  amount: string;
}

export function toBillLineView(r: BillLineRow, matches: MatchedAccrualRow[], c: Currency): VendorBillLineView {
  return {
    id: r.id,
    lineNo: r.line_no,
    sku: r.sku,
    description: r.description,
    quantity: quantity(r.quantity),
    unitCost: new Dec(r.unit_cost).toFixed(4),
    net: moneyString(new Dec(r.net), c),
    tax: moneyString(new Dec(r.tax), c),
    gross: moneyString(new Dec(r.gross), c),
    matchedQuantity: quantity(r.matched_quantity),
    matchedAmount: moneyString(new Dec(r.matched_amount), c),
    variance: moneyString(new Dec(r.variance), c),
    allowUnmatched: r.allow_unmatched,
    matches: matches.map((m): AccrualMatchView => ({
      accrualId: m.id,
      sourceType: m.source_type,
      sourceId: m.source_id,
      resellerId: m.reseller_id,
      accruedOn: m.accrued_on,
      quantity: quantity(m.quantity),
      amount: moneyString(new Dec(m.amount), c),
    })),
  };
}

export interface BillPaymentRow {
  id: string;
  bill_id: string;
  amount: string;
  paid_on: string;
  reference: string;
  created_at: Date;
}

export function toPaymentView(r: BillPaymentRow, c: Currency): VendorBillPaymentView {
  return {
    id: r.id,
    billId: r.bill_id,
    amount: moneyString(new Dec(r.amount), c),
    currency: c,
    paidOn: r.paid_on,
    reference: r.reference,
    createdAt: r.created_at.toISOString(),
  };
}

/** A quantity as the API shows it: no trailing zeros ("10", "2.5"). */
export function quantity(q: string | Dec): string {
  return new Dec(q.toString()).toFixed();
}
