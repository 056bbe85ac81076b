import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in like a product (docs/security.md §6–§9): passwords (argon2id hashes), optional TOTP,
 * lockout counters on users; server-side sessions and one-time password links stored only as
 * hashes; per-address sign-in failures; named API tokens; and the history of credit-limit
 * changes with their reason (docs/security.md §10).
 */
export class SignInSessionsAndCreditHistory1764000200000 implements MigrationInterface {
  name = 'SignInSessionsAndCreditHistory1764000200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users
        ADD COLUMN password_hash text,
        ADD COLUMN password_changed_at timestamptz,
        ADD COLUMN totp_secret text,
        ADD COLUMN totp_enabled boolean NOT NULL DEFAULT false,
        ADD COLUMN totp_last_step bigint,
        ADD COLUMN failed_sign_ins integer NOT NULL DEFAULT 0,
        ADD COLUMN locked_until timestamptz,
        ADD CONSTRAINT users_failed_sign_ins_check CHECK (failed_sign_ins >= 0),
        ADD CONSTRAINT users_totp_needs_secret_check CHECK (NOT totp_enabled OR totp_secret IS NOT NULL)`);
    await q.query(`CREATE INDEX users_email_idx ON users (email)`);
    await q.query(`
      CREATE TABLE sessions (
        id_hash text NOT NULL,
        user_id uuid NOT NULL,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        ip text,
        user_agent text,
        CONSTRAINT sessions_pkey PRIMARY KEY (id_hash),
        CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX sessions_user_id_idx ON sessions (user_id)`);
    await q.query(`
      CREATE TABLE password_links (
        token_hash text NOT NULL,
        user_id uuid NOT NULL,
        purpose text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT password_links_pkey PRIMARY KEY (token_hash),
        CONSTRAINT password_links_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT password_links_purpose_check CHECK (purpose IN ('reset','set'))
      )`);
    await q.query(`CREATE INDEX password_links_user_id_idx ON password_links (user_id)`);
    await q.query(`
      CREATE TABLE sign_in_failures (
        id bigint GENERATED ALWAYS AS IDENTITY,
        ip text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sign_in_failures_pkey PRIMARY KEY (id)
      )`);
    await q.query(`CREATE INDEX sign_in_failures_ip_at_idx ON sign_in_failures (ip, at)`);
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        name text NOT NULL,
        token_hash text NOT NULL,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_tokens_pkey PRIMARY KEY (id),
        CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
        CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT api_tokens_name_check CHECK (length(name) BETWEEN 1 AND 100)
      )`);
    await q.query(`CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id)`);
    await q.query(`
      CREATE TABLE credit_limit_changes (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        line text NOT NULL,
        changed_by uuid,
        changed_at timestamptz NOT NULL DEFAULT now(),
        from_limit numeric(20,4) NOT NULL,
        to_limit numeric(20,4) NOT NULL,
        from_on_hold boolean NOT NULL,
        to_on_hold boolean NOT NULL,
        reason text,
        CONSTRAINT credit_limit_changes_pkey PRIMARY KEY (id),
        CONSTRAINT credit_limit_changes_line_fkey FOREIGN KEY (reseller_id, line) REFERENCES credit_lines (reseller_id, line),
        CONSTRAINT credit_limit_changes_changed_by_fkey FOREIGN KEY (changed_by) REFERENCES users (id),
        CONSTRAINT credit_limit_changes_reason_check CHECK (from_limit = to_limit OR length(btrim(reason)) > 0)
      )`);
    await q.query(`CREATE INDEX credit_limit_changes_line_idx ON credit_limit_changes (reseller_id, line, changed_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE credit_limit_changes`);
    await q.query(`DROP TABLE api_tokens`);
    await q.query(`DROP TABLE sign_in_failures`);
    await q.query(`DROP TABLE password_links`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP INDEX users_email_idx`);
    await q.query(`
      ALTER TABLE users DROP CONSTRAINT users_totp_needs_secret_check, DROP CONSTRAINT users_failed_sign_ins_check,
        DROP COLUMN locked_until, DROP COLUMN failed_sign_ins, DROP COLUMN totp_last_step, DROP COLUMN totp_enabled,
        DROP COLUMN totp_secret, DROP COLUMN password_changed_at, DROP COLUMN password_hash`);
  }
}
