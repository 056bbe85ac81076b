import { Injectable } from '@nestjs/common';
import { csvText, Currency, Dec, moneyString, ReadDatabase } from '#disty/core';

/** Columns of GET /exports/invoices, in order (docs/accounting.md §8; README, "Exports"). */
export const INVOICE_EXPORT_COLUMNS = [
  'invoice_id',
  'number',
  'reseller_id',
  'reseller_name',
  'issue_date',
  'due_date',
  'currency',
  'hardware_net',
  'hardware_tax',
  'hardware_gross',
  'cloud_net',
  'cloud_tax',
  'cloud_gross',
  'net',
  'tax',
  'gross',
  'paid',
  'credited',
  'written_off',
  'open',
  'status',
] as const;

/** Columns of GET /exports/credit-notes, in order. */
export const CREDIT_NOTE_EXPORT_COLUMNS = [
  'credit_note_id',
  'number',
  'invoice_id',
  'invoice_number',
  'reseller_id',
  'issue_date',
  'currency',
  'kind',
  'reason',
  'hardware_net',
  'hardware_tax',
  'cloud_net',
  'cloud_tax',
  'net',
  'tax',
  'gross',
] as const;

type Out<C extends readonly string[]> = Record<C[number], string>;

const BATCH = 1000;

/**
 * The invoicing documents of a period as CSV rows for the distributor's ERP (owns no table; reads
 * invoices and credit notes in keyset batches in one snapshot, docs/accounting.md §8), on the read
 * replica when one is configured (docs/operations.md §15).
 */
@Injectable()
export class InvoicingExportService {
  constructor(private readonly reads: ReadDatabase) {}

  /** Issued invoices with an issue date in [from, to], by issue date. */
  async *invoices(from: string, to: string): AsyncGenerator<Out<typeof INVOICE_EXPORT_COLUMNS>> {
    type Row = Record<string, string> & { id: string; issue_date: string; currency: Currency };
    const rows = this.reads.snapshot<Row>(BATCH, (query, last, size) =>
      query<Row>(
        `SELECT i.id, i.number, i.reseller_id, i.reseller_name, to_char(i.issue_date, 'YYYY-MM-DD') AS issue_date,
                to_char(i.due_date, 'YYYY-MM-DD') AS due_date, i.currency,
                i.hardware_net::text AS hardware_net, i.hardware_tax::text AS hardware_tax, i.hardware_gross::text AS hardware_gross,
                i.cloud_net::text AS cloud_net, i.cloud_tax::text AS cloud_tax, i.cloud_gross::text AS cloud_gross,
                (i.hardware_paid + i.cloud_paid)::text AS paid, (i.hardware_credited + i.cloud_credited)::text AS credited,
                (i.hardware_written_off + i.cloud_written_off)::text AS written_off, (i.hardware_open + i.cloud_open)::text AS open, i.status
           FROM invoices i
          WHERE i.number IS NOT NULL AND i.issue_date BETWEEN $1 AND $2 ${last ? 'AND (i.issue_date, i.id) > ($3::date, $4::uuid)' : ''}
          ORDER BY i.issue_date, i.id LIMIT ${size}`,
        last ? [from, to, last.issue_date, last.id] : [from, to],
      ),
    );
    for await (const r of rows) {
      const m = (v: string | Dec) => moneyString(v, r.currency);
      yield {
        invoice_id: r.id,
        number: r.number,
        reseller_id: r.reseller_id,
        reseller_name: csvText(r.reseller_name),
        issue_date: r.issue_date,
        due_date: r.due_date,
        currency: r.currency,
        hardware_net: m(r.hardware_net),
        hardware_tax: m(r.hardware_tax),
        hardware_gross: m(r.hardware_gross),
        cloud_net: m(r.cloud_net),
        cloud_tax: m(r.cloud_tax),
        cloud_gross: m(r.cloud_gross),
        net: m(new Dec(r.hardware_net).plus(r.cloud_net)),
        tax: m(new Dec(r.hardware_tax).plus(r.cloud_tax)),
        gross: m(new Dec(r.hardware_gross).plus(r.cloud_gross)),
        paid: m(r.paid),
        credited: m(r.credited),
        written_off: m(r.written_off),
        open: m(r.open),
        status: r.status,
      };
    }
  }

  /** Credit notes with an issue date in [from, to], by issue date. */
  async *creditNotes(from: string, to: string): AsyncGenerator<Out<typeof CREDIT_NOTE_EXPORT_COLUMNS>> {
    type Row = Record<string, string> & { id: string; issue_date: string; currency: Currency };
    const rows = this.reads.snapshot<Row>(BATCH, (query, last, size) =>
      query<Row>(
        `SELECT c.id, c.number, c.invoice_id, i.number AS invoice_number, c.reseller_id, to_char(c.issue_date, 'YYYY-MM-DD') AS issue_date,
                c.currency, c.kind, c.reason, c.hardware_net::text AS hardware_net, c.hardware_tax::text AS hardware_tax,
                c.cloud_net::text AS cloud_net, c.cloud_tax::text AS cloud_tax
           FROM credit_notes c JOIN invoices i ON i.id = c.invoice_id
          WHERE c.issue_date BETWEEN $1 AND $2 ${last ? 'AND (c.issue_date, c.id) > ($3::date, $4::uuid)' : ''}
          ORDER BY c.issue_date, c.id LIMIT ${size}`,
        last ? [from, to, last.issue_date, last.id] : [from, to],
      ),
    );
    for await (const r of rows) {
      const m = (v: string | Dec) => moneyString(v, r.currency);
      const net = new Dec(r.hardware_net).plus(r.cloud_net);
      const tax = new Dec(r.hardware_tax).plus(r.cloud_tax);
      yield {
        credit_note_id: r.id,
        number: r.number,
        invoice_id: r.invoice_id,
        invoice_number: r.invoice_number,
        reseller_id: r.reseller_id,
        issue_date: r.issue_date,
        currency: r.currency,
        kind: r.kind,
        reason: csvText(r.reason),
        hardware_net: m(r.hardware_net),
        hardware_tax: m(r.hardware_tax),
        cloud_net: m(r.cloud_net),
        cloud_tax: m(r.cloud_tax),
        net: m(net),
        tax: m(tax),
        gross: m(net.plus(tax)),
      };
    }
  }
}
