import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Currency, Dec } from '#disty/core';

/**
 * The output tax the invoicing documents owe, per reseller and currency (docs/accounting.md §6):
 * issued invoices' tax less credit notes' tax less the tax adjustment of write-offs, by their
 * dates. What reconciliation compares with each reseller's 2100 balance.
 */
@Injectable()
export class OutputTaxAuditService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async outputTax(
    asOf: string | null,
    resellerId: string | null,
    em: EntityManager = this.db.manager,
  ): Promise<Array<{ resellerId: string; currency: Currency; amount: Dec }>> {
    const rows: Array<{ reseller_id: string; currency: Currency; amount: string }> = await em.query(
      `SELECT reseller_id, currency, sum(tax)::text AS amount FROM (
         SELECT reseller_id, currency, hardware_tax + cloud_tax AS tax, issue_date AS d FROM invoices WHERE seq IS NOT NULL
         UNION ALL SELECT reseller_id, currency, -(hardware_tax + cloud_tax), issue_date FROM credit_notes
         UNION ALL SELECT reseller_id, currency, -tax, written_off_on FROM write_offs) t
        WHERE ($1::date IS NULL OR d <= $1) AND ($2::uuid IS NULL OR reseller_id = $2)
        GROUP BY 1, 2`,
      [asOf, resellerId],
    );
    return rows.map((r) => ({ resellerId: r.reseller_id, currency: r.currency, amount: new Dec(r.amount) }));
  }
}
