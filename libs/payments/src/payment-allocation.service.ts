// Owns payment_allocations: which invoices an amount goes to, and its split across their credit lines.
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CREDIT_LINES, CreditLine, Currency, Dec, minorUnits, moneyString, validationError } from '#disty/core';
import { amountDue, OpenInvoice, ReceivablesService, splitProRata } from '#disty/invoicing';
import { planOldestFirst } from './domain/allocation';
import { AllocationDto } from './dto/payment.dto';
import { paymentsError, PaymentsErrorCode } from './errors';

export interface Target {
  invoice: OpenInvoice;
  amount: Dec;
}

/** Allocating cash to invoices, shared by bank transfers, unapplied cash, settlements and Stripe. */
@Injectable()
export class PaymentAllocationService {
  constructor(private readonly receivables: ReceivablesService) {}

  /**
   * Which invoices an amount goes to: the explicit list (each of the reseller's, in its currency,
   * at most what it has due, in total at most `available`), or the oldest open invoices first.
   * Locks the invoices. The caller holds the reseller's lock.
   */
  async planTargets(
    em: EntityManager,
    resellerId: string,
    currency: Currency,
    available: Dec,
    explicit?: AllocationDto[],
  ): Promise<Target[]> {
    if (!explicit) {
      const open = await this.receivables.openInvoices(em, resellerId, currency);
      const byId = new Map(open.map((i) => [i.id, i]));
      const plan = planOldestFirst(
        available,
        open.map((i) => ({ id: i.id, due: amountDue(i.open) })),
      );
      return plan.allocations.map((a) => ({ invoice: byId.get(a.invoiceId)!, amount: a.amount }));
    }
    const ids = explicit.map((a) => a.invoiceId.toLowerCase());
    if (new Set(ids).size !== ids.length) {
      throw validationError('Each invoice may appear once in allocations', [{ field: 'allocations', message: 'duplicate invoiceId' }]);
    }
    const found = new Map((await this.receivables.lockInvoices(em, resellerId, ids)).map((i) => [i.id, i]));
    let total = new Dec(0);
    const targets = explicit.map((a, i): Target => {
      const invoice = found.get(ids[i]);
      if (!invoice)
        throw paymentsError(PaymentsErrorCode.UnknownInvoice, `Invoice ${a.invoiceId} is not an invoice of this reseller`, {
          invoiceId: a.invoiceId,
        });
      if (invoice.currency !== currency) {
        throw paymentsError(PaymentsErrorCode.CurrencyMismatch, `Invoice ${invoice.number} is in ${invoice.currency}, not ${currency}`);
      }
      const amount = new Dec(a.amount);
      if (amount.decimalPlaces() > minorUnits(currency)) {
        throw validationError(`amount has more decimals than ${currency} allows`, [
          { field: `allocations.${i}.amount`, message: `at most ${minorUnits(currency)} decimals` },
        ]);
      }
      const due = amountDue(invoice.open);
      if (amount.gt(due)) {
        throw paymentsError(
          PaymentsErrorCode.OverAllocation,
          `Invoice ${invoice.number} has ${moneyString(due, currency)} ${currency} due; ${moneyString(amount, currency)} cannot be applied to it`,
          {
            invoiceId: invoice.id,
            due: moneyString(due, currency),
            requested: moneyString(amount, currency),
          },
        );
      }
      total = total.plus(amount);
      return { invoice, amount };
    });
    if (total.gt(available)) {
      throw paymentsError(
        PaymentsErrorCode.OverAllocation,
        `Allocations total ${moneyString(total, currency)} ${currency}; only ${moneyString(available, currency)} ${currency} is available`,
        {
          available: moneyString(available, currency),
          requested: moneyString(total, currency),
        },
      );
    }
    return targets;
  }

  /**
   * Applies each target amount to its invoice, split across the invoice's credit lines pro rata to
   * what is open on each; records the allocations and the AR movements. Returns the totals per
   * credit line (what the posting credits to 1100/1110).
   */
  async allocate(
    em: EntityManager,
    a: {
      paymentId: string;
      resellerId: string;
      currency: Currency;
      batchId: string;
      kind: 'PAYMENT' | 'APPLICATION';
      date: string;
      source: { type: string; id: string };
      targets: Target[];
      updated?: OpenInvoice[];
    },
  ): Promise<Record<CreditLine, Dec>> {
    const perLine: Record<CreditLine, Dec> = { HARDWARE: new Dec(0), CLOUD: new Dec(0) };
    const rows: Array<{ invoiceId: string; line: CreditLine; amount: Dec }> = [];
    for (const t of a.targets) {
      if (!t.amount.gt(0)) continue;
      const { parts, leftover } = splitProRata(t.amount, t.invoice.open, a.currency);
      if (!leftover.isZero()) throw new Error(`allocation of ${t.amount.toFixed()} exceeds what ${t.invoice.number} has due`);
      const inv = await this.receivables.applyToInvoice(em, {
        invoiceId: t.invoice.id,
        amounts: parts,
        date: a.date,
        kind: 'PAYMENT',
        source: a.source,
      });
      a.updated?.push(inv);
      for (const l of CREDIT_LINES) {
        if (parts[l].isZero()) continue;
        perLine[l] = perLine[l].plus(parts[l]);
        rows.push({ invoiceId: t.invoice.id, line: l, amount: parts[l] });
      }
    }
    if (rows.length) {
      await em.query(
        `INSERT INTO payment_allocations (payment_id, reseller_id, batch_id, kind, invoice_id, credit_line, amount, applied_on)
         SELECT $1, $2, $3, $4, t.invoice_id, t.line, t.amount, $5 FROM unnest($6::uuid[], $7::text[], $8::numeric[]) AS t(invoice_id, line, amount)`,
        [
          a.paymentId,
          a.resellerId,
          a.batchId,
          a.kind,
          a.date,
          rows.map((r) => r.invoiceId),
          rows.map((r) => r.line),
          rows.map((r) => r.amount.toFixed()),
        ],
      );
    }
    return perLine;
  }
}
