import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        role text NOT NULL,
        reseller_id uuid,
        token_hash text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email),
        CONSTRAINT users_token_hash_key UNIQUE (token_hash),
        CONSTRAINT users_role_check CHECK (role IN ('admin','finance','reseller_admin','buyer','sales','reseller_finance')),
        CONSTRAINT users_tenant_check CHECK ((role IN ('admin','finance')) = (reseller_id IS NULL))
      )`);
    await q.query(`CREATE INDEX users_reseller_id_idx ON users (reseller_id)`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL,
        response_status integer,
        response_body jsonb,
        locked_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, key),
        CONSTRAINT idempotency_keys_state_check CHECK (state IN ('IN_PROGRESS','DONE'))
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE users`);
  }
}
