import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LedgerService, PeriodCloseCheck, PeriodCloseFinding, totalsByCurrency } from '#disty/ledger';

/**
 * Month-end check (docs/accounting.md §9): vendor costs accrued in the month or before it that no
 * vendor bill has matched yet (what 2050 holds for them), per vendor, SKU and month.
 */
@Injectable()
export class UnmatchedAccrualsCheck implements PeriodCloseCheck, OnModuleInit {
  readonly name = 'unmatched-accruals';

  constructor(private readonly ledger: LedgerService) {}

  onModuleInit(): void {
    this.ledger.registerCloseCheck(this);
  }

  async find(em: EntityManager, month: { to: string }): Promise<PeriodCloseFinding | null> {
    const rows: Array<{
      vendor: string;
      sku: string;
      period: string;
      currency: string;
      accruals: string;
      amount: string;
    }> = await em.query(
      `SELECT vendor, sku, to_char(period, 'YYYY-MM') AS period, currency, count(*)::text AS accruals, sum(amount)::text AS amount
         FROM cost_accruals
        WHERE vendor_bill_line_id IS NULL AND accrued_on <= $1
        GROUP BY vendor, sku, period, currency
        ORDER BY period, vendor, sku, currency`,
      [month.to],
    );
    if (!rows.length) return null;
    const count = rows.reduce((n, r) => n + Number(r.accruals), 0);
    return {
      check: this.name,
      message: `${count} vendor cost accrual(s) up to ${month.to} are not matched to a vendor bill`,
      count,
      amounts: totalsByCurrency(rows),
      items: rows.slice(0, 50).map((r) => ({
        vendor: r.vendor,
        sku: r.sku,
        period: r.period,
        accruals: Number(r.accruals),
        amount: r.amount,
        currency: r.currency,
      })),
    };
  }
}
