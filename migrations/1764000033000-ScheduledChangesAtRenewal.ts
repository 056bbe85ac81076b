import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled changes at renewal (issue 17; docs/money-integrity.md, "Scheduled changes"):
 * `subscription_scheduled_changes` gains the kind RENEWAL, a change that the renewal job applies
 * when it creates the next term (its effective_date is that term's first day): a new seat count,
 * SKU, term length and/or billing frequency, at least one of them. At most one RENEWAL change is
 * pending per subscription.
 */
export class ScheduledChangesAtRenewal1764000033000 implements MigrationInterface {
  name = 'ScheduledChangesAtRenewal1764000033000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscription_scheduled_changes
      ADD COLUMN new_sku text, ADD COLUMN new_term text, ADD COLUMN new_billing_frequency text`);
    await q.query(`ALTER TABLE subscription_scheduled_changes
      DROP CONSTRAINT subscription_scheduled_changes_kind_check,
      DROP CONSTRAINT subscription_scheduled_changes_quantity_check`);
    await q.query(`ALTER TABLE subscription_scheduled_changes
      ADD CONSTRAINT subscription_scheduled_changes_kind_check CHECK (kind IN ('QUANTITY','CANCEL_IMMEDIATE','RENEWAL')),
      ADD CONSTRAINT subscription_scheduled_changes_quantity_check CHECK (
        (kind = 'QUANTITY' AND new_quantity BETWEEN 1 AND 1000000) OR (kind = 'CANCEL_IMMEDIATE' AND new_quantity IS NULL)
        OR (kind = 'RENEWAL' AND (new_quantity IS NULL OR new_quantity BETWEEN 1 AND 1000000))),
      ADD CONSTRAINT subscription_scheduled_changes_renewal_check CHECK (
        (kind = 'RENEWAL' AND num_nonnulls(new_quantity, new_sku, new_term, new_billing_frequency) >= 1)
        OR (kind <> 'RENEWAL' AND new_sku IS NULL AND new_term IS NULL AND new_billing_frequency IS NULL)),
      ADD CONSTRAINT subscription_scheduled_changes_term_check CHECK (new_term IS NULL OR new_term IN ('P1M','P1Y','P3Y')),
      ADD CONSTRAINT subscription_scheduled_changes_frequency_check CHECK (
        new_billing_frequency IS NULL OR new_billing_frequency IN ('MONTHLY','ANNUAL','UPFRONT'))`);
    await q.query(`CREATE UNIQUE INDEX subscription_scheduled_changes_one_renewal_key ON subscription_scheduled_changes (subscription_id)
                   WHERE kind = 'RENEWAL' AND status = 'PENDING'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX subscription_scheduled_changes_one_renewal_key`);
    await q.query(`DELETE FROM subscription_scheduled_changes WHERE kind = 'RENEWAL'`);
    await q.query(`ALTER TABLE subscription_scheduled_changes
      DROP CONSTRAINT subscription_scheduled_changes_frequency_check, DROP CONSTRAINT subscription_scheduled_changes_term_check,
      DROP CONSTRAINT subscription_scheduled_changes_renewal_check, DROP CONSTRAINT subscription_scheduled_changes_quantity_check,
      DROP CONSTRAINT subscription_scheduled_changes_kind_check`);
    await q.query(`ALTER TABLE subscription_scheduled_changes
      ADD CONSTRAINT subscription_scheduled_changes_kind_check CHECK (kind IN ('QUANTITY','CANCEL_IMMEDIATE')),
      ADD CONSTRAINT subscription_scheduled_changes_quantity_check CHECK (
        (kind = 'QUANTITY' AND new_quantity BETWEEN 1 AND 1000000) OR (kind = 'CANCEL_IMMEDIATE' AND new_quantity IS NULL))`);
    await q.query(
      `ALTER TABLE subscription_scheduled_changes DROP COLUMN new_billing_frequency, DROP COLUMN new_term, DROP COLUMN new_sku`,
    );
  }
}
