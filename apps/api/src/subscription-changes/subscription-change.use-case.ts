import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, Dec, isDistributor, moneyString, retryOnConflict, tenantScope } from '#disty/core';
import { CreditNoteService } from '#disty/invoicing';
import { lockReceivables } from '#disty/ledger';
import {
  CancelInput,
  ChangeActor,
  ChangeDatePolicy,
  ChangeInput,
  ChangeOutcome,
  InvoicedCredit,
  ScheduleChangeDto,
  ScheduledChangeService,
  ScheduledChangeView,
  SUBSCRIPTION_CHARGE_SOURCE,
  SubscriptionChangeService,
  SubscriptionService,
  SubscriptionView,
} from '#disty/subscription';
import { subscriptionError, SubscriptionErrorCode } from '#disty/subscription';

/**
 * Seat changes and cancellations as one use case over subscriptions and invoicing, in ONE
 * transaction: the subscription's change, and for a distributor's back-dated change the credit
 * notes for service already invoiced (docs/money-integrity.md, "Dates on subscription changes").
 * It lives above both modules because invoicing depends on subscriptions, not the other way.
 */
@Injectable()
export class SubscriptionChangeUseCase {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly subscriptions: SubscriptionService,
    private readonly changes: SubscriptionChangeService,
    private readonly creditNotes: CreditNoteService,
    private readonly dates: ChangeDatePolicy,
    private readonly scheduled: ScheduledChangeService,
  ) {}

  /** POST /subscriptions/:id/scheduled-changes (docs/money-integrity.md, "Scheduled changes"). */
  schedule(id: string, actor: Actor, input: ScheduleChangeDto): Promise<ScheduledChangeView> {
    const scope = tenantScope(actor);
    const who: ChangeActor = { id: actor.id, authority: isDistributor(actor) ? 'DISTRIBUTOR' : 'RESELLER' };
    return retryOnConflict(() => this.db.transaction((em) => this.scheduled.scheduleIn(em, id, scope, input, who)));
  }

  listScheduled(id: string, actor: Actor): Promise<{ items: ScheduledChangeView[] }> {
    return this.scheduled.list(this.db.manager, id, tenantScope(actor));
  }

  change(id: string, actor: Actor, input: ChangeInput): Promise<SubscriptionView> {
    return this.run(id, actor, input, (em, scope, who) => this.changes.changeIn(em, id, scope, input, who));
  }

  cancel(id: string, actor: Actor, input: CancelInput): Promise<SubscriptionView> {
    return this.run(id, actor, input, (em, scope, who) => this.changes.cancelIn(em, id, scope, input, who));
  }

  withdrawScheduled(id: string, actor: Actor, scheduledChangeId: string): Promise<SubscriptionView> {
    const scope = tenantScope(actor);
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        await this.changes.withdrawScheduledIn(em, id, scope, scheduledChangeId);
        return this.subscriptions.get(id, scope, em);
      }),
    );
  }

  private run(
    id: string,
    actor: Actor,
    input: { asOf?: string; reason?: string },
    step: (em: EntityManager, scope: string | null, who: ChangeActor) => Promise<ChangeOutcome>,
  ): Promise<SubscriptionView> {
    const scope = tenantScope(actor);
    const who: ChangeActor = {
      id: actor.id,
      authority: isDistributor(actor) ? 'DISTRIBUTOR' : 'RESELLER',
      mayOverrideCommitment: actor.role === 'admin',
    };
    const mayIssueCreditNotes = who.authority === 'DISTRIBUTOR' && !!input.asOf && input.asOf < this.dates.today();
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        if (mayIssueCreditNotes) {
          // Billing's lock order (the reseller's receivables, then its charges), so a back-dated
          // change and a billing run for the same reseller queue up instead of deadlocking.
          const s = await this.subscriptions.findRow(em, id, scope);
          if (s) await lockReceivables(em, s.reseller_id);
        }
        const outcome = await step(em, scope, who);
        await this.creditInvoicedService(em, outcome.invoicedCredits, input.reason ?? '', actor.id);
        return this.subscriptions.get(id, scope, em);
      }),
    );
  }

  /**
   * Each credit owed for invoiced service becomes credit-note lines on the invoice lines that billed
   * that period (its TERM charge first, then earlier increases), one SERVICE_CHANGE credit note per
   * invoice, tagged with the change. On a paid invoice the credit is usable at once (applied to
   * what the reseller owes, the rest refundable: docs/money-integrity.md §3).
   */
  private async creditInvoicedService(em: EntityManager, credits: InvoicedCredit[], reason: string, createdBy: string): Promise<void> {
    if (!credits.length) return;
    const lines = await this.creditNotes.billedLinesOf(
      em,
      SUBSCRIPTION_CHARGE_SOURCE,
      credits.flatMap((c) => c.billedChargeIds),
    );
    const bySource = new Map(lines.map((l) => [l.sourceId, l]));
    const left = new Map(lines.map((l) => [l.invoiceLineId, l.creditableNet]));
    const perInvoice = new Map<string, Map<string, Dec>>();
    // One change per call (a seat change or a cancellation): its credit notes all carry its id.
    const changeId = credits[0].changeId;
    for (const c of credits) {
      let rest = c.net;
      for (const chargeId of c.billedChargeIds) {
        if (rest.lte(0)) break;
        const line = bySource.get(chargeId);
        if (!line) continue;
        const take = Dec.min(rest, left.get(line.invoiceLineId)!);
        if (take.lte(0)) continue;
        left.set(line.invoiceLineId, left.get(line.invoiceLineId)!.minus(take));
        const inv = perInvoice.get(line.invoiceId) ?? new Map<string, Dec>();
        inv.set(line.invoiceLineId, (inv.get(line.invoiceLineId) ?? new Dec(0)).plus(take));
        perInvoice.set(line.invoiceId, inv);
        rest = rest.minus(take);
      }
      if (rest.gt(0)) {
        throw subscriptionError(
          SubscriptionErrorCode.AlreadyBilled,
          `The period ${c.period.start} to ${c.period.end} has only ${moneyString(c.net.minus(rest), c.currency as never)} left to credit on its invoices; ${moneyString(c.net, c.currency as never)} is owed`,
          { periodStart: c.period.start, periodEnd: c.period.end },
        );
      }
    }
    for (const [invoiceId, byLine] of [...perInvoice.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      await this.creditNotes.createCreditNote(
        invoiceId,
        {
          lines: [...byLine.entries()].map(([invoiceLineId, amount]) => ({
            invoiceLineId,
            amount: amount.toFixed(2),
          })),
          reason: `Back-dated subscription change: ${reason}`.slice(0, 500),
        },
        createdBy,
        em,
        { kind: 'SERVICE_CHANGE', subscriptionChangeId: changeId },
      );
    }
  }
}
