// Owns cost_accruals (the subledger of 2050, docs/accounting.md §2).
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Currency, Dec } from '#disty/core';

/** A delivered cost the vendor has not billed yet: what 2050 holds, one row per source. */
export interface CostAccrualInput {
  /** The catalog vendor (`products.vendor`). */
  vendor: string;
  sku: string;
  resellerId: string | null;
  currency: Currency;
  /** The day the cost was incurred (ship date, last service day of the month, usage date). */
  accruedOn: string;
  quantity: Dec;
  amount: Dec;
  sourceType: 'shipment' | 'recognition' | 'usage';
  /** Unique per source type: the same source accrues once. */
  sourceId: string;
}

/**
 * Records accrued vendor costs beside the ledger entry that credits 2050, in the caller's
 * transaction. Idempotent per (sourceType, sourceId): a repeated source adds nothing.
 */
@Injectable()
export class CostAccrualService {
  /** Inserts the accruals not yet recorded; returns how many were new. */
  async accrue(em: EntityManager, rows: CostAccrualInput[]): Promise<number> {
    if (!rows.length) return 0;
    const inserted: unknown[] = await em.query(
      `INSERT INTO cost_accruals (vendor, sku, reseller_id, currency, accrued_on, quantity, amount, source_type, source_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::char(3)[], $5::date[], $6::numeric[], $7::numeric[], $8::text[], $9::text[])
       ON CONFLICT (source_type, source_id) DO NOTHING
       RETURNING id`,
      [
        rows.map((r) => r.vendor),
        rows.map((r) => r.sku),
        rows.map((r) => r.resellerId),
        rows.map((r) => r.currency),
        rows.map((r) => r.accruedOn),
        rows.map((r) => r.quantity.toFixed()),
        rows.map((r) => r.amount.toFixed()),
        rows.map((r) => r.sourceType),
        rows.map((r) => r.sourceId),
      ],
    );
    return inserted.length;
  }

  /**
   * The same for accruals a caller already holds in SQL: `select` (with `params`) returns
   * CostAccrualInput's fields as columns (vendor, sku, reseller_id, currency, accrued_on, quantity,
   * amount, source_type, source_id), and one statement inserts them, with no round trip of the rows
   * through the application (a recognition run's month-end accrues a row per charge).
   */
  async accrueSelected(em: EntityManager, select: string, params: unknown[] = []): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await em.query(
      `WITH ins AS (
         INSERT INTO cost_accruals (vendor, sku, reseller_id, currency, accrued_on, quantity, amount, source_type, source_id)
         SELECT a.vendor, a.sku, a.reseller_id, a.currency, a.accrued_on, a.quantity, a.amount, a.source_type, a.source_id
           FROM (${select}) a
         ON CONFLICT (source_type, source_id) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      params,
    );
    return n;
  }
}
