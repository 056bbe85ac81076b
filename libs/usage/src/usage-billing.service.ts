// Owns usage_billing_items and the billed part of usage_records (billed_quantity, billed_net).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, Dec, preparedStatement, queryPrepared } from '#disty/core';
import { ConsumptionCatalogService } from '#disty/catalog';
import type { TaxCategory } from '#disty/tax';
import { ConsumptionSubscriptionService } from './consumption-subscription.service';
import { RESELLER_LOCK } from './usage-import.service';

/** One usage invoice line: a subscription's meter over the period, as the billing run puts it on the invoice. */
export interface UsageInvoiceItem {
  /** The invoice line's source id (source type `usage`); its daily detail is dailyDetail(sourceId). */
  sourceId: string;
  subscriptionId: string;
  sku: string;
  meterId: string;
  unit: string;
  quantity: Dec;
  /** Exact sum of the records' rated nets not yet billed (already in minor units). */
  net: Dec;
  currency: Currency;
  firstDay: string;
  lastDay: string;
  taxCategory: TaxCategory;
  description: string;
  /** The consumption subscription's end customer. */
  endCustomerId: string;
}

/** Unbilled rated usage of one reseller in one currency (what the CLOUD credit line will count). */
export interface UnbilledUsage {
  resellerId: string;
  currency: Currency;
  net: Dec;
}

/** Prepared: the billing run takes every reseller's usage with it (docs/performance.md, "Billing run"). */
const TAKE_UNBILLED = preparedStatement(
  'usage.take-unbilled',
  `
  WITH o AS (
    SELECT id, billed_quantity AS old_q, billed_net AS old_net FROM usage_records
     WHERE subscription_id IN (SELECT id FROM consumption_subscriptions WHERE reseller_id = $1) AND reseller_id = $1 AND usage_date <= $2
       AND (CASE WHEN superseded_at IS NULL THEN quantity ELSE 0 END <> billed_quantity
            OR CASE WHEN superseded_at IS NULL THEN rated_net ELSE 0 END <> billed_net)
     FOR UPDATE),
  d AS (
    UPDATE usage_records r
       SET billed_quantity = CASE WHEN r.superseded_at IS NULL THEN r.quantity ELSE 0 END,
           billed_net = CASE WHEN r.superseded_at IS NULL THEN r.rated_net ELSE 0 END
      FROM o WHERE r.id = o.id
    RETURNING r.id, r.subscription_id, r.meter_id, r.currency, r.usage_date, r.billed_quantity - o.old_q AS dq, r.billed_net - o.old_net AS dnet),
  l AS (SELECT subscription_id, meter_id, gen_random_uuid() AS line_id FROM d GROUP BY 1, 2),
  i AS (
    INSERT INTO usage_billing_items (usage_record_id, usage_line_id, reseller_id, billed_on, quantity, net)
    SELECT d.id, l.line_id, $1, $2, d.dq, d.dnet FROM d JOIN l USING (subscription_id, meter_id))
  SELECT l.line_id::text AS line_id, d.subscription_id::text AS subscription_id, d.meter_id::text AS meter_id, min(d.currency) AS currency,
         sum(d.dq)::text AS quantity, sum(d.dnet)::text AS net,
         to_char(min(d.usage_date), 'YYYY-MM-DD') AS first_day, to_char(max(d.usage_date), 'YYYY-MM-DD') AS last_day
    FROM d JOIN l USING (subscription_id, meter_id)
   GROUP BY l.line_id, d.subscription_id, d.meter_id
   ORDER BY d.subscription_id, d.meter_id`,
);
const TAKE_LOCK = preparedStatement('usage.reseller-lock', RESELLER_LOCK);

/**
 * Billing usage in arrears (docs/consumption.md, "Billing"): what the billing run takes for a
 * reseller's consolidated invoice, one line per subscription and meter. A record is billed once:
 * each carries what has been invoiced of it, so a later correction (or a re-rating that moved its
 * tier) bills only the difference on the next invoice, and the items say which line billed what.
 */
@Injectable()
export class UsageBillingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly subscriptions: ConsumptionSubscriptionService,
    private readonly catalog: ConsumptionCatalogService,
  ) {}

  /**
   * In the billing run's transaction: takes the reseller's rated usage dated up to `periodEnd` not
   * yet invoiced, marks it billed (under the reseller's usage lock, so no import re-rates it meanwhile) and
   * returns one item per subscription and meter. Empty when there is none.
   */
  async takeUnbilled(em: EntityManager, resellerId: string, periodEnd: string): Promise<UsageInvoiceItem[]> {
    await queryPrepared(em, TAKE_LOCK, [resellerId]);
    const rows = await queryPrepared<{
      line_id: string;
      subscription_id: string;
      meter_id: string;
      currency: string;
      quantity: string;
      net: string;
      first_day: string;
      last_day: string;
    }>(em, TAKE_UNBILLED, [resellerId, periodEnd]);
    if (!rows.length) return [];
    const subs = await this.subscriptions.byIds(
      rows.map((r) => r.subscription_id),
      em,
    );
    const meters = new Map<string, { meterId: string; name: string; unit: string; sku: string }>();
    for (const vendorId of new Set([...subs.values()].map((s) => s.vendorId))) {
      for (const m of await this.catalog.vendorMeters(vendorId, em)) meters.set(m.id, m);
    }
    const taxCategories = await this.catalog.taxCategories(
      [...subs.values()].map((s) => s.sku),
      em,
    );
    return rows.map((r) => {
      const sub = subs.get(r.subscription_id)!;
      const meter = meters.get(r.meter_id)!;
      const quantity = new Dec(r.quantity);
      return {
        sourceId: r.line_id,
        subscriptionId: sub.id,
        sku: sub.sku,
        meterId: meter.meterId,
        unit: meter.unit,
        quantity,
        net: new Dec(r.net),
        currency: r.currency.trim() as Currency,
        firstDay: r.first_day,
        lastDay: r.last_day,
        taxCategory: taxCategories.get(sub.sku) ?? 'STANDARD',
        endCustomerId: sub.endCustomerId,
        description:
          `${meter.name} (${meter.meterId}), ${quantity.toFixed()} ${meter.unit}, usage ${r.first_day} to ${r.last_day}, ` +
          `tenant ${sub.tenantId}, for ${sub.endCustomer}`,
      };
    });
  }

  /** Per usage day of one usage invoice line: the quantity and net it billed (GET …/usage.csv). */
  async *dailyDetail(sourceId: string): AsyncGenerator<Record<string, string | number | null>> {
    const rows: Array<{ usage_date: string; records: number; quantity: string; net: string }> = await this.db.query(
      `SELECT to_char(r.usage_date, 'YYYY-MM-DD') AS usage_date, count(*)::int AS records, sum(i.quantity)::text AS quantity, sum(i.net)::text AS net
         FROM usage_billing_items i JOIN usage_records r ON r.id = i.usage_record_id
        WHERE i.usage_line_id = $1 GROUP BY r.usage_date ORDER BY r.usage_date`,
      [sourceId],
    );
    for (const r of rows)
      yield {
        date: r.usage_date,
        records: r.records,
        quantity: new Dec(r.quantity).toFixed(),
        net: new Dec(r.net).toFixed(2),
      };
  }

  /**
   * Rated usage not yet invoiced, per reseller and currency (all of them, or `resellerId`'s): the
   * exposure the CLOUD credit line is to count (docs/consumption.md, "Credit").
   */
  async unbilledUsage(resellerId: string | null, em: EntityManager = this.db.manager): Promise<UnbilledUsage[]> {
    const rows: Array<{ reseller_id: string; currency: string; net: string }> = await em.query(
      `SELECT reseller_id, currency, sum(CASE WHEN superseded_at IS NULL THEN rated_net ELSE 0 END - billed_net)::text AS net
         FROM usage_records
        WHERE $1::uuid IS NULL OR (reseller_id = $1 AND subscription_id IN (SELECT id FROM consumption_subscriptions WHERE reseller_id = $1))
        GROUP BY 1, 2`,
      [resellerId],
    );
    return rows.map((r) => ({
      resellerId: r.reseller_id,
      currency: r.currency.trim() as Currency,
      net: new Dec(r.net),
    }));
  }

  /**
   * Usage's part of 1190 (unbilled receivables), per reseller and currency, as of `asOf` (or now):
   * net posted by the daily usage postings up to that day less net invoiced up to it.
   */
  async unbilledReceivables(asOf: string | null, resellerId: string | null, em: EntityManager = this.db.manager): Promise<UnbilledUsage[]> {
    const rows: Array<{ reseller_id: string; currency: string; net: string }> = await em.query(
      `SELECT reseller_id, currency, sum(net)::text AS net FROM (
         SELECT reseller_id, currency, net FROM usage_postings WHERE $1::date IS NULL OR usage_date <= $1::date
         UNION ALL
         SELECT i.reseller_id, r.currency, -i.net FROM usage_billing_items i JOIN usage_records r ON r.id = i.usage_record_id
          WHERE $1::date IS NULL OR i.billed_on <= $1::date) x
        WHERE $2::uuid IS NULL OR reseller_id = $2::uuid
        GROUP BY 1, 2`,
      [asOf, resellerId],
    );
    return rows.map((r) => ({
      resellerId: r.reseller_id,
      currency: r.currency.trim() as Currency,
      net: new Dec(r.net),
    }));
  }
}
