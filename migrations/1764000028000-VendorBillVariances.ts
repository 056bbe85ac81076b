import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Purchasing keeps each vendor bill line's variance as the bill's entry shares it among the
 * resellers of the accruals the line matched (docs/accounting.md §12): the cost side of the margin
 * report per reseller, equal to that reseller's 5900 lines. Bills recorded before keep their whole
 * line variance as one share without a reseller (their split was not kept), as posted for lines
 * without a reseller.
 */
export class VendorBillVariances1764000028000 implements MigrationInterface {
  name = 'VendorBillVariances1764000028000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vendor_bill_variances (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        bill_line_id uuid NOT NULL REFERENCES vendor_bill_lines (id),
        reseller_id uuid,
        amount numeric(20,4) NOT NULL,
        CONSTRAINT vendor_bill_variances_line_reseller_key UNIQUE NULLS NOT DISTINCT (bill_line_id, reseller_id)
      )`);
    await q.query(`
      INSERT INTO vendor_bill_variances (bill_line_id, reseller_id, amount)
      SELECT l.id, NULL, l.variance FROM vendor_bill_lines l WHERE l.variance <> 0`);
    await q.query(`
      CREATE TRIGGER vendor_bill_variances_immutable BEFORE UPDATE OR DELETE ON vendor_bill_variances
        FOR EACH ROW EXECUTE FUNCTION ledger_forbid_change()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE vendor_bill_variances`);
  }
}
