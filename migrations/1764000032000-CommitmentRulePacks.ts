import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Commitment rules per product (docs/commitments.md):
 * - `commitment_rule_packs`: named rule packs, seeded with NCE_LIKE (a 168-hour cancellation and
 *   decrease window, price lock for the term, every term and frequency, +20 % monthly uplift kept
 *   for information) and NO_COMMITMENT (no window, no price lock).
 * - `products.commitment_pack`: the pack a product follows, NO_COMMITMENT for every existing product.
 * - `subscription_changes.override_reason` / `override_by`: a distributor admin's override of a
 *   closed window, with who and why.
 */
export class CommitmentRulePacks1764000032000 implements MigrationInterface {
  name = 'CommitmentRulePacks1764000032000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE commitment_rule_packs (
        code text NOT NULL,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        window_hours integer,
        price_lock boolean NOT NULL,
        auto_renew_default boolean NOT NULL,
        allowed_terms text[] NOT NULL,
        allowed_billing_frequencies text[] NOT NULL,
        monthly_uplift_percent numeric(9,4) NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT commitment_rule_packs_pkey PRIMARY KEY (code),
        CONSTRAINT commitment_rule_packs_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]{0,39}$'),
        CONSTRAINT commitment_rule_packs_window_hours_check CHECK (window_hours IS NULL OR window_hours >= 0),
        CONSTRAINT commitment_rule_packs_terms_check CHECK (cardinality(allowed_terms) > 0 AND allowed_terms <@ ARRAY['P1M','P1Y','P3Y']),
        CONSTRAINT commitment_rule_packs_frequencies_check
          CHECK (cardinality(allowed_billing_frequencies) > 0 AND allowed_billing_frequencies <@ ARRAY['MONTHLY','ANNUAL','UPFRONT']),
        CONSTRAINT commitment_rule_packs_uplift_check CHECK (monthly_uplift_percent >= 0)
      )`);
    await q.query(`
      INSERT INTO commitment_rule_packs
        (code, name, description, window_hours, price_lock, auto_renew_default, allowed_terms, allowed_billing_frequencies, monthly_uplift_percent)
      VALUES
        ('NCE_LIKE', 'NCE-like',
         'Seats may be decreased or the subscription cancelled only within 7 days (168 hours) of the purchase, a renewal or a seat addition; the price is locked for the term; monthly billing lists 20 % above annual.',
         168, true, true, ARRAY['P1M','P1Y','P3Y'], ARRAY['MONTHLY','ANNUAL','UPFRONT'], 20),
        ('NO_COMMITMENT', 'No commitment',
         'Seats may be decreased and the subscription cancelled at any time; the price follows the catalog.',
         NULL, false, true, ARRAY['P1M','P1Y','P3Y'], ARRAY['MONTHLY','ANNUAL','UPFRONT'], 0)`);
    await q.query(`ALTER TABLE products ADD COLUMN commitment_pack text NOT NULL DEFAULT 'NO_COMMITMENT'
                     CONSTRAINT products_commitment_pack_fkey REFERENCES commitment_rule_packs (code)`);
    await q.query(`ALTER TABLE subscription_changes ADD COLUMN override_reason text, ADD COLUMN override_by uuid,
                     ADD CONSTRAINT subscription_changes_override_check CHECK (override_by IS NULL OR override_reason IS NOT NULL)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscription_changes DROP CONSTRAINT subscription_changes_override_check,
                     DROP COLUMN override_by, DROP COLUMN override_reason`);
    await q.query(`ALTER TABLE products DROP COLUMN commitment_pack`);
    await q.query(`DROP TABLE commitment_rule_packs`);
  }
}
