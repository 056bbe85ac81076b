import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The token cache's invalidation (docs/security.md §13) extended to named API tokens (§10): revoking
 * or deleting one notifies `disty_token_revoked` with its hash, and so does every change to its user
 * that ends or changes what it may do (deactivated, role or reseller changed, deleted), for each of
 * the user's live tokens as well as the user's own.
 */
export class NamedTokenCacheInvalidation1764000401000 implements MigrationInterface {
  name = 'NamedTokenCacheInvalidation1764000401000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION users_notify_token_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('disty_token_revoked', OLD.token_hash);
        PERFORM pg_notify('disty_token_revoked', t.token_hash) FROM api_tokens t WHERE t.user_id = OLD.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION api_tokens_notify_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('disty_token_revoked', OLD.token_hash);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER api_tokens_revoked AFTER UPDATE ON api_tokens FOR EACH ROW
                   WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.token_hash IS DISTINCT FROM NEW.token_hash)
                   EXECUTE FUNCTION api_tokens_notify_revoked()`);
    await q.query(`CREATE TRIGGER api_tokens_deleted AFTER DELETE ON api_tokens FOR EACH ROW EXECUTE FUNCTION api_tokens_notify_revoked()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER api_tokens_deleted ON api_tokens`);
    await q.query(`DROP TRIGGER api_tokens_revoked ON api_tokens`);
    await q.query(`DROP FUNCTION api_tokens_notify_revoked`);
    await q.query(`
      CREATE OR REPLACE FUNCTION users_notify_token_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('disty_token_revoked', OLD.token_hash);
        RETURN NULL;
      END $$`);
  }
}
