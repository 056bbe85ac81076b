import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit notes become usable credit, and are tagged by kind (issue 13, leaks 1 and 3; see
 * docs/money-integrity.md).
 *
 * - A credit note may credit an invoice line up to its net even when the invoice is paid: the part
 *   of its gross beyond what is open on that side of the invoice is a credit of the reseller, held
 *   as that side's negative open amount exactly like a negative invoice side (applied at once to
 *   what the reseller owes, the rest refundable). So a side with a positive gross may now go below
 *   zero, but only through credit notes: open >= -credited (paid + offset never exceed the gross:
 *   cash and credit received only ever settle what was owed) and open <= gross (a credit used
 *   elsewhere or refunded never turns into more debt than was billed). A negative side may now also
 *   be credited (a credit note on one of its positive lines); it still never receives cash.
 * - `status`: a fully credited invoice is CREDITED once nothing is owed on it, also while it still
 *   holds the credit (shown as its creditBalance until used or refunded); PAID still only when
 *   nothing at all is open.
 * - `credit_notes.kind`: ADJUSTMENT (goodwill, corrections: POST /invoices/:id/credit-notes) or
 *   SERVICE_CHANGE (service not provided: a back-dated seat decrease or cancellation), with the
 *   `subscription_change_id` that caused it. Both are part of the issued document: frozen with it.
 */

const open = (l: string) => `(${l}_gross - ${l}_paid - ${l}_credited - ${l}_offset)`;

const CREDIT_NOTE_FROZEN = [
  'id',
  'number',
  'year',
  'seq',
  'invoice_id',
  'reseller_id',
  'currency',
  'issue_date',
  'reason',
  'hardware_net',
  'hardware_tax',
  'cloud_net',
  'cloud_tax',
  'created_by',
  'created_at',
];

export class CreditNotesAsCredit1764000014000 implements MigrationInterface {
  name = 'CreditNotesAsCredit1764000014000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices DROP CONSTRAINT invoices_hardware_settled_check, DROP CONSTRAINT invoices_cloud_settled_check`);
    for (const l of ['hardware', 'cloud']) {
      await q.query(`ALTER TABLE invoices ADD CONSTRAINT invoices_${l}_settled_check CHECK (
        ${l}_paid >= 0 AND ${l}_credited >= 0
        AND (${l}_gross < 0 OR (${open(l)} >= -${l}_credited AND ${open(l)} <= ${l}_gross))
        AND (${l}_gross >= 0 OR (${l}_paid = 0 AND ${l}_offset <= 0 AND ${open(l)} <= 0)))`);
    }
    await q.query(`ALTER TABLE invoices ALTER COLUMN status SET EXPRESSION AS (
      CASE
        WHEN creditable_net > 0 AND credited_net = creditable_net AND ${open('hardware')} <= 0 AND ${open('cloud')} <= 0 THEN 'CREDITED'
        WHEN ${open('hardware')} = 0 AND ${open('cloud')} = 0 THEN 'PAID'
        WHEN hardware_paid + cloud_paid + greatest(hardware_offset, 0) + greatest(cloud_offset, 0) > 0 THEN 'PARTIALLY_PAID'
        ELSE 'ISSUED'
      END)`);

    await q.query(`ALTER TABLE credit_notes ADD COLUMN kind text NOT NULL DEFAULT 'ADJUSTMENT',
                   ADD COLUMN subscription_change_id uuid,
                   ADD CONSTRAINT credit_notes_kind_check CHECK (kind IN ('ADJUSTMENT','SERVICE_CHANGE')),
                   ADD CONSTRAINT credit_notes_change_check CHECK (subscription_change_id IS NULL OR kind = 'SERVICE_CHANGE'),
                   ADD CONSTRAINT credit_notes_subscription_change_id_fkey FOREIGN KEY (subscription_change_id) REFERENCES subscription_changes (id)`);
    await q.query(
      `CREATE INDEX credit_notes_subscription_change_id_idx ON credit_notes (subscription_change_id) WHERE subscription_change_id IS NOT NULL`,
    );
    await this.freezeCreditNotes(q, [...CREDIT_NOTE_FROZEN, 'kind', 'subscription_change_id']);
  }

  public async down(q: QueryRunner): Promise<void> {
    await this.freezeCreditNotes(q, CREDIT_NOTE_FROZEN);
    await q.query(`DROP INDEX credit_notes_subscription_change_id_idx`);
    await q.query(`ALTER TABLE credit_notes DROP COLUMN subscription_change_id, DROP COLUMN kind`);
    await q.query(`ALTER TABLE invoices ALTER COLUMN status SET EXPRESSION AS (
      CASE
        WHEN creditable_net > 0 AND credited_net = creditable_net AND ${open('hardware')} = 0 AND ${open('cloud')} = 0 THEN 'CREDITED'
        WHEN ${open('hardware')} = 0 AND ${open('cloud')} = 0 THEN 'PAID'
        WHEN hardware_paid + cloud_paid + greatest(hardware_offset, 0) + greatest(cloud_offset, 0) > 0 THEN 'PARTIALLY_PAID'
        ELSE 'ISSUED'
      END)`);
    await q.query(`ALTER TABLE invoices DROP CONSTRAINT invoices_hardware_settled_check, DROP CONSTRAINT invoices_cloud_settled_check`);
    for (const l of ['hardware', 'cloud']) {
      await q.query(`ALTER TABLE invoices ADD CONSTRAINT invoices_${l}_settled_check CHECK (
        ${l}_paid >= 0 AND ${l}_credited >= 0
        AND (${l}_gross < 0 OR (${l}_offset >= 0 AND ${open(l)} >= 0))
        AND (${l}_gross >= 0 OR (${l}_paid = 0 AND ${l}_credited = 0 AND ${l}_offset <= 0 AND ${open(l)} <= 0)))`);
    }
  }

  /** The issued-document guard of credit_notes (docs/money-integrity.md §6) with this list of frozen columns. */
  private async freezeCreditNotes(q: QueryRunner, columns: string[]): Promise<void> {
    const args = ['always', ...columns].map((a) => `'${a}'`).join(', ');
    await q.query(`DROP TRIGGER credit_notes_issued_immutable ON credit_notes`);
    await q.query(`CREATE TRIGGER credit_notes_issued_immutable BEFORE UPDATE OR DELETE ON credit_notes
                   FOR EACH ROW EXECUTE FUNCTION documents_guard_issued(${args})`);
  }
}
