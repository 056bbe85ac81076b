import { CreditLine, Currency, preparedStatement } from '#disty/core';
import { RECEIVABLES_LOCK_PREFIX } from '#disty/ledger';
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

// The billing run's statements for every invoice, prepared (parsed and planned once per
// connection; docs/performance.md, "Billing run").

/** An invoice, its lines and its AR movements in one statement, marking the run's work item DONE with it. */
export const INSERT_INVOICE = preparedStatement(
  'invoicing.insert-invoice',
  `WITH inv AS (
         INSERT INTO invoices (id, year, reseller_id, reseller_name, billing_run_id, period_end, currency, tax_rate,
                               issue_date, due_date, hardware_net, hardware_tax, hardware_gross, cloud_net, cloud_tax, cloud_gross,
                               creditable_net)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         RETURNING id),
       run AS (
         UPDATE billing_run_resellers SET status = 'DONE', invoice_id = $1, processed_at = now()
          WHERE run_id = $5 AND reseller_id = $3 AND status = 'PENDING'
         RETURNING 1),
       l AS (
         INSERT INTO invoice_lines (invoice_id, reseller_id, line_no, credit_line, source_type, source_id, sku, description, quantity,
                                    period_start, period_end, net, tax, gross, tax_rate, unit_cost, cost, tax_code, usage_quantity, usage_unit)
         SELECT inv.id, $3, t.line_no, t.credit_line, t.source_type, t.source_id, t.sku, t.description, t.quantity,
                t.period_start, t.period_end, t.net, t.tax, t.gross, t.tax_rate, t.unit_cost, t.cost, t.tax_code, t.usage_quantity, t.usage_unit
           FROM inv CROSS JOIN unnest($18::int[], $19::text[], $20::text[], $21::uuid[], $22::text[], $23::text[], $24::int[],
                                      $25::date[], $26::date[], $27::numeric[], $28::numeric[], $29::numeric[], $32::numeric[],
                                      $33::numeric[], $34::numeric[], $35::text[], $36::numeric[], $37::text[])
             AS t(line_no, credit_line, source_type, source_id, sku, description, quantity, period_start, period_end, net, tax, gross, tax_rate,
                  unit_cost, cost, tax_code, usage_quantity, usage_unit)
         RETURNING 1)
       INSERT INTO ar_movements (invoice_id, reseller_id, credit_line, currency, movement_date, kind, amount, source_type, source_id)
       SELECT inv.id, $3, m.credit_line, $7, $9, 'INVOICE', m.amount, 'invoice', inv.id::text
         FROM inv CROSS JOIN unnest($30::text[], $31::numeric[]) AS m(credit_line, amount)`,
);

/** The next gapless number of the year (the counter row stays locked until commit) on the invoice. */
export const NUMBER_INVOICE = preparedStatement(
  'invoicing.number-invoice',
  `WITH n AS (
         INSERT INTO document_counters AS c (series, year, last_number) VALUES ('INV', $2, 1)
         ON CONFLICT (series, year) DO UPDATE SET last_number = c.last_number + 1
         RETURNING last_number)
       UPDATE invoices i SET seq = n.last_number,
              number = 'INV-' || $2 || '-' || lpad(n.last_number::text, greatest(6, length(n.last_number::text)), '0')
         FROM n WHERE i.id = $1 RETURNING i.number`,
);

/** Whether the reseller has an invoice with a credit side (a negative open amount) in the currency. */
export const ANY_CREDIT = preparedStatement(
  'invoicing.any-credit',
  `SELECT EXISTS (SELECT 1 FROM invoices WHERE reseller_id = $1 AND currency = $2 AND (hardware_open < 0 OR cloud_open < 0)) AS any`,
);

/** Claims the run's next pending reseller and takes its receivables lock, in one round trip. */
export const CLAIM_NEXT_RESELLER = preparedStatement(
  'invoicing.claim-next-reseller',
  `SELECT w.reseller_id, pg_advisory_xact_lock(hashtext('${RECEIVABLES_LOCK_PREFIX}' || w.reseller_id)) IS NULL AS locked
     FROM (SELECT reseller_id FROM billing_run_resellers WHERE run_id = $1 AND status = 'PENDING'
            ORDER BY reseller_id LIMIT 1 FOR UPDATE SKIP LOCKED) w`,
);
