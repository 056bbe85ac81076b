// Owns `vendor_bills` and `vendor_bill_lines`, and the matching columns of `cost_accruals`
// (docs/accounting.md §3, "vendor bills"): recording a bill, matching it to accrued costs, posting it.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  amountOutOfRange,
  Clock,
  coreError,
  CoreErrorCode,
  Currency,
  Dec,
  FieldError,
  idempotentTransaction,
  minorUnits,
  page,
  Page,
  ProblemError,
  retryOnConflict,
  sqlState,
  validationError,
  withinDocumentMaximum,
} from '#disty/core';
import { LedgerService } from '#disty/ledger';
import { AccrualCandidate, billPosting, matchBill, shareByReseller } from './domain/bill-matching';
import {
  CreateVendorBillDto,
  MatchingBillLineView,
  MatchingView,
  UnmatchedAccrualView,
  VendorBillQueryDto,
  VendorBillSummaryView,
  VendorBillView,
} from './dto/vendor-bill.dto';
import { fieldProblem, purchasingError, PurchasingErrorCode } from './errors';
import {
  BILL_COLUMNS,
  BILL_FROM,
  BILL_LINE_COLUMNS,
  BillLineRow,
  BillPaymentRow,
  BillRow,
  MatchedAccrualRow,
  quantity,
  toBillLineView,
  toBillSummary,
  toPaymentView,
} from './purchasing.sql';
import { VendorService } from './vendor.service';

export const VENDOR_BILL_SOURCE = 'vendor_bill';

/**
 * A vendor bill is recorded, matched and posted in one transaction (idempotent with an
 * Idempotency-Key): each line with a SKU matches the vendor's unmatched accruals of that SKU, in
 * the bill's currency, of the bill date's month and earlier, oldest first (`matchBill`); the
 * accruals are locked (FOR UPDATE, oldest first, so racing bills wait for each other and the
 * second sees only what the first left) and marked with their bill line. One entry: debit 2050
 * matched (per accrual reseller) · 5900 variance · 1300 tax, credit 2000 gross (`billPosting`).
 * Recorded bills are immutable (database triggers); payments are VendorPaymentService's.
 */
@Injectable()
export class VendorBillService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly vendors: VendorService,
    private readonly ledger: LedgerService,
    private readonly clock: Clock,
  ) {}

  async record(dto: CreateVendorBillDto, createdBy: string | null): Promise<VendorBillView> {
    const today = this.clock.today();
    if (dto.date > today) {
      throw fieldProblem(PurchasingErrorCode.FutureDated, `A bill cannot be dated ${dto.date}, after today (${today})`, [
        { field: 'date', message: `must be on or before ${today}` },
      ]);
    }
    const id = randomUUID();
    return retryOnConflict(() =>
      idempotentTransaction(this.db, async (em) => {
        const vendor = await this.vendors.row(em, dto.vendorId, true).catch((e: unknown) => {
          if (e instanceof ProblemError && e.status === 404) {
            throw fieldProblem(PurchasingErrorCode.UnknownVendor, `Vendor ${dto.vendorId} was not found`, [
              { field: 'vendorId', message: 'is not a vendor (POST /vendors creates one)' },
            ]);
          }
          throw e;
        });
        if (!vendor.active) {
          throw fieldProblem(PurchasingErrorCode.VendorInactive, `Vendor ${vendor.name} is inactive`, [
            { field: 'vendorId', message: 'is inactive' },
          ]);
        }
        const currency: Currency = dto.currency ?? vendor.currency;
        assertTaxDecimals(dto, currency);
        if ((await this.ledger.postingDateFor(dto.date, em)) !== dto.date) {
          throw fieldProblem(PurchasingErrorCode.PeriodClosed, `${dto.date.slice(0, 7)} is closed; a bill cannot be dated in it`, [
            { field: 'date', message: 'is in a closed month' },
          ]);
        }
        const dup: unknown[] = await em.query(`SELECT 1 FROM vendor_bills WHERE vendor_id = $1 AND lower(number) = lower($2)`, [
          vendor.id,
          dto.number,
        ]);
        if (dup.length) throw duplicateBill(vendor.name, dto.number);

        const candidates = await this.lockCandidates(em, vendor.name, dto, currency);
        const match = matchBill(
          dto.lines.map((l) => ({
            sku: l.sku ?? null,
            quantity: new Dec(l.quantity),
            unitCost: new Dec(l.unitCost),
            tax: new Dec(l.tax),
            allowUnmatched: !!l.allowUnmatched,
          })),
          candidates,
          currency,
        );
        if (match.unmatched.length) {
          const errors: FieldError[] = match.unmatched.map((i) => ({
            field: `lines.${i}`,
            message: dto.lines[i].sku
              ? `no unmatched accrued cost of ${dto.lines[i].sku} from ${vendor.name} in ${currency} up to ${dto.date.slice(0, 7)} fits its quantity`
              : 'has no sku to match; set allowUnmatched to post it to 5900',
          }));
          throw fieldProblem(
            PurchasingErrorCode.UnmatchedBillLine,
            `${errors.length} line(s) match no accrued cost: ${errors.map((e) => e.field).join(', ')}`,
            errors,
          );
        }
        if (!withinDocumentMaximum(match.gross)) {
          throw amountOutOfRange(`The bill comes to more than the largest document amount`, [
            { field: 'lines', message: 'the bill amount is too large' },
          ]);
        }

        try {
          await em.query(
            `INSERT INTO vendor_bills (id, vendor_id, number, bill_date, due_date, currency, net, tax, gross, matched, variance, created_by)
             VALUES ($1, $2, $3, $4::date, $4::date + $5::int, $6, $7, $8, $9, $10, $11, $12)`,
            [
              id,
              vendor.id,
              dto.number,
              dto.date,
              vendor.payment_terms_days,
              currency,
              match.net.toFixed(),
              match.tax.toFixed(),
              match.gross.toFixed(),
              match.matched.toFixed(),
              match.variance.toFixed(),
              createdBy,
            ],
          );
        } catch (e) {
          if (sqlState(e) === '23505') throw duplicateBill(vendor.name, dto.number);
          throw e;
        }
        const lineIds = dto.lines.map(() => randomUUID());
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
            dto.lines.map((_, i) => i + 1),
            dto.lines.map((l) => l.sku ?? null),
            dto.lines.map((l) => l.description),
            dto.lines.map((l) => String(l.quantity)),
            dto.lines.map((l) => l.unitCost),
            match.lines.map((l) => l.net.toFixed()),
            match.lines.map((l) => l.tax.toFixed()),
            match.lines.map((l) => l.gross.toFixed()),
            match.lines.map((l) => l.matchedQuantity.toFixed()),
            match.lines.map((l) => l.matchedAmount.toFixed()),
            match.lines.map((l) => l.variance.toFixed()),
            dto.lines.map((l) => !!l.allowUnmatched),
          ],
        );
        const pairs = match.lines.flatMap((l, i) => l.matched.map((a) => ({ accrual: a.id, line: lineIds[i] })));
        if (pairs.length) {
          // Only still-unmatched rows: under the row locks above this is all of them; if not, retry.
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
        // Each line's variance as the entry shares it among resellers: the margin report's cost side (docs/accounting.md §12).
        const shares = match.lines.flatMap((l, i) =>
          [...shareByReseller(l, currency)].map(([resellerId, amount]) => ({
            line: lineIds[i],
            resellerId,
            amount,
          })),
        );
        if (shares.length) {
          await em.query(
            `INSERT INTO vendor_bill_variances (bill_line_id, reseller_id, amount)
             SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::numeric[])`,
            [shares.map((x) => x.line), shares.map((x) => x.resellerId), shares.map((x) => x.amount.toFixed())],
          );
        }
        await this.ledger.post(em, {
          entryDate: dto.date,
          memo: `Vendor bill ${dto.number} from ${vendor.name}`.slice(0, 500),
          source: { type: VENDOR_BILL_SOURCE, id },
          createdBy,
          lines: billPosting(match, currency),
        });
        return this.view(em, id);
      }),
    );
  }

  async list(q: VendorBillQueryDto): Promise<Page<VendorBillSummaryView>> {
    const params = [q.vendorId ?? null, q.from ?? null, q.to ?? null, q.status ?? null];
    const where = `($1::uuid IS NULL OR b.vendor_id = $1::uuid) AND ($2::date IS NULL OR b.bill_date >= $2::date)
       AND ($3::date IS NULL OR b.bill_date <= $3::date) AND ($4::text IS NULL OR b.status = $4::text)`;
    const rows: Array<BillRow & { matching_rows: number }> = await this.db.query(
      `SELECT ${BILL_COLUMNS}, count(*) OVER ()::int AS matching_rows FROM ${BILL_FROM} WHERE ${where}
        ORDER BY b.bill_date DESC, b.created_at DESC, b.id LIMIT $5 OFFSET $6`,
      [...params, q.pageSize, q.offset],
    );
    // Past the last page the window count is not there: count the matching bills (a row count, not money).
    const total = rows.length
      ? rows[0].matching_rows
      : q.offset
        ? ((await this.db.query(`SELECT count(*)::int AS n FROM ${BILL_FROM} WHERE ${where}`, params)) as Array<{ n: number }>)[0].n
        : 0;
    return page(rows.map(toBillSummary), total, q);
  }

  async get(id: string): Promise<VendorBillView> {
    return this.view(this.db.manager, id);
  }

  /**
   * GET /vendor-bills/matching?period=: the month's accrued costs no bill has matched yet (per
   * vendor, SKU and currency), and the lines of the month's bills with a variance or matching nothing.
   */
  async matching(period: string): Promise<MatchingView> {
    const month = `${period}-01`;
    const accruals: Array<{
      vendor: string;
      vendor_id: string | null;
      sku: string;
      currency: Currency;
      n: string;
      quantity: string;
      amount: string;
    }> = await this.db.query(
      `SELECT coalesce(v.name, min(a.vendor)) AS vendor, v.id AS vendor_id, a.sku, a.currency, count(*) AS n,
                sum(a.quantity)::text AS quantity, sum(a.amount)::text AS amount
           FROM cost_accruals a LEFT JOIN vendors v ON lower(v.name) = lower(a.vendor)
          WHERE a.period = $1::date AND a.vendor_bill_line_id IS NULL
          GROUP BY lower(a.vendor), v.id, v.name, a.sku, a.currency
          ORDER BY lower(a.vendor), a.sku, a.currency`,
      [month],
    );
    const lines: Array<
      BillLineRow & {
        number: string;
        vendor_id: string;
        vendor_name: string;
        bill_date: string;
        currency: Currency;
      }
    > = await this.db.query(
      `SELECT ${BILL_LINE_COLUMNS}, b.number, b.vendor_id, v.name AS vendor_name, b.bill_date::text AS bill_date, b.currency
           FROM vendor_bill_lines l JOIN vendor_bills b ON b.id = l.bill_id JOIN vendors v ON v.id = b.vendor_id
          WHERE b.bill_date >= $1::date AND b.bill_date < ($1::date + interval '1 month')
            AND (l.variance <> 0 OR l.matched_quantity = 0)
          ORDER BY b.bill_date, b.number, l.line_no`,
      [month],
    );
    return {
      period,
      unmatchedAccruals: accruals.map((r): UnmatchedAccrualView => ({
        vendor: r.vendor,
        vendorId: r.vendor_id,
        sku: r.sku,
        currency: r.currency,
        accruals: Number(r.n),
        quantity: quantity(r.quantity),
        amount: new Dec(r.amount).toFixed(minorUnits(r.currency), Dec.ROUND_HALF_UP),
      })),
      billLines: lines.map((l): MatchingBillLineView => {
        const v = toBillLineView(l, [], l.currency);
        return {
          billId: l.bill_id,
          number: l.number,
          vendorId: l.vendor_id,
          vendorName: l.vendor_name,
          date: l.bill_date,
          currency: l.currency,
          lineNo: v.lineNo,
          sku: v.sku,
          description: v.description,
          quantity: v.quantity,
          net: v.net,
          matchedQuantity: v.matchedQuantity,
          matchedAmount: v.matchedAmount,
          variance: v.variance,
          unmatched: new Dec(l.matched_quantity).isZero(),
        };
      }),
    };
  }

  /** The bill with its lines, what each matched, and its payments (404 when unknown). */
  async view(em: EntityManager, id: string): Promise<VendorBillView> {
    const bills: BillRow[] = await em.query(`SELECT ${BILL_COLUMNS} FROM ${BILL_FROM} WHERE b.id = $1`, [id]);
    if (!bills.length) throw purchasingError(PurchasingErrorCode.NotFound, `Vendor bill ${id} was not found`);
    const bill = bills[0];
    const lines: BillLineRow[] = await em.query(
      `SELECT ${BILL_LINE_COLUMNS} FROM vendor_bill_lines l WHERE l.bill_id = $1 ORDER BY l.line_no`,
      [id],
    );
    const matches: MatchedAccrualRow[] = await em.query(
      `SELECT a.id, a.vendor_bill_line_id, a.source_type, a.source_id, a.reseller_id, a.accrued_on::text AS accrued_on,
              a.quantity::text AS quantity, a.amount::text AS amount
         FROM cost_accruals a JOIN vendor_bill_lines l ON l.id = a.vendor_bill_line_id
        WHERE l.bill_id = $1 ORDER BY a.accrued_on, a.id`,
      [id],
    );
    const payments: BillPaymentRow[] = await em.query(
      `SELECT id, bill_id, amount::text AS amount, paid_on::text AS paid_on, reference, created_at FROM vendor_bill_payments
        WHERE bill_id = $1 ORDER BY paid_on, created_at, id`,
      [id],
    );
    return {
      ...toBillSummary(bill),
      lines: lines.map((l) =>
        toBillLineView(
          l,
          matches.filter((m) => m.vendor_bill_line_id === l.id),
          bill.currency,
        ),
      ),
      payments: payments.map((p) => toPaymentView(p, bill.currency)),
    };
  }

  /**
   * The accruals the bill may match, locked oldest first (the lock order every bill uses): the
   * vendor's unmatched accruals of the bill's SKUs and currency, of the bill date's month or earlier.
   */
  private async lockCandidates(
    em: EntityManager,
    vendor: string,
    dto: CreateVendorBillDto,
    currency: Currency,
  ): Promise<AccrualCandidate[]> {
    const skus = [...new Set(dto.lines.map((l) => l.sku).filter((s): s is string => !!s))];
    if (!skus.length) return [];
    const rows: Array<{
      id: string;
      sku: string;
      reseller_id: string | null;
      accrued_on: string;
      quantity: string;
      amount: string;
    }> = await em.query(
      `SELECT id, sku, reseller_id, accrued_on::text AS accrued_on, quantity::text AS quantity, amount::text AS amount
         FROM cost_accruals
        WHERE lower(vendor) = lower($1) AND sku = ANY($2::text[]) AND currency = $3
          AND period <= date_trunc('month', $4::date)::date AND vendor_bill_line_id IS NULL
        ORDER BY accrued_on, id
        FOR UPDATE`,
      [vendor, skus, currency, dto.date],
    );
    return rows.map((r) => ({
      id: r.id,
      sku: r.sku,
      resellerId: r.reseller_id,
      accruedOn: r.accrued_on,
      quantity: new Dec(r.quantity),
      amount: new Dec(r.amount),
    }));
  }
}

function duplicateBill(vendor: string, number: string): ProblemError {
  return fieldProblem(
    PurchasingErrorCode.DuplicateVendorBill,
    `Bill ${number} of ${vendor} is already recorded`,
    [{ field: 'number', message: 'is already recorded for this vendor' }],
    { number },
  );
}

/** Each line's tax in the bill's currency's minor units (the currency may be the vendor's default, so checked here). */
function assertTaxDecimals(dto: CreateVendorBillDto, currency: Currency): void {
  const errors: FieldError[] = [];
  dto.lines.forEach((l, i) => {
    const decimals = l.tax.includes('.') ? l.tax.split('.')[1].length : 0;
    if (decimals > minorUnits(currency))
      errors.push({
        field: `lines.${i}.tax`,
        message: `at most ${minorUnits(currency)} decimals in ${currency}`,
      });
  });
  if (errors.length) throw validationError(`Tax has more decimals than ${currency} allows`, errors);
}
