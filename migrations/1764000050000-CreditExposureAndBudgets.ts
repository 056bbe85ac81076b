import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit exposure of the CLOUD line and consumption budgets (docs/consumption.md §7, §8).
 * - usage_unbilled (usage's read contract): rated usage not yet invoiced, per reseller and currency.
 * - credit_lines.unbilled_usage / exposure_hold (reseller's columns): the usage the line counts
 *   beside open invoices and reservations, and the hold placed when that exposure reaches the limit.
 * - credit_exposure_thresholds / credit_exposure_alerts (credit-exposure module).
 * - consumption_budgets / consumption_budget_alerts (usage module).
 */
export class CreditExposureAndBudgets1764000050000 implements MigrationInterface {
  name = 'CreditExposureAndBudgets1764000050000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW usage_unbilled AS
      SELECT reseller_id, currency,
             sum(CASE WHEN superseded_at IS NULL THEN rated_net ELSE 0 END - billed_net) AS net
        FROM usage_records GROUP BY reseller_id, currency`);

    await q.query(`ALTER TABLE credit_lines ADD COLUMN unbilled_usage numeric(20,4) NOT NULL DEFAULT 0,
                   ADD COLUMN exposure_hold boolean NOT NULL DEFAULT false`);

    await q.query(`
      CREATE TABLE credit_exposure_thresholds (
        scope text PRIMARY KEY,
        reseller_id uuid,
        percents numeric(6,2)[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT fk_credit_exposure_thresholds_reseller FOREIGN KEY (reseller_id) REFERENCES resellers (id),
        CONSTRAINT ck_credit_exposure_thresholds_scope CHECK (scope = coalesce(reseller_id::text, 'global')),
        CONSTRAINT ck_credit_exposure_thresholds_percents CHECK (cardinality(percents) BETWEEN 1 AND 10 AND 0 < ALL (percents))
      )`);
    await q.query(`
      CREATE TABLE credit_exposure_alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        credit_line text NOT NULL,
        period char(7) NOT NULL,
        threshold numeric(6,2) NOT NULL,
        currency char(3) NOT NULL,
        credit_limit numeric(20,4) NOT NULL,
        exposure numeric(20,4) NOT NULL,
        unbilled_usage numeric(20,4) NOT NULL,
        hold_placed boolean NOT NULL DEFAULT false,
        raised_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT fk_credit_exposure_alerts_reseller FOREIGN KEY (reseller_id) REFERENCES resellers (id),
        CONSTRAINT uq_credit_exposure_alerts_once UNIQUE (reseller_id, credit_line, period, threshold),
        CONSTRAINT ck_credit_exposure_alerts_period CHECK (period ~ '^[0-9]{4}-[0-9]{2}$')
      )`);
    await q.query(`CREATE INDEX ix_credit_exposure_alerts_reseller ON credit_exposure_alerts (reseller_id, raised_at)`);

    await q.query(`
      CREATE TABLE consumption_budgets (
        subscription_id uuid PRIMARY KEY,
        reseller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        monthly_amount numeric(20,4) NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT fk_consumption_budgets_subscription FOREIGN KEY (subscription_id) REFERENCES consumption_subscriptions (id),
        CONSTRAINT ck_consumption_budgets_amount CHECK (monthly_amount >= 0)
      )`);
    await q.query(`CREATE INDEX ix_consumption_budgets_reseller ON consumption_budgets (reseller_id)`);
    await q.query(`
      CREATE TABLE consumption_budget_alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        month char(7) NOT NULL,
        currency char(3) NOT NULL,
        budget numeric(20,4) NOT NULL,
        month_to_date numeric(20,4) NOT NULL,
        forecast numeric(20,4) NOT NULL,
        raised_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT fk_consumption_budget_alerts_subscription FOREIGN KEY (subscription_id) REFERENCES consumption_subscriptions (id),
        CONSTRAINT uq_consumption_budget_alerts_once UNIQUE (subscription_id, month)
      )`);
    await q.query(`CREATE INDEX ix_consumption_budget_alerts_reseller ON consumption_budget_alerts (reseller_id, raised_at)`);

    const app = (await q.query(`SELECT 1 FROM pg_roles WHERE rolname = 'disty_app'`)) as unknown[];
    if (app.length) {
      // Alerts are raised once and kept, like the renewal pipeline's.
      await q.query(`REVOKE UPDATE, DELETE ON credit_exposure_alerts, consumption_budget_alerts FROM disty_app`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE consumption_budget_alerts, consumption_budgets, credit_exposure_alerts, credit_exposure_thresholds`);
    await q.query(`ALTER TABLE credit_lines DROP COLUMN unbilled_usage, DROP COLUMN exposure_hold`);
    await q.query(`DROP VIEW usage_unbilled`);
  }
}
