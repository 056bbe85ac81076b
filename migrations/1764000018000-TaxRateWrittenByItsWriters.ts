import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tax rate in force (docs/money-integrity.md §4) is written by the code that writes each row:
 * the order's rate on its lines, the order's rate on a new subscription's first term and charges,
 * the reseller's rate at renewal on a renewed term, and a term's rate on every charge of it. The
 * per-row triggers that filled it in by reading orders, resellers and terms again (on every row of
 * the order path) go; NOT NULL still refuses a row written without it.
 */
export class TaxRateWrittenByItsWriters1764000018000 implements MigrationInterface {
  name = 'TaxRateWrittenByItsWriters1764000018000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER order_lines_tax_rate ON order_lines`);
    await q.query(`DROP TRIGGER subscription_terms_tax_rate ON subscription_terms`);
    await q.query(`DROP TRIGGER subscription_charges_tax_rate ON subscription_charges`);
    await q.query(`DROP FUNCTION order_lines_default_tax_rate()`);
    await q.query(`DROP FUNCTION subscription_terms_default_tax_rate()`);
    await q.query(`DROP FUNCTION subscription_charges_default_tax_rate()`);
  }

  public async down(): Promise<void> {
    throw new Error('TaxRateWrittenByItsWriters1764000018000 is not reversible; restore from a backup');
  }
}
