import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What billing a reseller writes (docs/performance.md, "Billing run, second round"): each invoice
 * line is inserted into every index of `invoice_lines`, and each charge a run takes is updated
 * (not HOT: the billing mark is indexed), so it goes into every index of `subscription_charges`
 * again. Indexes no query reads are dropped; the reads that used a dropped one go through another:
 *
 * - `invoice_lines_cloud_charge_idx` (source_id of cloud charge lines): every read of charge lines
 *   names the source type, which `invoice_lines_source_key (source_type, source_id)` serves.
 * - `invoice_lines_tax_code_idx`: no query filters on the tax code (the tax report groups by it).
 * - `invoice_lines_reseller_id_idx`: the one read by reseller (the service conservation check)
 *   reaches the lines through the reseller's invoices (`invoices_reseller_id_idx`, then
 *   `invoice_lines_invoice_line_no_key`).
 * - `subscription_charges_invoice_idx` (the billing mark): no query looks charges up by invoice.
 * - `subscription_charges_reseller_id_idx`: the one read by reseller (the service record) reaches
 *   the charges through the reseller's subscriptions (`subscription_charges_subscription_idx`).
 * - `credit_reservations_reseller_idx (reseller_id, line, status)`: reservations are read by source
 *   (`credit_reservations_source_line_key`) or id, never by reseller; the foreign key to
 *   `credit_lines` needs no index on this side, since credit lines are never deleted and their key
 *   never changes. With no index on status, remaining or settled_at, settling a reservation
 *   (consumed by an invoice, released by a cancellation) can be a HOT update, which writes no index
 *   entry, when its page has room: the table keeps half of each page free for the settled versions.
 *   So does `credit_lines`, whose reserved total every order and invoice updates.
 */
export class BillingWriteIndexes1764000900000 implements MigrationInterface {
  name = 'BillingWriteIndexes1764000900000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX invoice_lines_cloud_charge_idx`);
    await q.query(`DROP INDEX invoice_lines_tax_code_idx`);
    await q.query(`DROP INDEX invoice_lines_reseller_id_idx`);
    await q.query(`DROP INDEX subscription_charges_invoice_idx`);
    await q.query(`DROP INDEX subscription_charges_reseller_id_idx`);
    await q.query(`DROP INDEX credit_reservations_reseller_idx`);
    await q.query(`ALTER TABLE credit_reservations SET (fillfactor = 50)`);
    await q.query(`ALTER TABLE credit_lines SET (fillfactor = 50)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE credit_lines RESET (fillfactor)`);
    await q.query(`ALTER TABLE credit_reservations RESET (fillfactor)`);
    await q.query(`CREATE INDEX credit_reservations_reseller_idx ON credit_reservations (reseller_id, line, status)`);
    await q.query(`CREATE INDEX subscription_charges_reseller_id_idx ON subscription_charges (reseller_id)`);
    await q.query(
      `CREATE INDEX subscription_charges_invoice_idx ON subscription_charges (billed_invoice_id) WHERE billed_invoice_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX invoice_lines_reseller_id_idx ON invoice_lines (reseller_id)`);
    await q.query(`CREATE INDEX invoice_lines_tax_code_idx ON invoice_lines (tax_code)`);
    await q.query(`CREATE INDEX invoice_lines_cloud_charge_idx ON invoice_lines (source_id)
                   WHERE credit_line = 'CLOUD' AND source_type = 'subscription_charge'`);
  }
}
