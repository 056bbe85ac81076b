import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `integration` role (docs/security.md, "Integration tokens"): a distributor-level machine
 * identity (no reseller), created by an admin, that may only import usage files and read those
 * imports' progress and rejections.
 */
export class IntegrationRole1764000501000 implements MigrationInterface {
  name = 'IntegrationRole1764000501000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_role_check, DROP CONSTRAINT users_tenant_check`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_role_check
                   CHECK (role IN ('admin','finance','reseller_admin','buyer','sales','reseller_finance','integration'))`);
    await q.query(
      `ALTER TABLE users ADD CONSTRAINT users_tenant_check CHECK ((role IN ('admin','finance','integration')) = (reseller_id IS NULL))`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM users WHERE role = 'integration'`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_role_check, DROP CONSTRAINT users_tenant_check`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_role_check
                   CHECK (role IN ('admin','finance','reseller_admin','buyer','sales','reseller_finance'))`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_tenant_check CHECK ((role IN ('admin','finance')) = (reseller_id IS NULL))`);
  }
}
