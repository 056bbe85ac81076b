import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * No account enumeration across tenants (docs/security.md, "Account enumeration"): a user's email
 * is unique within its tenant (a reseller, or the distributor's staff, whose reseller_id is null),
 * no longer across all of them, so creating a user with an email another reseller already uses
 * answers exactly as for a new email. Tokens, not emails, identify users, so two users of
 * different tenants may share an address (a consultant working for two resellers).
 */
export class UserEmailPerTenant1764000076000 implements MigrationInterface {
  name = 'UserEmailPerTenant1764000076000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_email_key`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_tenant_email_key UNIQUE NULLS NOT DISTINCT (reseller_id, email)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_tenant_email_key`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)`);
  }
}
