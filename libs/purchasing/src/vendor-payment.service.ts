// Owns `vendor_bill_payments` and the settlement column `vendor_bills.paid` (docs/accounting.md §3, "vendor paid").
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { Clock, Currency, Dec, idempotentTransaction, minorUnits, moneyString, retryOnConflict, validationError } from '#disty/core';
import { AccountCode, LedgerService } from '#disty/ledger';
import { PayVendorBillDto, VendorPaymentResultView } from './dto/vendor-bill.dto';
import { fieldProblem, purchasingError, PurchasingErrorCode } from './errors';
import { BILL_COLUMNS, BILL_FROM, BillPaymentRow, BillRow, toBillSummary, toPaymentView } from './purchasing.sql';

export const VENDOR_PAYMENT_SOURCE = 'vendor_payment';

/**
 * Pays a recorded vendor bill from the bank: debit 2000 / credit 1000, one entry per payment
 * (source vendor_payment), in the payment's transaction (idempotent with an Idempotency-Key). A
 * payment is at most the bill's open amount (gross − paid; the bill row is locked), dated neither
 * before the bill, nor in the future, nor in a closed month. Status: OPEN, PARTIALLY_PAID, PAID.
 */
@Injectable()
export class VendorPaymentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly clock: Clock,
  ) {}

  async pay(billId: string, dto: PayVendorBillDto, createdBy: string | null): Promise<VendorPaymentResultView> {
    const today = this.clock.today();
    if (dto.paidOn > today) {
      throw fieldProblem(PurchasingErrorCode.FutureDated, `A payment cannot be dated ${dto.paidOn}, after today (${today})`, [
        { field: 'paidOn', message: `must be on or before ${today}` },
      ]);
    }
    const id = randomUUID();
    return retryOnConflict(() =>
      idempotentTransaction(this.db, async (em) => {
        const bills: BillRow[] = await em.query(`SELECT ${BILL_COLUMNS} FROM ${BILL_FROM} WHERE b.id = $1 FOR UPDATE OF b`, [billId]);
        if (!bills.length) throw purchasingError(PurchasingErrorCode.NotFound, `Vendor bill ${billId} was not found`);
        const bill = bills[0];
        const c: Currency = bill.currency;
        const decimals = dto.amount.includes('.') ? dto.amount.split('.')[1].length : 0;
        if (decimals > minorUnits(c)) {
          throw validationError(`amount has more decimals than ${c} allows`, [
            { field: 'amount', message: `at most ${minorUnits(c)} decimals in ${c}` },
          ]);
        }
        const amount = new Dec(dto.amount);
        const open = new Dec(bill.gross).minus(bill.paid);
        if (amount.gt(open)) {
          throw fieldProblem(
            PurchasingErrorCode.OverPayment,
            `Bill ${bill.number} has ${moneyString(open, c)} ${c} open; ${moneyString(amount, c)} cannot be paid`,
            [{ field: 'amount', message: `at most ${moneyString(open, c)} (the bill's open amount)` }],
            { open: moneyString(open, c), requested: moneyString(amount, c) },
          );
        }
        if (dto.paidOn < bill.bill_date) {
          throw fieldProblem(
            PurchasingErrorCode.PaymentBeforeBill,
            `Bill ${bill.number} is dated ${bill.bill_date}; it cannot be paid on ${dto.paidOn}`,
            [{ field: 'paidOn', message: `must be on or after the bill date ${bill.bill_date}` }],
          );
        }
        if ((await this.ledger.postingDateFor(dto.paidOn, em)) !== dto.paidOn) {
          throw fieldProblem(PurchasingErrorCode.PeriodClosed, `${dto.paidOn.slice(0, 7)} is closed; a payment cannot be dated in it`, [
            { field: 'paidOn', message: 'is in a closed month' },
          ]);
        }
        const [payment]: BillPaymentRow[] = await em.query(
          `INSERT INTO vendor_bill_payments (id, bill_id, amount, paid_on, reference, created_by) VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id, bill_id, amount::text AS amount, paid_on::text AS paid_on, reference, created_at`,
          [id, bill.id, amount.toFixed(), dto.paidOn, dto.reference, createdBy],
        );
        await em.query(`UPDATE vendor_bills SET paid = paid + $2 WHERE id = $1`, [bill.id, amount.toFixed()]);
        await this.ledger.post(em, {
          entryDate: dto.paidOn,
          memo: `Payment of vendor bill ${bill.number} (${bill.vendor_name}) ${dto.reference}`.slice(0, 500),
          source: { type: VENDOR_PAYMENT_SOURCE, id },
          createdBy,
          lines: [
            { accountCode: AccountCode.AccountsPayable, resellerId: null, currency: c, debit: amount },
            { accountCode: AccountCode.Cash, resellerId: null, currency: c, credit: amount },
          ],
        });
        const [after]: BillRow[] = await em.query(`SELECT ${BILL_COLUMNS} FROM ${BILL_FROM} WHERE b.id = $1`, [bill.id]);
        return { payment: toPaymentView(payment, c), bill: toBillSummary(after) };
      }),
    );
  }
}
