import { CreditLine, Currency } from '#disty/core';
import { BillingRunStatus, CreditNoteKind, InvoiceStatus } from './dto/invoice.dto';

/** Invoice header columns (dates as YYYY-MM-DD text, numerics as strings). */
export const INVOICE_COLUMNS = `
  i.id, i.number, i.year, i.seq, i.reseller_id, i.reseller_name, i.billing_run_id, i.currency, i.tax_rate::text AS tax_rate,
  to_char(i.period_end, 'YYYY-MM-DD') AS period_end, to_char(i.issue_date, 'YYYY-MM-DD') AS issue_date,
  to_char(i.due_date, 'YYYY-MM-DD') AS due_date,
  i.hardware_net::text AS hardware_net, i.hardware_tax::text AS hardware_tax, i.hardware_gross::text AS hardware_gross,
  i.cloud_net::text AS cloud_net, i.cloud_tax::text AS cloud_tax, i.cloud_gross::text AS cloud_gross,
  i.hardware_paid::text AS hardware_paid, i.cloud_paid::text AS cloud_paid,
  i.hardware_credited::text AS hardware_credited, i.cloud_credited::text AS cloud_credited,
  i.hardware_open::text AS hardware_open, i.cloud_open::text AS cloud_open, i.status,
  i.hardware_offset::text AS hardware_offset, i.cloud_offset::text AS cloud_offset,
  i.hardware_written_off::text AS hardware_written_off, i.cloud_written_off::text AS cloud_written_off`;

export interface InvoiceRow {
  id: string;
  number: string;
  year: number;
  seq: number;
  reseller_id: string;
  reseller_name: string;
  billing_run_id: string | null;
  currency: Currency;
  tax_rate: string | null;
  period_end: string;
  issue_date: string;
  due_date: string;
  hardware_net: string;
  hardware_tax: string;
  hardware_gross: string;
  cloud_net: string;
  cloud_tax: string;
  cloud_gross: string;
  hardware_paid: string;
  cloud_paid: string;
  hardware_credited: string;
  cloud_credited: string;
  hardware_open: string;
  cloud_open: string;
  status: InvoiceStatus;
  hardware_offset: string;
  cloud_offset: string;
  hardware_written_off: string;
  cloud_written_off: string;
}

export const LINE_COLUMNS = `
  l.id, l.invoice_id, l.line_no, l.credit_line, l.source_type, l.source_id, l.sku, l.description, l.quantity,
  to_char(l.period_start, 'YYYY-MM-DD') AS period_start, to_char(l.period_end, 'YYYY-MM-DD') AS period_end,
  l.net::text AS net, l.tax::text AS tax, l.gross::text AS gross,
  l.credited_net::text AS credited_net, l.credited_tax::text AS credited_tax, l.tax_rate::text AS tax_rate, l.tax_code,
  l.usage_quantity::text AS usage_quantity, l.usage_unit`;

export interface LineRow {
  id: string;
  invoice_id: string;
  line_no: number;
  credit_line: CreditLine;
  source_type: string;
  source_id: string;
  sku: string;
  description: string;
  quantity: number;
  period_start: string | null;
  period_end: string | null;
  net: string;
  tax: string;
  gross: string;
  credited_net: string;
  credited_tax: string;
  tax_rate: string;
  tax_code: string | null;
  usage_quantity: string | null;
  usage_unit: string | null;
}

export const CREDIT_NOTE_COLUMNS = `
  c.id, c.number, c.invoice_id, c.reseller_id, c.currency, to_char(c.issue_date, 'YYYY-MM-DD') AS issue_date, c.reason,
  c.hardware_net::text AS hardware_net, c.hardware_tax::text AS hardware_tax,
  c.cloud_net::text AS cloud_net, c.cloud_tax::text AS cloud_tax, c.kind, c.subscription_change_id,
  (SELECT ci.number FROM invoices ci WHERE ci.id = c.invoice_id) AS invoice_number`;

export interface CreditNoteRow {
  id: string;
  number: string;
  invoice_id: string;
  reseller_id: string;
  currency: Currency;
  issue_date: string;
  reason: string;
  hardware_net: string;
  hardware_tax: string;
  cloud_net: string;
  cloud_tax: string;
  kind: CreditNoteKind;
  subscription_change_id: string | null;
  invoice_number: string;
}

export interface CreditNoteLineRow {
  credit_note_id: string;
  invoice_line_id: string;
  credit_line: CreditLine;
  net: string;
  tax: string;
}

/** The invoice column that carries a credit line's applied or paid-out credits. */
export const OFFSET_COLUMN: Record<CreditLine, string> = {
  HARDWARE: 'hardware_offset',
  CLOUD: 'cloud_offset',
};

/** A billing run with its work-list counts. */
export interface RunRow {
  id: string;
  period_end: string;
  status: BillingRunStatus;
  started_at: Date;
  completed_at: Date | null;
  total: number;
  done: number;
  failed: number;
  invoices: number;
}

/** An overdue open invoice line (credit holds). */
export interface OverdueRow {
  reseller_id: string;
  credit_line: CreditLine;
  invoice_id: string;
}

/** An invoice with something open, as credit applications read it. */
export interface CreditRow {
  id: string;
  number: string | null;
  issue_date: string;
  hardware_open: string;
  cloud_open: string;
}
