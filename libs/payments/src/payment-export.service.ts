import { Injectable } from '@nestjs/common';
import { csvText, Currency, moneyString, ReadDatabase } from '#disty/core';

/** Columns of GET /exports/payments, in order (docs/accounting.md §8; README, "Exports"). */
export const PAYMENT_EXPORT_COLUMNS = [
  'payment_id',
  'reseller_id',
  'method',
  'received_on',
  'currency',
  'amount',
  'fee',
  'unapplied',
  'refunded',
  'reference',
  'invoice_id',
  'stripe_payment_intent_id',
] as const;

/** Payments received in a period as CSV rows for the ERP (owns no table; keyset batches in one snapshot, on the read replica when one is configured: docs/operations.md §15). */
@Injectable()
export class PaymentExportService {
  constructor(private readonly reads: ReadDatabase) {}

  async *payments(from: string, to: string): AsyncGenerator<Record<(typeof PAYMENT_EXPORT_COLUMNS)[number], string>> {
    type Row = Record<string, string | null> & { id: string; received_on: string; currency: Currency };
    const rows = this.reads.snapshot<Row>(1000, (query, last, size) =>
      query<Row>(
        `SELECT p.id, p.reseller_id, p.method, to_char(p.received_on, 'YYYY-MM-DD') AS received_on, p.currency, p.amount::text AS amount,
                p.fee::text AS fee, p.unapplied::text AS unapplied, p.refunded::text AS refunded, p.reference, p.invoice_id,
                p.stripe_payment_intent_id
           FROM payments p
          WHERE p.received_on BETWEEN $1 AND $2 ${last ? 'AND (p.received_on, p.id) > ($3::date, $4::uuid)' : ''}
          ORDER BY p.received_on, p.id LIMIT ${size}`,
        last ? [from, to, last.received_on, last.id] : [from, to],
      ),
    );
    for await (const r of rows) {
      const m = (v: string | null) => moneyString(v ?? '0', r.currency);
      yield {
        payment_id: r.id,
        reseller_id: r.reseller_id ?? '',
        method: r.method ?? '',
        received_on: r.received_on,
        currency: r.currency,
        amount: m(r.amount),
        fee: m(r.fee),
        unapplied: m(r.unapplied),
        refunded: m(r.refunded),
        reference: csvText(r.reference),
        invoice_id: r.invoice_id ?? '',
        stripe_payment_intent_id: r.stripe_payment_intent_id ?? '',
      };
    }
  }
}
