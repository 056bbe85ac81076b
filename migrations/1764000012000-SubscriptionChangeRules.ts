import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dates on subscription changes (issue 13, leaks 1 and 2; docs/money-integrity.md):
 *
 * - `subscription_scheduled_changes`: a seat change or an immediate cancellation asked for a later
 *   date. The subscription is untouched until the renewal job applies it on its effective date
 *   (status PENDING → APPLIED, or FAILED with the reason, e.g. the CLOUD credit line was short);
 *   the requester may withdraw it (CANCELLED). Who asked and when are kept.
 * - `subscription_changes.reason`: a distributor's back-dated change must say why; kept beside
 *   who (created_by) and when (created_at). `scheduled_change_id` ties an applied change to its
 *   schedule, at most once.
 */
export class SubscriptionChangeRules1764000012000 implements MigrationInterface {
  name = 'SubscriptionChangeRules1764000012000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscription_scheduled_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES subscriptions (id),
        reseller_id uuid NOT NULL,
        kind text NOT NULL,
        new_quantity integer,
        effective_date date NOT NULL,
        status text NOT NULL DEFAULT 'PENDING',
        failure_reason text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz,
        CONSTRAINT subscription_scheduled_changes_kind_check CHECK (kind IN ('QUANTITY','CANCEL_IMMEDIATE')),
        CONSTRAINT subscription_scheduled_changes_status_check CHECK (status IN ('PENDING','APPLIED','CANCELLED','FAILED')),
        CONSTRAINT subscription_scheduled_changes_quantity_check CHECK (
          (kind = 'QUANTITY' AND new_quantity BETWEEN 1 AND 1000000) OR (kind = 'CANCEL_IMMEDIATE' AND new_quantity IS NULL)),
        CONSTRAINT subscription_scheduled_changes_resolved_check CHECK ((status = 'PENDING') = (resolved_at IS NULL))
      )`);
    await q.query(`CREATE INDEX subscription_scheduled_changes_due_idx ON subscription_scheduled_changes (effective_date, created_at)
                   WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX subscription_scheduled_changes_subscription_idx ON subscription_scheduled_changes (subscription_id)`);
    await q.query(`CREATE INDEX subscription_scheduled_changes_reseller_id_idx ON subscription_scheduled_changes (reseller_id)`);

    await q.query(`ALTER TABLE subscription_changes ADD COLUMN reason text, ADD COLUMN scheduled_change_id uuid
                     CONSTRAINT subscription_changes_scheduled_change_fkey REFERENCES subscription_scheduled_changes (id)`);
    await q.query(`CREATE UNIQUE INDEX subscription_changes_scheduled_change_key ON subscription_changes (scheduled_change_id)
                   WHERE scheduled_change_id IS NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX subscription_changes_scheduled_change_key`);
    await q.query(`ALTER TABLE subscription_changes DROP COLUMN scheduled_change_id, DROP COLUMN reason`);
    await q.query(`DROP TABLE subscription_scheduled_changes`);
  }
}
