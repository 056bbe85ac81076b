import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Control accounts and dates (docs/money-integrity.md, leaks 5, 7 and 8), enforced by the database
 * as well as by the services:
 *
 * - The distributor's additional accounts join the chart, and `accounts.control` marks the control
 *   accounts (1050, 1100, 1110, 1190, 2000, 2050, 2200, 2400, 2500): they move only through the
 *   documents that own them, so a line of a manual entry on one of them is refused (LDCTL).
 * - No journal entry is dated after today (UTC) (LDFUT).
 * - Invoice numbers follow issue dates: within a year, an invoice cannot take a number while an
 *   invoice dated later already has one (IVORD). The counter row the numbering locks serialises
 *   this check across concurrent billing runs.
 * - An application of cash to an invoice (a payment's own allocation or a later application of
 *   unapplied cash) is never dated before the payment was received nor before the invoice was
 *   issued (PYDAT).
 * - A hardware line shipped in a closed month keeps its real `shipped_on`; `posted_on` is the date
 *   its shipment counts on in the books (the first day of the first open month), null otherwise.
 */
export class ControlAccountsAndDates1764000011000 implements MigrationInterface {
  name = 'ControlAccountsAndDates1764000011000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts ADD COLUMN control boolean NOT NULL DEFAULT false`);
    await q.query(`
      INSERT INTO accounts (code, name, type) VALUES
        ('1190', 'Unbilled receivables (delivered, not yet invoiced)', 'asset'),
        ('1300', 'Tax receivable (input tax on vendor bills and fees)', 'asset'),
        ('2000', 'Accounts payable — vendors', 'liability'),
        ('2050', 'Accrued vendor costs (delivered, not yet billed by the vendor)', 'liability'),
        ('2400', 'Deferred revenue — cloud', 'liability'),
        ('2500', 'Collections held for resellers (billing on their behalf)', 'liability'),
        ('3000', 'Retained earnings', 'equity'),
        ('4200', 'Fee revenue — billing services', 'revenue'),
        ('5000', 'Cost of goods sold — hardware', 'expense'),
        ('5100', 'Cost of cloud services', 'expense'),
        ('5900', 'Purchase price variance', 'expense'),
        ('6200', 'Bad debts written off', 'expense')
      ON CONFLICT (code) DO NOTHING`);
    await q.query(`UPDATE accounts SET control = true
                    WHERE code IN ('1050', '1100', '1110', '1190', '2000', '2050', '2200', '2400', '2500')`);

    // A manual entry never touches a control account.
    await q.query(`
      CREATE FUNCTION ledger_line_control_account() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM accounts WHERE code = NEW.account_code AND control)
           AND EXISTS (SELECT 1 FROM journal_entries WHERE id = NEW.entry_id AND source_type = 'manual') THEN
          RAISE EXCEPTION 'account % is a control account: it moves only through its documents, not by a manual entry', NEW.account_code
            USING ERRCODE = 'LDCTL';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER journal_lines_control_account BEFORE INSERT ON journal_lines
                   FOR EACH ROW EXECUTE FUNCTION ledger_line_control_account()`);

    // No entry is dated in the future.
    await q.query(`
      CREATE FUNCTION ledger_entry_not_future() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.entry_date > (now() AT TIME ZONE 'UTC')::date THEN
          RAISE EXCEPTION 'journal entry dated % is in the future (today is %)', NEW.entry_date, (now() AT TIME ZONE 'UTC')::date
            USING ERRCODE = 'LDFUT';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER journal_entries_not_future BEFORE INSERT ON journal_entries
                   FOR EACH ROW EXECUTE FUNCTION ledger_entry_not_future()`);

    // Invoice numbers follow issue dates within their year.
    await q.query(`CREATE INDEX invoices_year_issue_date_idx ON invoices (year, issue_date)`);
    await q.query(`
      CREATE FUNCTION invoices_number_in_date_order() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE later date;
      BEGIN
        IF NEW.seq IS NOT NULL AND OLD.seq IS NULL THEN
          SELECT max(issue_date) INTO later FROM invoices
           WHERE year = NEW.year AND seq IS NOT NULL AND issue_date > NEW.issue_date AND id <> NEW.id;
          IF later IS NOT NULL THEN
            RAISE EXCEPTION 'invoice dated % cannot be numbered after an invoice dated %', NEW.issue_date, later
              USING ERRCODE = 'IVORD';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER invoices_number_in_date_order BEFORE UPDATE OF seq ON invoices
                   FOR EACH ROW EXECUTE FUNCTION invoices_number_in_date_order()`);

    // Cash is applied to an invoice no earlier than it arrived and than the invoice exists.
    await q.query(`
      CREATE FUNCTION payment_allocations_dated() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE received date; issued date;
      BEGIN
        IF NEW.kind IN ('PAYMENT', 'APPLICATION') THEN
          SELECT received_on INTO received FROM payments WHERE id = NEW.payment_id;
          SELECT issue_date INTO issued FROM invoices WHERE id = NEW.invoice_id;
          IF NEW.applied_on < received OR NEW.applied_on < issued THEN
            RAISE EXCEPTION 'cash received on % cannot be applied to an invoice issued on % on %', received, issued, NEW.applied_on
              USING ERRCODE = 'PYDAT';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER payment_allocations_dated BEFORE INSERT ON payment_allocations
                   FOR EACH ROW EXECUTE FUNCTION payment_allocations_dated()`);

    await q.query(`ALTER TABLE order_lines ADD COLUMN posted_on date`);
    await q.query(`ALTER TABLE order_lines ADD CONSTRAINT order_lines_posted_on_check CHECK (posted_on IS NULL OR posted_on > shipped_on)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE order_lines DROP CONSTRAINT order_lines_posted_on_check`);
    await q.query(`ALTER TABLE order_lines DROP COLUMN posted_on`);
    await q.query(`DROP TRIGGER payment_allocations_dated ON payment_allocations`);
    await q.query(`DROP FUNCTION payment_allocations_dated`);
    await q.query(`DROP TRIGGER invoices_number_in_date_order ON invoices`);
    await q.query(`DROP FUNCTION invoices_number_in_date_order`);
    await q.query(`DROP INDEX invoices_year_issue_date_idx`);
    await q.query(`DROP TRIGGER journal_entries_not_future ON journal_entries`);
    await q.query(`DROP FUNCTION ledger_entry_not_future`);
    await q.query(`DROP TRIGGER journal_lines_control_account ON journal_lines`);
    await q.query(`DROP FUNCTION ledger_line_control_account`);
    await q.query(`DELETE FROM accounts a WHERE code IN ('1190', '1300', '2000', '2050', '2400', '2500', '3000', '4200', '5000', '5100', '5900', '6200')
                    AND NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.account_code = a.code)`);
    await q.query(`ALTER TABLE accounts DROP COLUMN control`);
  }
}
