import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The token cache's invalidation (docs/performance.md, "Token lookup"; docs/security.md): every
 * change to a user that can end a token's validity (its hash replaced, the user deactivated, its
 * role or reseller changed, the row deleted) notifies `disty_token_revoked` with the old token
 * hash, at commit, whoever made it (the API, a script, psql). Each API instance LISTENs on a
 * connection of its own and drops that token from its cache, so a revoked token is refused at once
 * on every instance.
 */
export class TokenCacheInvalidation1764000400000 implements MigrationInterface {
  name = 'TokenCacheInvalidation1764000400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION users_notify_token_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('disty_token_revoked', OLD.token_hash);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER users_token_revoked AFTER UPDATE ON users FOR EACH ROW
                   WHEN (OLD.token_hash IS DISTINCT FROM NEW.token_hash OR OLD.active IS DISTINCT FROM NEW.active
                         OR OLD.role IS DISTINCT FROM NEW.role OR OLD.reseller_id IS DISTINCT FROM NEW.reseller_id)
                   EXECUTE FUNCTION users_notify_token_revoked()`);
    await q.query(`CREATE TRIGGER users_token_deleted AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION users_notify_token_revoked()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER users_token_deleted ON users`);
    await q.query(`DROP TRIGGER users_token_revoked ON users`);
    await q.query(`DROP FUNCTION users_notify_token_revoked`);
  }
}
