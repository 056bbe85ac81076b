// What a renewed term takes: a change asked for at renewal (RENEWAL subscription_scheduled_changes, FAILED when it cannot apply), the catalog's price and cost, its tax code.
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { addDays, Currency, Dec, ProblemError } from '#disty/core';
import { CatalogService, CommitmentPackService } from '#disty/catalog';
import { ResellerService } from '#disty/reseller';
import { AppliedTaxCode, TaxService } from '#disty/tax';
import { BillingFrequency, Term } from './domain/schedule';
import { SubscriptionRow } from './subscription.sql';

/** A change asked for at renewal (kind RENEWAL), as the renewal applies it. */
export interface RenewalChange {
  id: string;
  subscription_id: string;
  new_quantity: number | null;
  new_sku: string | null;
  new_term: string | null;
  new_billing_frequency: string | null;
  effective_date: string;
}

/** The catalog's price and cost in force for a SKU, currency and term (null: no price). */
export type PriceInForce = { unitPrice: Dec; unitCost: Dec | null } | null;

/** The renewal run's lookups, each cached by the caller for the run (`prices`, `taxRates`). */
@Injectable()
export class RenewalTermsService {
  /** Its warnings are the renewal run's, logged under the run's name. */
  private readonly logger = new Logger('RenewalService');

  constructor(
    private readonly catalog: CatalogService,
    private readonly packs: CommitmentPackService,
    private readonly resellers: ResellerService,
    private readonly tax: TaxService,
  ) {}

  /** The PENDING changes at renewal of these subscriptions, by subscription (rows guarded by the subscriptions' row locks). */
  async changesAtRenewal(em: EntityManager, subs: SubscriptionRow[]): Promise<Map<string, RenewalChange>> {
    if (!subs.length) return new Map();
    const rows: RenewalChange[] = await em.query(
      `SELECT id, subscription_id, new_quantity, new_sku, new_term, new_billing_frequency, to_char(effective_date, 'YYYY-MM-DD') AS effective_date
         FROM subscription_scheduled_changes WHERE subscription_id = ANY($1::uuid[]) AND kind = 'RENEWAL' AND status = 'PENDING'`,
      [subs.map((s) => s.id)],
    );
    return new Map(rows.map((r) => [r.subscription_id, r]));
  }

  /**
   * The subscription as its next terms take it: with a pending change at renewal, the new seat
   * count, SKU, billing frequency and term length (the price then comes from the catalog for the
   * new SKU and term). A new term length re-anchors the subscription on the next term's first day
   * (anchor_term_no counts the terms before it). A change that cannot apply (its SKU lost its price
   * in the currency, or its pack no longer allows the term or frequency) is FAILED with the reason
   * and the subscription renews unchanged.
   */
  async withChangeAtRenewal(
    em: EntityManager,
    prices: Map<string, PriceInForce>,
    s: SubscriptionRow,
    c: RenewalChange | undefined,
    applied: Map<string, string>,
  ): Promise<SubscriptionRow> {
    if (!c) return s;
    const sku = c.new_sku ?? s.sku;
    const fail = async (reason: string) => {
      await em.query(
        `UPDATE subscription_scheduled_changes SET status = 'FAILED', failure_reason = $2, resolved_at = now() WHERE id = $1`,
        [c.id, reason],
      );
      return s;
    };
    const term = (c.new_term ?? s.term) as Term;
    const frequency = (c.new_billing_frequency ?? s.billing_frequency) as BillingFrequency;
    if ((sku !== s.sku || term !== s.term) && !(await this.price(em, prices, sku, s.currency, term))) {
      return fail(`no-price: ${sku} has no price in ${s.currency}`);
    }
    const rules = await this.packs.commitmentRules(sku, em);
    if (rules && (!rules.allowedTerms.includes(term) || !rules.allowedBillingFrequencies.includes(frequency))) {
      return fail(`not-allowed-by-commitment: ${sku}'s pack ${rules.code} does not allow ${term} billed ${frequency}`);
    }
    applied.set(s.id, c.id);
    const reanchor = term !== s.term ? { anchor_date: addDays(s.term_end, 1), anchor_term_no: s.term_no } : {};
    return {
      ...s,
      sku,
      quantity: c.new_quantity ?? s.quantity,
      billing_frequency: frequency,
      term,
      ...reanchor,
    };
  }

  async price(em: EntityManager, cache: Map<string, PriceInForce>, sku: string, currency: Currency, term: Term): Promise<PriceInForce> {
    const key = `${sku}\u0000${currency}\u0000${term}`;
    if (!cache.has(key)) cache.set(key, await this.catalog.currentPriceAndCost(sku, currency, em, term));
    return cache.get(key)!;
  }

  /**
   * The tax code for a term of `s` starting `date`. Should no rule cover the product any more (an
   * admin removed it), the term keeps the code and rate of the term before: a renewal never stops
   * over tax (docs/accounting.md §8).
   */
  async taxCode(em: EntityManager, cache: Map<string, AppliedTaxCode>, s: SubscriptionRow, date: string): Promise<AppliedTaxCode> {
    const key = `${s.id}:${date}`;
    if (!cache.has(key)) {
      const reseller = await this.resellers.getReseller(s.reseller_id, em);
      const category = (await this.catalog.taxCategories([s.sku], em)).get(s.sku) ?? 'STANDARD';
      try {
        const codes = await this.tax.codesFor(em, { country: reseller.country, registered: reseller.taxRegistered }, [category], date);
        cache.set(key, codes.get(category)!);
      } catch (e) {
        if (!(e instanceof ProblemError) || e.status !== 422) throw e;
        const [prev]: Array<{ tax_rate: string; tax_code: string | null }> = await em.query(
          `SELECT tax_rate::text AS tax_rate, tax_code FROM subscription_terms WHERE subscription_id = $1 ORDER BY term_no DESC LIMIT 1`,
          [s.id],
        );
        this.logger.warn(
          { subscriptionId: s.id, category, country: reseller.country },
          "no tax rule for a renewal: the previous term's code is kept",
        );
        cache.set(key, {
          code: prev.tax_code ?? '',
          rate: new Dec(prev.tax_rate),
          kind: 'STANDARD',
          invoiceNote: null,
        });
      }
    }
    return cache.get(key)!;
  }
}
