import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closes a gap of the balance check at commit (docs/accounting.md §1). The check was queued by the
 * statement that inserted the entries, and `SET CONSTRAINTS … IMMEDIATE` could fire it early: lines
 * added to the same entries by a later statement of the transaction were then never checked, and
 * an entry could commit unbalanced.
 *
 * The check now follows the lines. Each statement that inserts lines queues the balance check of
 * the entries it touched (journal_entry_balanced, unchanged): whenever a check fires, it covers every
 * line inserted before it, and a line inserted after it queues a check of its own. The entries'
 * statement queues only what the lines cannot: that each entry has lines at all
 * (journal_entry_has_lines, one index probe per entry, the same LD001 error and message as before).
 * Both use the same queue, written only by the ledger's SECURITY DEFINER functions; a queued row
 * says which check it wants (`balance`; the entries' trigger leaves the default, false).
 */
export class LinesRecheckBalance1764000950000 implements MigrationInterface {
  name = 'LinesRecheckBalance1764000950000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_balance_checks ADD COLUMN balance boolean NOT NULL DEFAULT false`);

    // The queued row is deleted at once, as the entries' trigger does: the deferred event keeps it.
    await q.query(`
      CREATE FUNCTION ledger_lines_queue_check() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE queued tid;
      BEGIN
        -- The statement's entries in the order of their first line, so the check names the first that fails.
        INSERT INTO public.ledger_balance_checks (entry_ids, balance)
        SELECT array_agg(entry_id ORDER BY o), true
          FROM (SELECT entry_id, min(o) AS o FROM (SELECT entry_id, row_number() OVER () AS o FROM new_lines) l GROUP BY entry_id) e
        HAVING count(*) > 0
        RETURNING ctid INTO queued;
        IF FOUND THEN
          DELETE FROM public.ledger_balance_checks WHERE ctid = queued;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER journal_lines_queue_check AFTER INSERT ON journal_lines
                   REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger_lines_queue_check()`);

    await q.query(`
      CREATE FUNCTION ledger_check_entries_have_lines() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, public SET enable_seqscan = off AS $$
      DECLARE missing uuid;
      BEGIN
        SELECT x.id INTO missing FROM unnest(NEW.entry_ids) WITH ORDINALITY AS x(id, o)
         WHERE NOT EXISTS (SELECT FROM public.journal_lines l WHERE l.entry_id = x.id)
         ORDER BY x.o LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'journal entry % has 0 line(s); at least 2 are required', missing
            USING ERRCODE = 'LD001', CONSTRAINT = 'journal_entry_balanced';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER journal_entry_balanced ON ledger_balance_checks`);
    await q.query(`CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT ON ledger_balance_checks
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.balance) EXECUTE FUNCTION ledger_check_entries_balanced()`);
    await q.query(`CREATE CONSTRAINT TRIGGER journal_entry_has_lines AFTER INSERT ON ledger_balance_checks
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT NEW.balance) EXECUTE FUNCTION ledger_check_entries_have_lines()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER journal_entry_has_lines ON ledger_balance_checks`);
    await q.query(`DROP FUNCTION ledger_check_entries_have_lines()`);
    await q.query(`DROP TRIGGER journal_entry_balanced ON ledger_balance_checks`);
    await q.query(`CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT ON ledger_balance_checks
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entries_balanced()`);
    await q.query(`DROP TRIGGER journal_lines_queue_check ON journal_lines`);
    await q.query(`DROP FUNCTION ledger_lines_queue_check()`);
    await q.query(`ALTER TABLE ledger_balance_checks DROP COLUMN balance`);
  }
}
