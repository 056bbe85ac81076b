import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The renewal scan's window-reminder branch (docs/commitments.md, "On the renewal desk") reads the
 * running month-to-month terms ending inside each part's days-left range. Its only index was
 * subscriptions_due_idx (every running subscription by term end), so each part read the heap page
 * of every term ending in its range a second time, after the threshold branch had read them, only
 * to drop every row that is not P1M: on the benchmark's 1,000,000 annual terms, each part read
 * some 23,000 heap pages (with 4 parts) for no row (docs/performance.md, "Issue 23's regressions
 * profiled").
 *
 * subscriptions_month_to_month_due_idx holds only the terms that branch can use (its predicate is
 * the branch's filter, restated as the planner can prove it from the view's predicate), so the
 * branch reads month-to-month terms only. The subscription module owns the table; the read
 * contract (renewal_subscription_terms) is unchanged.
 */
export class MonthToMonthDueIndex1764000800000 implements MigrationInterface {
  name = 'MonthToMonthDueIndex1764000800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX subscriptions_month_to_month_due_idx ON subscriptions (term_end)
                   WHERE term = 'P1M' AND NOT cancel_at_term_end AND (status = 'ACTIVE' OR (status = 'CANCELLED' AND cancel_at_term_end))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX subscriptions_month_to_month_due_idx`);
  }
}
