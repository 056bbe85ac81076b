// Owns payments: bank transfers recorded, unapplied cash applied, settlement netting (reads: PaymentQueryService).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  Clock,
  CreditLine,
  Currency,
  Dec,
  idempotentTransaction,
  notFound,
  ProblemError,
  queryPrepared,
  retryOnConflict,
  validationError,
} from '#disty/core';
import { amountDue, NewInvoice, OpenInvoice, ReceivablesService, UnappliedCash } from '#disty/invoicing';
import { AccountCode, atCarrying, credit, debit, LedgerService, lockReceivables, receivableCredits } from '#disty/ledger';
import { ResellerService } from '#disty/reseller';
import { WebhookService } from '#disty/webhooks';
import { planOldestFirst } from './domain/allocation';
import { PAYMENT_COLUMNS, PaymentRow, UNAPPLIED_PAYMENTS } from './payments.sql';
import { applicationDate, splitByApplicationDate } from './domain/application-date';
import { ApplyPaymentDto, PaymentView, RecordPaymentDto } from './dto/payment.dto';
import { paymentsError, PaymentsErrorCode } from './errors';
import { PaymentAllocationService, Target } from './payment-allocation.service';
import { PaymentQueryService } from './payment-query.service';

/**
 * Payments: bank transfers recorded by finance, their allocation to invoices (explicit, or oldest
 * first), split per invoice across its credit lines pro rata to what is open on each (so each line
 * frees exactly what was paid against it), and unapplied cash (2200) applied later or to the next
 * invoice when it is issued. Every use case runs in one transaction under the reseller's
 * receivables lock, with its ledger posting and its AR subledger movements.
 */
@Injectable()
export class PaymentService implements UnappliedCash {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly receivables: ReceivablesService,
    private readonly ledger: LedgerService,
    private readonly resellers: ResellerService,
    private readonly clock: Clock,
    private readonly webhooks: WebhookService,
    private readonly allocations: PaymentAllocationService,
    private readonly queries: PaymentQueryService,
  ) {}

  // ---------------------------------------------------------------- bank transfers

  /** POST /payments: records a bank transfer and applies it (explicitly or oldest first); the rest is unapplied cash. */
  async record(dto: RecordPaymentDto, createdBy: string | null): Promise<PaymentView> {
    const reseller = await this.resellers.getReseller(dto.resellerId).catch((e: unknown) => {
      if (e instanceof ProblemError && e.status === 404) {
        throw paymentsError(PaymentsErrorCode.UnknownReseller, `Reseller ${dto.resellerId} was not found`);
      }
      throw e;
    });
    if (dto.currency !== reseller.currency) {
      throw paymentsError(
        PaymentsErrorCode.CurrencyMismatch,
        `Reseller ${reseller.name} is invoiced in ${reseller.currency}, not ${dto.currency}`,
      );
    }
    if (dto.receivedOn > this.clock.today()) {
      throw validationError('receivedOn cannot be in the future', [
        { field: 'receivedOn', message: `must be on or before ${this.clock.today()}` },
      ]);
    }
    const amount = new Dec(dto.amount);
    const id = randomUUID();
    return retryOnConflict(() =>
      idempotentTransaction(this.db, async (em) => {
        await lockReceivables(em, reseller.id);
        const planned = await this.allocations.planTargets(em, reseller.id, reseller.currency, amount, dto.allocations);
        // Cash is applied no earlier than the invoice exists: invoices issued after receivedOn get
        // it as an application dated their issue date (the cash waits in 2200 until then).
        const { now: targets, later } = splitByApplicationDate(planned, dto.receivedOn);
        const allocated = targets.reduce((s, t) => s.plus(t.amount), new Dec(0));
        const unapplied = amount.minus(allocated);
        await em.query(
          `INSERT INTO payments (id, reseller_id, method, currency, amount, unapplied, reference, received_on, created_by)
           VALUES ($1, $2, 'BANK_TRANSFER', $3, $4, $5, $6, $7, $8)`,
          [id, reseller.id, reseller.currency, amount.toFixed(), unapplied.toFixed(), dto.reference, dto.receivedOn, createdBy],
        );
        const perLine = await this.allocations.allocate(em, {
          paymentId: id,
          resellerId: reseller.id,
          currency: reseller.currency,
          batchId: id,
          kind: 'PAYMENT',
          date: dto.receivedOn,
          source: { type: 'payment', id },
          targets,
        });
        const c = reseller.currency;
        await this.ledger.post(em, {
          entryDate: dto.receivedOn,
          memo: `Bank transfer ${dto.reference}`.slice(0, 500),
          source: { type: 'payment', id },
          createdBy,
          lines: [
            ...debit(AccountCode.Cash, amount, reseller.id, c),
            // AR leaves at what it was booked at; a rate change since the invoice goes to 7100 (docs/accounting.md §10).
            ...atCarrying(receivableCredits(perLine, reseller.id, c)),
            ...credit(AccountCode.UnappliedCash, unapplied, reseller.id, c),
          ],
          fxDifferenceAccount: AccountCode.FxRealised,
        });
        if (later.length) {
          const [p]: PaymentRow[] = await em.query(`SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1`, [id]);
          for (const group of later) await this.applyBatch(em, p, group.targets, group.date, createdBy);
        }
        await this.receivables.releaseCleared(em, reseller.id, this.clock.today());
        return this.announceReceived(em, id);
      }),
    );
  }

  /**
   * Queues `payment.received` for a payment just recorded (bank transfer or Stripe), in the
   * recording transaction, and returns its view (the event's payload, with `paymentId`).
   */
  async announceReceived(em: EntityManager, paymentId: string): Promise<PaymentView> {
    const view = await this.queries.view(em, paymentId, null);
    const { id, ...rest } = view;
    await this.webhooks.enqueue(em, view.resellerId, 'payment.received', { paymentId: id, ...rest });
    return view;
  }

  /** POST /payments/:id/allocations: applies a payment's unapplied cash (debit 2200, credit 1100/1110). */
  async applyUnapplied(paymentId: string, dto: ApplyPaymentDto, createdBy: string | null): Promise<PaymentView> {
    const head: Array<{ reseller_id: string }> = await this.db.query(`SELECT reseller_id FROM payments WHERE id = $1`, [paymentId]);
    if (!head.length) throw notFound(`Payment ${paymentId}`);
    const resellerId = head[0].reseller_id;
    const date = this.clock.today();
    return retryOnConflict(() =>
      idempotentTransaction(this.db, async (em) => {
        await lockReceivables(em, resellerId);
        const [p]: PaymentRow[] = await em.query(`SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.id = $1 FOR UPDATE`, [paymentId]);
        const available = new Dec(p.unapplied);
        if (!available.gt(0)) throw paymentsError(PaymentsErrorCode.NothingUnapplied, `Payment ${paymentId} has no unapplied cash left`);
        const targets = await this.allocations.planTargets(em, resellerId, p.currency, available, dto.allocations);
        if (!targets.length)
          throw paymentsError(PaymentsErrorCode.NothingToApply, 'The reseller has no open invoice to apply this cash to');
        await this.applyBatch(em, p, targets, date, createdBy);
        await this.receivables.releaseCleared(em, resellerId, date);
        return this.queries.view(em, paymentId, null);
      }),
    );
  }

  /**
   * `UnappliedCash` for the billing run: a new invoice takes the reseller's unapplied cash at once
   * (oldest payment first), in the issuing transaction, each application dated the later of the
   * invoice's issue date and the payment's receivedOn (cash is never applied before it arrived).
   */
  async applyToNewInvoice(em: EntityManager, invoice: NewInvoice): Promise<void> {
    if (!amountDue(invoice.open).gt(0)) return;
    const payments = await queryPrepared<PaymentRow>(em, UNAPPLIED_PAYMENTS, [invoice.resellerId, invoice.currency]);
    if (!payments.length) return;
    let open: OpenInvoice = {
      id: invoice.id,
      number: `new invoice ${invoice.id}`,
      resellerId: invoice.resellerId,
      currency: invoice.currency,
      issueDate: invoice.issueDate,
      dueDate: invoice.dueDate,
      status: 'ISSUED',
      open: { ...invoice.open },
    };
    for (const p of payments) {
      const due = amountDue(open.open);
      if (!due.gt(0)) break;
      const take = Dec.min(new Dec(p.unapplied), due);
      const date = applicationDate(invoice.issueDate, p.received_on);
      open = (await this.applyBatch(em, p, [{ invoice: open, amount: take }], date, null))[0];
    }
  }

  /** Applies part of a payment's unapplied cash to invoices: one posting (2200 → AR), one batch of allocations. */
  private async applyBatch(
    em: EntityManager,
    p: PaymentRow,
    targets: Target[],
    date: string,
    createdBy: string | null,
  ): Promise<OpenInvoice[]> {
    const batchId = randomUUID();
    const total = targets.reduce((s, t) => s.plus(t.amount), new Dec(0));
    const updated: OpenInvoice[] = [];
    const perLine = await this.allocations.allocate(em, {
      paymentId: p.id,
      resellerId: p.reseller_id,
      currency: p.currency,
      batchId,
      kind: 'APPLICATION',
      date,
      source: { type: 'payment_application', id: batchId },
      targets,
      updated,
    });
    await em.query(`UPDATE payments SET unapplied = unapplied - $2 WHERE id = $1`, [p.id, total.toFixed()]);
    await this.ledger.post(em, {
      entryDate: date,
      memo: `Unapplied cash of payment ${p.reference} applied to ${targets.map((t) => t.invoice.number).join(', ')}`.slice(0, 500),
      source: { type: 'payment_application', id: batchId },
      createdBy,
      lines: atCarrying([
        ...debit(AccountCode.UnappliedCash, total, p.reseller_id, p.currency),
        ...receivableCredits(perLine, p.reseller_id, p.currency),
      ]),
      fxDifferenceAccount: AccountCode.FxRealised,
    });
    return updated;
  }

  // ---------------------------------------------------------------- settlement of collections

  /**
   * A settlement of collections held for a reseller (docs/billing-on-behalf.md): up to `available`
   * is applied to its open invoices issued by `date`, oldest first, as a payment (method SETTLEMENT) with its
   * allocations and AR movements, in the caller's transaction (which holds the receivables lock and
   * posts the settlement's one entry, `source`). Returns the payment (null when nothing was open)
   * and what it paid per credit line.
   */
  async recordSettlementNetting(
    em: EntityManager,
    s: {
      resellerId: string;
      currency: Currency;
      available: Dec;
      date: string;
      reference: string;
      source: { type: string; id: string };
      createdBy: string | null;
    },
  ): Promise<{ paymentId: string | null; netted: Dec; perLine: Record<CreditLine, Dec> }> {
    // Oldest first, among the invoices issued by the settlement date (cash is never applied before an invoice exists).
    const open = (await this.receivables.openInvoices(em, s.resellerId, s.currency)).filter((i) => i.issueDate <= s.date);
    const byId = new Map(open.map((i) => [i.id, i]));
    const plan = planOldestFirst(
      s.available,
      open.map((i) => ({ id: i.id, due: amountDue(i.open) })),
    );
    const targets: Target[] = plan.allocations.map((a) => ({
      invoice: byId.get(a.invoiceId)!,
      amount: a.amount,
    }));
    const netted = targets.reduce((sum, t) => sum.plus(t.amount), new Dec(0));
    if (!netted.gt(0)) return { paymentId: null, netted, perLine: { HARDWARE: new Dec(0), CLOUD: new Dec(0) } };
    const id = randomUUID();
    await em.query(
      `INSERT INTO payments (id, reseller_id, method, currency, amount, unapplied, reference, received_on, created_by)
       VALUES ($1, $2, 'SETTLEMENT', $3, $4, 0, $5, $6, $7)`,
      [id, s.resellerId, s.currency, netted.toFixed(), s.reference, s.date, s.createdBy],
    );
    const perLine = await this.allocations.allocate(em, {
      paymentId: id,
      resellerId: s.resellerId,
      currency: s.currency,
      batchId: id,
      kind: 'PAYMENT',
      date: s.date,
      source: s.source,
      targets,
    });
    return { paymentId: id, netted, perLine };
  }
}
