import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit requests (docs/portal.md, "Credit requests"): a reseller user asks for more credit on one
 * credit line; distributor finance approves (the line's limit becomes `approved_limit`) or
 * declines, each with a reason. Owned by the reseller module, beside credit_lines.
 */
export class CreditRequests1764000300000 implements MigrationInterface {
  name = 'CreditRequests1764000300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE credit_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        credit_line text NOT NULL,
        currency char(3) NOT NULL,
        amount numeric(20,4) NOT NULL,
        reason text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING',
        requested_by uuid,
        requested_at timestamptz NOT NULL DEFAULT now(),
        previous_limit numeric(20,4),
        approved_limit numeric(20,4),
        answer_reason text,
        answered_by uuid,
        answered_at timestamptz,
        CONSTRAINT fk_credit_requests_reseller FOREIGN KEY (reseller_id) REFERENCES resellers (id),
        CONSTRAINT ck_credit_requests_line CHECK (credit_line IN ('HARDWARE', 'CLOUD')),
        CONSTRAINT ck_credit_requests_amount CHECK (amount > 0),
        CONSTRAINT ck_credit_requests_status CHECK (status IN ('PENDING', 'APPROVED', 'DECLINED')),
        CONSTRAINT ck_credit_requests_answer CHECK (
          (status = 'PENDING' AND answered_at IS NULL AND answer_reason IS NULL)
          OR (status = 'DECLINED' AND answered_at IS NOT NULL AND answer_reason IS NOT NULL AND approved_limit IS NULL)
          OR (status = 'APPROVED' AND answered_at IS NOT NULL AND answer_reason IS NOT NULL AND approved_limit IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX ix_credit_requests_reseller ON credit_requests (reseller_id, requested_at DESC)`);
    await q.query(`CREATE INDEX ix_credit_requests_pending ON credit_requests (requested_at) WHERE status = 'PENDING'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE credit_requests`);
  }
}
