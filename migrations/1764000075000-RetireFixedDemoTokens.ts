import { MigrationInterface, QueryRunner } from 'typeorm';

/** The fixed demo tokens earlier versions gave the demo users (`demo_<who>_token`). */
const FIXED_DEMO_TOKENS = [
  'demo_admin_token',
  'demo_finance_token',
  ...['harbour', 'kiwi', 'pacific'].flatMap((slug) =>
    ['reseller_admin', 'buyer', 'sales', 'reseller_finance'].map((role) => `demo_${slug}_${role}_token`),
  ),
];

/**
 * Demo credentials never authenticate (docs/security.md, "Demo credentials"): a database seeded by
 * an earlier version holds users whose token is one of the fixed, published demo tokens. Their
 * token hash is replaced by the hash of a random value nobody knows, so those users keep their
 * history but sign in with nothing until an admin gives them a new token. Not reversible.
 */
export class RetireFixedDemoTokens1764000075000 implements MigrationInterface {
  name = 'RetireFixedDemoTokens1764000075000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE users
          SET token_hash = encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex')
        WHERE token_hash IN (SELECT encode(sha256(convert_to(t, 'UTF8')), 'hex') FROM unnest($1::text[]) AS t)`,
      [FIXED_DEMO_TOKENS],
    );
  }

  public async down(): Promise<void> {
    // The published tokens are not given back.
  }
}
