import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Write-offs (docs/accounting.md §3, "write-off"; issue 16).
 *
 * - `invoices.{hardware,cloud}_written_off`: what was written off on each credit line. It lowers
 *   the open amount like a payment does: open = gross − paid − credited − offset − written_off.
 *   Only a positive side is written off, never beyond what is open (the settled CHECKs).
 * - `status`: WRITTEN_OFF once something was written off and nothing is owed any more.
 * - `write_offs`: the document (reason required), one row per write-off, with its split per credit
 *   line and its net / tax parts (6200 / 2100), posted as one entry (source write_off). Append-only.
 * - `ar_movements.kind` gains WRITE_OFF, so AR aging (read from the movements) drops the amount.
 */

const open = (l: string, wo = true) => `(${l}_gross - ${l}_paid - ${l}_credited - ${l}_offset${wo ? ` - ${l}_written_off` : ''})`;

export class WriteOffs1764000020000 implements MigrationInterface {
  name = 'WriteOffs1764000020000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices ADD COLUMN hardware_written_off numeric(20,4) NOT NULL DEFAULT 0,
                                        ADD COLUMN cloud_written_off numeric(20,4) NOT NULL DEFAULT 0`);
    await this.openAndStatus(q, true);
    await q.query(`ALTER TABLE ar_movements DROP CONSTRAINT ar_movements_kind_check`);
    await q.query(`ALTER TABLE ar_movements ADD CONSTRAINT ar_movements_kind_check
                   CHECK (kind IN ('INVOICE','PAYMENT','CREDIT_NOTE','REFUND','CREDIT_APPLICATION','WRITE_OFF'))`);
    await q.query(`
      CREATE TABLE write_offs (
        id uuid PRIMARY KEY,
        invoice_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        amount numeric(20,4) NOT NULL,
        hardware_amount numeric(20,4) NOT NULL,
        cloud_amount numeric(20,4) NOT NULL,
        net numeric(20,4) NOT NULL,
        tax numeric(20,4) NOT NULL,
        reason text NOT NULL,
        written_off_on date NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT write_offs_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices (id),
        CONSTRAINT write_offs_amount_check CHECK (amount > 0 AND hardware_amount >= 0 AND cloud_amount >= 0
          AND amount = hardware_amount + cloud_amount),
        CONSTRAINT write_offs_parts_check CHECK (net >= 0 AND tax >= 0 AND net + tax = amount),
        CONSTRAINT write_offs_reason_check CHECK (length(btrim(reason)) > 0),
        CONSTRAINT write_offs_currency_check CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`CREATE INDEX write_offs_reseller_id_idx ON write_offs (reseller_id, written_off_on)`);
    await q.query(`CREATE INDEX write_offs_date_idx ON write_offs (written_off_on)`);
    await q.query(`CREATE INDEX write_offs_invoice_id_idx ON write_offs (invoice_id)`);
    await q.query(`CREATE TRIGGER write_offs_immutable BEFORE UPDATE OR DELETE ON write_offs
                   FOR EACH ROW EXECUTE FUNCTION ar_movements_forbid_change()`);
    await q.query(`CREATE TRIGGER write_offs_no_truncate BEFORE TRUNCATE ON write_offs
                   FOR EACH STATEMENT EXECUTE FUNCTION ledger_forbid_truncate()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE write_offs`);
    await q.query(`ALTER TABLE ar_movements DROP CONSTRAINT ar_movements_kind_check`);
    await q.query(`ALTER TABLE ar_movements ADD CONSTRAINT ar_movements_kind_check
                   CHECK (kind IN ('INVOICE','PAYMENT','CREDIT_NOTE','REFUND','CREDIT_APPLICATION'))`);
    await this.openAndStatus(q, false);
    await q.query(`ALTER TABLE invoices DROP COLUMN hardware_written_off, DROP COLUMN cloud_written_off`);
  }

  /** The open amounts, status and settled CHECKs with (up) or without (down) the written-off columns. */
  private async openAndStatus(q: QueryRunner, wo: boolean): Promise<void> {
    await q.query(`ALTER TABLE invoices DROP CONSTRAINT invoices_hardware_settled_check, DROP CONSTRAINT invoices_cloud_settled_check`);
    await q.query(`ALTER TABLE invoices ALTER COLUMN hardware_open SET EXPRESSION AS ${open('hardware', wo)}`);
    await q.query(`ALTER TABLE invoices ALTER COLUMN cloud_open SET EXPRESSION AS ${open('cloud', wo)}`);
    await q.query(`ALTER TABLE invoices ALTER COLUMN status SET EXPRESSION AS (
      CASE
        WHEN creditable_net > 0 AND credited_net = creditable_net AND ${open('hardware', wo)} <= 0 AND ${open('cloud', wo)} <= 0 THEN 'CREDITED'
        ${wo ? `WHEN hardware_written_off + cloud_written_off > 0 AND ${open('hardware')} <= 0 AND ${open('cloud')} <= 0 THEN 'WRITTEN_OFF'` : ''}
        WHEN ${open('hardware', wo)} = 0 AND ${open('cloud', wo)} = 0 THEN 'PAID'
        WHEN hardware_paid + cloud_paid + greatest(hardware_offset, 0) + greatest(cloud_offset, 0) > 0 THEN 'PARTIALLY_PAID'
        ELSE 'ISSUED'
      END)`);
    for (const l of ['hardware', 'cloud']) {
      const w = wo ? ` AND ${l}_written_off >= 0` : '';
      const neg = wo ? ` AND ${l}_written_off = 0` : '';
      await q.query(`ALTER TABLE invoices ADD CONSTRAINT invoices_${l}_settled_check CHECK (
        ${l}_paid >= 0 AND ${l}_credited >= 0${w}
        AND (${l}_gross < 0 OR (${open(l, wo)} >= -${l}_credited AND ${open(l, wo)} <= ${l}_gross))
        AND (${l}_gross >= 0 OR (${l}_paid = 0 AND ${l}_offset <= 0 AND ${open(l, wo)} <= 0${neg})))`);
    }
  }
}
