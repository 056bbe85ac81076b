// Writes vendor_bills, vendor_bill_lines and cost_accruals' matching columns, like VendorBillService,
// for a bill accepted from a vendor invoice reconciliation (docs/consumption.md §9).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { coreError, CoreErrorCode, Currency, Dec, sqlState } from '#disty/core';
import { LedgerService } from '#disty/ledger';
import { AccrualCandidate, BillMatch, billPosting, MatchedLine, shareByReseller, sum } from './domain/bill-matching';
import { VendorBillView } from './dto/vendor-bill.dto';
import { fieldProblem, PurchasingErrorCode } from './errors';
import { VENDOR_BILL_SOURCE, VendorBillService } from './vendor-bill.service';
import { VendorService } from './vendor.service';

/** A vendor's unmatched accruals of one month, per SKU (what a reconciliation compares seats with). */
export interface MonthAccrual {
  sku: string;
  usage: boolean;
  quantity: Dec;
  amount: Dec;
}

/** A line of a reconciled bill: all of the month's unmatched accruals of its SKU are matched to it. */
export interface ReconciledBillLine {
  sku: string | null;
  description: string;
  quantity: Dec;
  net: Dec;
  tax: Dec;
}

/**
 * Vendor bills from reconciliations: a line per SKU matches every unmatched accrual of that SKU of
 * the vendor, currency and month (the whole month's accrued cost, not a quantity FIFO as typed-in
 * bills do), so the difference the reconciliation found goes to 5900 as the line's variance. A
 * line without a SKU (what the vendor billed that Disty never accrued) is all variance. Posted
 * with the same entry as any bill (billPosting: 2050 matched · 5900 variance · 1300 tax / 2000 gross).
 */
@Injectable()
export class ReconciledBillService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly vendors: VendorService,
    private readonly bills: VendorBillService,
    private readonly ledger: LedgerService,
  ) {}

  /** The vendor's unmatched accruals of `month` (YYYY-MM) in `currency`, per SKU and kind (usage or not). */
  async monthAccruals(vendorId: string, month: string, currency: Currency, em: EntityManager = this.db.manager): Promise<MonthAccrual[]> {
    const vendor = await this.vendors.row(em, vendorId);
    const rows: Array<{ sku: string; usage: boolean; quantity: string; amount: string }> = await em.query(
      `SELECT sku, source_type = 'usage' AS usage, sum(quantity)::text AS quantity, sum(amount)::text AS amount
         FROM cost_accruals
        WHERE lower(vendor) = lower($1) AND period = $2::date AND currency = $3 AND vendor_bill_line_id IS NULL
        GROUP BY sku, source_type = 'usage' ORDER BY sku`,
      [vendor.name, `${month}-01`, currency],
    );
    return rows.map((r) => ({
      sku: r.sku,
      usage: r.usage,
      quantity: new Dec(r.quantity),
      amount: new Dec(r.amount),
    }));
  }

  /** Records, matches and posts the bill in the caller's transaction; returns it. */
  async record(
    em: EntityManager,
    input: {
      vendorId: string;
      number: string;
      date: string;
      month: string;
      currency: Currency;
      lines: ReconciledBillLine[];
      createdBy: string | null;
    },
  ): Promise<VendorBillView> {
    const vendor = await this.vendors.row(em, input.vendorId, true);
    if ((await this.ledger.postingDateFor(input.date, em)) !== input.date) {
      throw fieldProblem(PurchasingErrorCode.PeriodClosed, `${input.date.slice(0, 7)} is closed; a bill cannot be dated in it`, [
        { field: 'date', message: 'is in a closed month' },
      ]);
    }
    const skus = [...new Set(input.lines.map((l) => l.sku).filter((s): s is string => !!s))];
    const rows: Array<{
      id: string;
      sku: string;
      reseller_id: string | null;
      accrued_on: string;
      quantity: string;
      amount: string;
    }> = skus.length
      ? await em.query(
          `SELECT id, sku, reseller_id, accrued_on::text AS accrued_on, quantity::text AS quantity, amount::text AS amount
           FROM cost_accruals
          WHERE lower(vendor) = lower($1) AND sku = ANY($2::text[]) AND currency = $3 AND period = $4::date AND vendor_bill_line_id IS NULL
          ORDER BY accrued_on, id FOR UPDATE`,
          [vendor.name, skus, input.currency, `${input.month}-01`],
        )
      : [];
    const candidates: AccrualCandidate[] = rows.map((r) => ({
      id: r.id,
      sku: r.sku,
      resellerId: r.reseller_id,
      accruedOn: r.accrued_on,
      quantity: new Dec(r.quantity),
      amount: new Dec(r.amount),
    }));
    const lines: MatchedLine[] = input.lines.map((l) => {
      const matched = l.sku ? candidates.filter((c) => c.sku === l.sku) : [];
      const matchedAmount = sum(matched.map((a) => a.amount));
      return {
        net: l.net,
        tax: l.tax,
        gross: l.net.plus(l.tax),
        matched,
        matchedQuantity: sum(matched.map((a) => a.quantity)),
        matchedAmount,
        variance: l.net.minus(matchedAmount),
      };
    });
    const match: BillMatch = {
      lines,
      unmatched: [],
      net: sum(lines.map((l) => l.net)),
      tax: sum(lines.map((l) => l.tax)),
      gross: sum(lines.map((l) => l.gross)),
      matched: sum(lines.map((l) => l.matchedAmount)),
      variance: sum(lines.map((l) => l.variance)),
    };
    const id = randomUUID();
    try {
      await em.query(
        `INSERT INTO vendor_bills (id, vendor_id, number, bill_date, due_date, currency, net, tax, gross, matched, variance, created_by)
         VALUES ($1, $2, $3, $4::date, $4::date + $5::int, $6, $7, $8, $9, $10, $11, $12)`,
        [
          id,
          vendor.id,
          input.number,
          input.date,
          vendor.payment_terms_days,
          input.currency,
          match.net.toFixed(),
          match.tax.toFixed(),
          match.gross.toFixed(),
          match.matched.toFixed(),
          match.variance.toFixed(),
          input.createdBy,
        ],
      );
    } catch (e) {
      if (sqlState(e) === '23505') {
        throw fieldProblem(PurchasingErrorCode.DuplicateVendorBill, `Bill ${input.number} of ${vendor.name} is already recorded`, [
          { field: 'number', message: 'is already recorded for this vendor' },
        ]);
      }
      throw e;
    }
    const lineIds = input.lines.map(() => randomUUID());
    // A usage line's quantity mixes meters' units; the bill line keeps at least what it matched (numeric(20,4)).
    const quantities = input.lines.map((l, i) => Dec.max(l.quantity, lines[i].matchedQuantity, '0.0001').toDecimalPlaces(4, Dec.ROUND_UP));
    await em.query(
      `INSERT INTO vendor_bill_lines (id, bill_id, line_no, sku, description, quantity, unit_cost, net, tax, gross,
                                      matched_quantity, matched_amount, variance, allow_unmatched)
       SELECT t.id, $1, t.n, t.sku, t.description, t.quantity, t.unit_cost, t.net, t.tax, t.gross, t.mq, t.ma, t.variance, t.allow
         FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[],
                     $10::numeric[], $11::numeric[], $12::numeric[], $13::numeric[], $14::boolean[])
           AS t(id, n, sku, description, quantity, unit_cost, net, tax, gross, mq, ma, variance, allow)`,
      [
        id,
        lineIds,
        input.lines.map((_, i) => i + 1),
        input.lines.map((l) => l.sku),
        input.lines.map((l) => l.description.slice(0, 500)),
        quantities.map((q) => q.toFixed()),
        input.lines.map((l, i) => Dec.max(l.net.div(quantities[i]).toDecimalPlaces(4), '0.0001').toFixed()),
        lines.map((l) => l.net.toFixed()),
        lines.map((l) => l.tax.toFixed()),
        lines.map((l) => l.gross.toFixed()),
        lines.map((l) => Dec.max(l.matchedQuantity, 0).toFixed()),
        lines.map((l) => l.matchedAmount.toFixed()),
        lines.map((l) => l.variance.toFixed()),
        lines.map((l) => !l.matched.length),
      ],
    );
    const pairs = lines.flatMap((l, i) => l.matched.map((a) => ({ accrual: a.id, line: lineIds[i] })));
    if (pairs.length) {
      const [{ n }]: Array<{ n: number }> = await em.query(
        `WITH u AS (
           UPDATE cost_accruals a SET vendor_bill_line_id = t.line_id, matched_at = now()
             FROM unnest($1::uuid[], $2::uuid[]) AS t(accrual_id, line_id)
            WHERE a.id = t.accrual_id AND a.vendor_bill_line_id IS NULL RETURNING 1)
         SELECT count(*)::int AS n FROM u`,
        [pairs.map((p) => p.accrual), pairs.map((p) => p.line)],
      );
      if (n !== pairs.length) throw coreError(CoreErrorCode.Conflict, 'An accrual was matched by another bill meanwhile; retry');
    }
    const shares = lines.flatMap((l, i) =>
      [...shareByReseller(l, input.currency)].map(([resellerId, amount]) => ({
        line: lineIds[i],
        resellerId,
        amount,
      })),
    );
    if (shares.length) {
      await em.query(
        `INSERT INTO vendor_bill_variances (bill_line_id, reseller_id, amount) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::numeric[])`,
        [shares.map((x) => x.line), shares.map((x) => x.resellerId), shares.map((x) => x.amount.toFixed())],
      );
    }
    await this.ledger.post(em, {
      entryDate: input.date,
      memo: `Vendor bill ${input.number} from ${vendor.name} (reconciled ${input.month})`.slice(0, 500),
      source: { type: VENDOR_BILL_SOURCE, id },
      createdBy: input.createdBy,
      lines: billPosting(match, input.currency),
    });
    return this.bills.view(em, id);
  }
}
