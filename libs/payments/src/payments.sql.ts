import { Currency, preparedStatement } from '#disty/core';
import { PaymentMethod } from './dto/payment.dto';

/** Payments' shared SQL and row types (payments reads only its own tables; invoices through invoicing's ReceivablesService). */

export interface PaymentRow {
  id: string;
  reseller_id: string;
  method: PaymentMethod;
  currency: Currency;
  amount: string;
  fee: string;
  unapplied: string;
  refunded: string;
  reference: string;
  received_on: string;
  invoice_id: string | null;
  stripe_payment_intent_id: string | null;
  occurred_on: string | null;
  settlement_currency: Currency | null;
  settlement_amount: string | null;
  settlement_fee: string | null;
  exchange_rate: string | null;
  fx_difference: string;
  created_at: Date;
}

export const PAYMENT_COLUMNS = `
  p.id, p.reseller_id, p.method, p.currency, p.amount::text AS amount, p.fee::text AS fee, p.unapplied::text AS unapplied,
  p.refunded::text AS refunded, p.reference, to_char(p.received_on, 'YYYY-MM-DD') AS received_on, p.invoice_id,
  p.stripe_payment_intent_id, to_char(p.occurred_on, 'YYYY-MM-DD') AS occurred_on, p.settlement_currency, p.settlement_amount::text AS settlement_amount,
  p.settlement_fee::text AS settlement_fee, p.exchange_rate::text AS exchange_rate, p.fx_difference::text AS fx_difference, p.created_at`;

/** A reseller's payments with unapplied cash in a currency, oldest first, locked: what a new invoice takes first (run once per invoice of a billing run). */
export const UNAPPLIED_PAYMENTS = preparedStatement(
  'payments.unapplied-for-reseller',
  `SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.reseller_id = $1 AND p.currency = $2 AND p.unapplied > 0
    ORDER BY p.received_on, p.created_at, p.id FOR UPDATE`,
);
