// Owns the RENEWAL kind of subscription_scheduled_changes (requests and listing); date-based seat changes go through SubscriptionChangeService.
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { coreError, CoreErrorCode, notFound, validationError } from '#disty/core';
import { CatalogService, CommitmentPackService, commitmentProblems } from '#disty/catalog';
import { ChangeDatePolicy } from './change-date.policy';
import { ScheduleChangeDto } from './dto/subscription.dto';
import { mapScheduledChange, ScheduledChangeView } from './dto/subscription.response';
import { BillingFrequency, Term } from './domain/schedule';
import { subscriptionError, SubscriptionErrorCode } from './errors';
import { ChangeActor, SubscriptionChangeService } from './subscription-change.service';
import { ScheduledChangeRow } from './subscription.sql';
import { SubscriptionService } from './subscription.service';

/**
 * Whether a term keeps its unit price for its whole length when the catalog price changes
 * (docs/money-integrity.md, "Scheduled changes"): annual and three-year terms are locked (every
 * charge of the term, whatever its billing frequency, uses the term's price); a monthly term
 * follows the catalog at its next charge, which is its renewal. The single place to swap for a
 * product's commitment rule once the catalog carries one.
 */
export function priceLocked(term: Term, _billingFrequency: BillingFrequency): boolean {
  return term !== 'P1M';
}

/**
 * POST/GET /subscriptions/:id/scheduled-changes. A change `at: RENEWAL` is stored with the next
 * term's first day as its effective date and applied by the renewal job when it creates that term
 * (RenewalService); a change at a later date is a seat change scheduled as PATCH with a later asOf.
 */
@Injectable()
export class ScheduledChangeService {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly changes: SubscriptionChangeService,
    private readonly catalog: CatalogService,
    private readonly packs: CommitmentPackService,
    private readonly dates: ChangeDatePolicy,
  ) {}

  /** Schedules a change, in the caller's transaction; returns it. */
  async scheduleIn(
    em: EntityManager,
    id: string,
    scope: string | null,
    input: ScheduleChangeDto,
    actor: ChangeActor,
  ): Promise<ScheduledChangeView> {
    if (input.quantity === undefined && input.sku === undefined && input.term === undefined && input.billingFrequency === undefined) {
      throw validationError('Nothing to change: give quantity, sku, term or billingFrequency', [
        { field: 'quantity', message: 'one of quantity, sku, term, billingFrequency is required' },
      ]);
    }
    if (input.at !== 'RENEWAL') return this.scheduleOnDate(em, id, scope, input, actor);

    const s = await this.subscriptions.findRow(em, id, scope, true);
    if (!s) throw notFound(`Subscription ${id}`);
    if (s.status !== 'ACTIVE' || !s.auto_renew) {
      throw subscriptionError(
        SubscriptionErrorCode.NotActive,
        `Subscription ${id} is ${s.status}${s.auto_renew ? '' : ' with autoRenew off'}: it is not renewed, so nothing can change at renewal`,
      );
    }
    if (input.sku !== undefined && input.sku !== s.sku) {
      const p = (await this.catalog.getProducts([input.sku], s.currency, em)).get(input.sku);
      if (!p || !p.active || p.kind !== 'CLOUD' || !p.unitPrice) {
        throw validationError(`sku ${input.sku} is not an active cloud product with a price in ${s.currency}`, [
          { field: 'sku', message: `must be an active cloud product priced in ${s.currency}` },
        ]);
      }
    }
    // The next term's length and frequency must be ones the (new) product's commitment pack allows;
    // a new length re-anchors the terms at renewal (docs/commitments.md, "Changes at renewal").
    const rules = await this.packs.commitmentRules(input.sku ?? s.sku, em);
    if (rules) {
      const problems = commitmentProblems(rules, {
        term: input.term ?? s.term,
        billingFrequency: input.billingFrequency ?? s.billing_frequency,
      });
      if (problems.length) throw validationError(`The next term is not allowed by commitment pack ${rules.code}`, problems);
    }
    const [row]: Array<{ id: string }> = await em.query(
      `INSERT INTO subscription_scheduled_changes (subscription_id, reseller_id, kind, new_quantity, new_sku, new_term, new_billing_frequency,
                                                   effective_date, created_by, created_at)
       SELECT $1, $2, 'RENEWAL', $3, $4, $5, $6, term_end + 1, $7, clock_timestamp() FROM subscriptions WHERE id = $1
       ON CONFLICT DO NOTHING RETURNING id`,
      [s.id, s.reseller_id, input.quantity ?? null, input.sku ?? null, input.term ?? null, input.billingFrequency ?? null, actor.id],
    );
    if (!row) {
      throw coreError(CoreErrorCode.Conflict, `Subscription ${id} already has a pending change at renewal; cancel it first`);
    }
    return this.one(em, row.id);
  }

  /** The subscription's scheduled changes (pending first). */
  async list(em: EntityManager, id: string, scope: string | null): Promise<{ items: ScheduledChangeView[] }> {
    const s = await this.subscriptions.findRow(em, id, scope);
    if (!s) throw notFound(`Subscription ${id}`);
    return { items: (await this.subscriptions.scheduledChangesOf(em, id)).map(mapScheduledChange) };
  }

  private async scheduleOnDate(em: EntityManager, id: string, scope: string | null, input: ScheduleChangeDto, actor: ChangeActor) {
    for (const field of ['sku', 'term', 'billingFrequency'] as const) {
      if (input[field] !== undefined) {
        throw validationError(`${field} changes take effect at RENEWAL only`, [{ field, message: 'only with at: "RENEWAL"' }]);
      }
    }
    const d = new Date(`${input.at}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== input.at) {
      throw validationError(`at ${input.at} is not a calendar date`, [{ field: 'at', message: 'must be "RENEWAL" or a date YYYY-MM-DD' }]);
    }
    if (input.at <= this.dates.today()) {
      throw validationError(`at ${input.at} must be after today (${this.dates.today()}); for a change today use PATCH /subscriptions/:id`, [
        { field: 'at', message: 'must be a later date or "RENEWAL"' },
      ]);
    }
    await this.changes.changeIn(em, id, scope, { quantity: input.quantity, asOf: input.at }, actor);
    const [row]: Array<{ id: string }> = await em.query(
      `SELECT id FROM subscription_scheduled_changes WHERE subscription_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`,
      [id],
    );
    return this.one(em, row.id);
  }

  private async one(em: EntityManager, changeId: string): Promise<ScheduledChangeView> {
    const [r]: ScheduledChangeRow[] = await em.query(
      `SELECT id, kind, new_quantity, new_sku, new_term, new_billing_frequency, to_char(effective_date, 'YYYY-MM-DD') AS effective_date,
              status, failure_reason, created_by, created_at, resolved_at
         FROM subscription_scheduled_changes WHERE id = $1`,
      [changeId],
    );
    return mapScheduledChange(r);
  }
}
