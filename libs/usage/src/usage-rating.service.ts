// Owns usage_postings and the rated amounts of usage_records (rated_net, rated_cost).
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Currency, Dec } from '#disty/core';
import { AccountCode, credit, debit, LedgerBatchService, PostEntryInput } from '#disty/ledger';
import { CostAccrualInput, CostAccrualService } from '#disty/purchasing';
import { StepTimes } from './step-times';
import { PostingRow, POST_DELTAS, RATE_AND_RECORD } from './usage.sql';

/** The source type of usage's daily ledger entries (one per usage_postings row). */
export const USAGE_POSTING_SOURCE = 'usage';

/**
 * Rating and posting (docs/consumption.md, "Rating" and "Books"), inside an import's transaction
 * and its advisory lock: the affected (subscription, meter, month) sets are re-rated from
 * scratch, then the ledger receives, per reseller, currency, day and product, the difference
 * between the current rated usage and what was posted before (1190 / 4100 net, 5100 / 2050 cost),
 * with the cost accrued for the vendor bill to match. Re-importing changes nothing, so posts nothing.
 */
@Injectable()
export class UsageRatingService {
  constructor(
    private readonly ledger: LedgerBatchService,
    private readonly accruals: CostAccrualService,
  ) {}

  /**
   * Rates the affected sets with the import's new versions in them, records the new versions with
   * their rating, updates the recorded ones whose rating moved, and posts the differences.
   */
  async rateRecordAndPost(
    em: EntityManager,
    vendorId: string,
    importId: string,
    vendorName: string,
    phase: (p: string) => Promise<void>,
    times?: StepTimes,
  ): Promise<void> {
    await em.query(RATE_AND_RECORD, [vendorId, importId]);
    times?.lap('rate-and-record');
    await phase('posting');
    const postings: PostingRow[] = await em.query(POST_DELTAS, [importId]);
    times?.lap('post-deltas');
    const accruals: CostAccrualInput[] = [];
    const entries: PostEntryInput[] = [];
    for (const p of postings) {
      const currency = p.currency.trim() as Currency;
      const net = new Dec(p.net);
      const cost = new Dec(p.cost);
      const lines = [
        ...debit(AccountCode.UnbilledReceivables, net, p.reseller_id, currency),
        ...credit(AccountCode.RevenueCloud, net, p.reseller_id, currency),
        ...debit(AccountCode.CostOfCloud, cost, p.reseller_id, currency),
        ...credit(AccountCode.AccruedVendorCosts, cost, p.reseller_id, currency),
      ];
      if (lines.length >= 2) {
        entries.push({
          entryDate: p.usage_date,
          memo: `Usage of ${p.sku} on ${p.usage_date} rated (import ${importId}): ${net.isNegative() ? 'correction ' : ''}net ${p.net}, cost ${p.cost}`,
          source: { type: USAGE_POSTING_SOURCE, id: p.id },
          lines,
        });
      }
      if (!cost.isZero()) {
        accruals.push({
          vendor: vendorName,
          sku: p.sku,
          resellerId: p.reseller_id,
          currency,
          accruedOn: p.usage_date,
          quantity: new Dec(p.quantity),
          amount: cost,
          sourceType: 'usage',
          sourceId: p.id,
        });
      }
    }
    // The day's entries in one batch post (docs/accounting.md, "Batch posting").
    await this.ledger.postBatch(em, entries);
    times?.lap('ledger');
    await this.accruals.accrue(em, accruals);
    times?.lap('accruals');
  }
}
