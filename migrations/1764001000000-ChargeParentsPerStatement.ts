import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A charge's subscription and term are checked once per statement (docs/performance.md §15). The
 * two foreign keys of subscription_charges checked each charge row on its own: a query and a KEY
 * SHARE lock per row and key, about 14 per order of the orders bench (about 7 charges). The
 * same rule is now kept by triggers, with the foreign keys' names, error codes and messages:
 *
 * - child side, insert: one statement trigger locks the statement's subscriptions and terms KEY
 *   SHARE, in key order, as the foreign keys did, and refuses a charge whose parent is missing
 *   (23503, constraint subscription_charges_subscription_id_fkey or subscription_charges_term_id_fkey);
 * - child side, update: a row trigger, only when a charge's subscription or term changes;
 * - parent side: deleting a subscription or term that a charge references, or changing its id, is
 *   refused (23503), and so is TRUNCATE of either while charges exist. A concurrent charge holds its
 *   parent's KEY SHARE lock, so a delete waits for it and then sees it.
 */

/** The charges' parents: each table, the charges' column that references its id. */
const PARENTS: Array<[table: string, column: string]> = [
  ['subscriptions', 'subscription_id'],
  ['subscription_terms', 'term_id'],
];

/**
 * The parents' check, shared by the statement trigger (insert) and the row trigger (update): for
 * each parent in turn (argument $n, the nth of PARENTS), lock the ids KEY SHARE in key order and
 * report the first missing one as its foreign key did. It runs as the owner, as a foreign key's
 * check does: a KEY SHARE lock needs more than the app's SELECT.
 */
const CHECK_PARENTS = `
  CREATE FUNCTION subscription_charges_check_parents(subs uuid[], terms uuid[]) RETURNS void LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, public SET enable_seqscan = off AS $$
  DECLARE locked uuid[]; missing uuid;
  BEGIN${PARENTS.map(
    ([table, column], i) => `
    SELECT array_agg(id) INTO locked FROM (SELECT id FROM public.${table} WHERE id = ANY($${i + 1}) ORDER BY id FOR KEY SHARE) p;
    IF coalesce(cardinality(locked), 0) <> cardinality($${i + 1}) THEN
      SELECT x INTO missing FROM unnest($${i + 1}) AS x WHERE x <> ALL(coalesce(locked, '{}')) LIMIT 1;
      RAISE EXCEPTION 'insert or update on table "subscription_charges" violates foreign key constraint "subscription_charges_${column}_fkey"'
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'subscription_charges_${column}_fkey',
              DETAIL = format('Key (${column})=(%s) is not present in table "${table}".', missing);
    END IF;`,
  ).join('')}
  END $$`;

const CHARGES_AFTER_INSERT = `
  CREATE FUNCTION subscription_charges_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE subs uuid[]; terms uuid[];
  BEGIN
    SELECT array_agg(DISTINCT subscription_id), array_agg(DISTINCT term_id) INTO subs, terms FROM new_charges;
    IF subs IS NOT NULL THEN
      PERFORM subscription_charges_check_parents(subs, terms);
    END IF;
    RETURN NULL;
  END $$`;

const CHARGES_AFTER_KEY_UPDATE = `
  CREATE FUNCTION subscription_charges_after_key_update() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM subscription_charges_check_parents(ARRAY[NEW.subscription_id], ARRAY[NEW.term_id]);
    RETURN NULL;
  END $$`;

/** Parent side: TG_ARGV[0] is the charges' column that references the parent's id. */
const PARENT_REFERENCED = `
  CREATE FUNCTION subscription_charges_parent_referenced() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, public AS $$
  BEGIN
    IF TG_OP = 'TRUNCATE' THEN
      IF EXISTS (SELECT FROM public.subscription_charges) THEN
        RAISE EXCEPTION 'cannot truncate table "%": subscription_charges references it', TG_TABLE_NAME
          USING ERRCODE = 'feature_not_supported';
      END IF;
      RETURN NULL;
    END IF;
    IF (CASE TG_ARGV[0] WHEN 'subscription_id' THEN EXISTS (SELECT FROM public.subscription_charges c WHERE c.subscription_id = OLD.id)
                        ELSE EXISTS (SELECT FROM public.subscription_charges c WHERE c.term_id = OLD.id) END) THEN
      RAISE EXCEPTION '%', format('update or delete on table "%s" violates foreign key constraint "subscription_charges_%s_fkey" on table "subscription_charges"',
                                  TG_TABLE_NAME, TG_ARGV[0])
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'subscription_charges_' || TG_ARGV[0] || '_fkey',
              DETAIL = format('Key (id)=(%s) is still referenced from table "subscription_charges".', OLD.id);
    END IF;
    RETURN NULL;
  END $$`;

export class ChargeParentsPerStatement1764001000000 implements MigrationInterface {
  name = 'ChargeParentsPerStatement1764001000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscription_charges DROP CONSTRAINT subscription_charges_subscription_id_fkey`);
    await q.query(`ALTER TABLE subscription_charges DROP CONSTRAINT subscription_charges_term_id_fkey`);
    await q.query(CHECK_PARENTS);
    await q.query(CHARGES_AFTER_INSERT);
    await q.query(CHARGES_AFTER_KEY_UPDATE);
    await q.query(PARENT_REFERENCED);
    await q.query(`CREATE TRIGGER subscription_charges_parents AFTER INSERT ON subscription_charges
                   REFERENCING NEW TABLE AS new_charges FOR EACH STATEMENT EXECUTE FUNCTION subscription_charges_after_insert()`);
    await q.query(`CREATE TRIGGER subscription_charges_parents_changed AFTER UPDATE OF subscription_id, term_id ON subscription_charges
                   FOR EACH ROW WHEN (OLD.subscription_id IS DISTINCT FROM NEW.subscription_id OR OLD.term_id IS DISTINCT FROM NEW.term_id)
                   EXECUTE FUNCTION subscription_charges_after_key_update()`);
    for (const [table, column] of PARENTS) {
      await q.query(`CREATE TRIGGER ${table}_charges_referenced AFTER DELETE ON ${table}
                     FOR EACH ROW EXECUTE FUNCTION subscription_charges_parent_referenced('${column}')`);
      await q.query(`CREATE TRIGGER ${table}_charges_referenced_key AFTER UPDATE OF id ON ${table}
                     FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION subscription_charges_parent_referenced('${column}')`);
      await q.query(`CREATE TRIGGER ${table}_charges_truncate BEFORE TRUNCATE ON ${table}
                     FOR EACH STATEMENT EXECUTE FUNCTION subscription_charges_parent_referenced('${column}')`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const [table] of PARENTS) {
      await q.query(`DROP TRIGGER ${table}_charges_truncate ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_charges_referenced_key ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_charges_referenced ON ${table}`);
    }
    await q.query(`DROP TRIGGER subscription_charges_parents_changed ON subscription_charges`);
    await q.query(`DROP TRIGGER subscription_charges_parents ON subscription_charges`);
    await q.query(`DROP FUNCTION subscription_charges_parent_referenced()`);
    await q.query(`DROP FUNCTION subscription_charges_after_key_update()`);
    await q.query(`DROP FUNCTION subscription_charges_after_insert()`);
    await q.query(`DROP FUNCTION subscription_charges_check_parents(uuid[], uuid[])`);
    await q.query(
      `ALTER TABLE subscription_charges ADD CONSTRAINT subscription_charges_term_id_fkey FOREIGN KEY (term_id) REFERENCES subscription_terms (id)`,
    );
    await q.query(
      `ALTER TABLE subscription_charges ADD CONSTRAINT subscription_charges_subscription_id_fkey FOREIGN KEY (subscription_id) REFERENCES subscriptions (id)`,
    );
  }
}
