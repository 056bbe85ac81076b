import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invoicing: billing runs (resumable, one row per reseller to bill), consolidated invoices with
 * their lines, gapless yearly numbering, credit notes, the AR subledger and credit holds.
 *
 * - `billing_runs` is unique per period end: asking for the same period again returns (and
 *   resumes) the same run. `billing_run_resellers` is the run's work list; each reseller is billed
 *   in its own transaction that also marks its row DONE, so a run killed half-way resumes where
 *   it stopped.
 * - `document_counters` holds the last number per series (INV, CN) and year. It is incremented
 *   (row-locked) in the transaction that creates the document: a rolled-back transaction rolls
 *   its number back too, so numbers are gapless (a sequence would leave gaps). An invoice is
 *   inserted first and numbered as the last step before commit (a deferred trigger refuses a
 *   commit without a number), so the counter row is held only for that last step.
 * - `invoices` keeps per credit line gross, paid and credited; the open amounts and the status
 *   are generated columns, so they can never disagree with the amounts.
 *   UNIQUE (reseller_id, period_end) and (billing_run_id, reseller_id): one invoice per reseller
 *   and period, whatever runs concurrently or is re-run.
 * - `invoice_lines` is UNIQUE on its source (order line or subscription charge): no charge can
 *   sit on two invoices, even if the owning module's own "billed" flag were bypassed.
 * - `ar_movements` is the append-only AR subledger (issue, payment, credit note, refund; signed
 *   amounts, + raises what is owed), dated like the ledger postings, so the open amount of any
 *   invoice per credit line can be computed as of any date and reconciled with 1100/1110.
 */
export class Invoicing1764000007000 implements MigrationInterface {
  name = 'Invoicing1764000007000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE billing_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        period_end date NOT NULL,
        status text NOT NULL DEFAULT 'RUNNING',
        resellers_total integer NOT NULL DEFAULT 0,
        resellers_done integer NOT NULL DEFAULT 0,
        invoices_issued integer NOT NULL DEFAULT 0,
        last_error text,
        created_by uuid,
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT billing_runs_period_end_key UNIQUE (period_end),
        CONSTRAINT billing_runs_status_check CHECK (status IN ('RUNNING','COMPLETED','FAILED')),
        CONSTRAINT billing_runs_completed_check CHECK ((status = 'RUNNING') = (completed_at IS NULL))
      )`);

    await q.query(`
      CREATE TABLE billing_run_resellers (
        run_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'PENDING',
        invoice_id uuid,
        error text,
        processed_at timestamptz,
        CONSTRAINT billing_run_resellers_pkey PRIMARY KEY (run_id, reseller_id),
        CONSTRAINT billing_run_resellers_run_id_fkey FOREIGN KEY (run_id) REFERENCES billing_runs (id),
        CONSTRAINT billing_run_resellers_status_check CHECK (status IN ('PENDING','DONE','FAILED')),
        CONSTRAINT billing_run_resellers_invoice_check CHECK (invoice_id IS NULL OR status = 'DONE')
      )`);
    await q.query(`CREATE INDEX billing_run_resellers_pending_idx ON billing_run_resellers (run_id, reseller_id) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX billing_run_resellers_reseller_id_idx ON billing_run_resellers (reseller_id)`);

    await q.query(`
      CREATE TABLE document_counters (
        series text NOT NULL,
        year integer NOT NULL,
        last_number integer NOT NULL,
        CONSTRAINT document_counters_pkey PRIMARY KEY (series, year),
        CONSTRAINT document_counters_series_check CHECK (series IN ('INV','CN')),
        CONSTRAINT document_counters_last_number_check CHECK (last_number > 0)
      )`);

    const open = (l: string) => `(${l}_gross - ${l}_paid - ${l}_credited)`;
    await q.query(`
      CREATE TABLE invoices (
        id uuid PRIMARY KEY,
        number text,
        year integer NOT NULL,
        seq integer,
        reseller_id uuid NOT NULL,
        reseller_name text NOT NULL,
        billing_run_id uuid,
        period_end date NOT NULL,
        currency char(3) NOT NULL,
        tax_rate numeric(9,6) NOT NULL,
        issue_date date NOT NULL,
        due_date date NOT NULL,
        hardware_net numeric(20,4) NOT NULL,
        hardware_tax numeric(20,4) NOT NULL,
        hardware_gross numeric(20,4) NOT NULL,
        cloud_net numeric(20,4) NOT NULL,
        cloud_tax numeric(20,4) NOT NULL,
        cloud_gross numeric(20,4) NOT NULL,
        hardware_paid numeric(20,4) NOT NULL DEFAULT 0,
        cloud_paid numeric(20,4) NOT NULL DEFAULT 0,
        hardware_credited numeric(20,4) NOT NULL DEFAULT 0,
        cloud_credited numeric(20,4) NOT NULL DEFAULT 0,
        creditable_net numeric(20,4) NOT NULL,
        credited_net numeric(20,4) NOT NULL DEFAULT 0,
        hardware_open numeric(20,4) GENERATED ALWAYS AS ${open('hardware')} STORED,
        cloud_open numeric(20,4) GENERATED ALWAYS AS ${open('cloud')} STORED,
        status text GENERATED ALWAYS AS (
          CASE
            WHEN creditable_net > 0 AND credited_net = creditable_net THEN 'CREDITED'
            WHEN greatest(${open('hardware')}, 0) + greatest(${open('cloud')}, 0) = 0 THEN 'PAID'
            WHEN hardware_paid + cloud_paid > 0 THEN 'PARTIALLY_PAID'
            ELSE 'ISSUED'
          END) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT invoices_number_key UNIQUE (number),
        CONSTRAINT invoices_year_seq_key UNIQUE (year, seq),
        CONSTRAINT invoices_reseller_period_key UNIQUE (reseller_id, period_end),
        CONSTRAINT invoices_run_reseller_key UNIQUE (billing_run_id, reseller_id),
        CONSTRAINT invoices_billing_run_id_fkey FOREIGN KEY (billing_run_id) REFERENCES billing_runs (id),
        CONSTRAINT invoices_number_check CHECK ((number IS NULL AND seq IS NULL)
          OR number = 'INV-' || year || '-' || lpad(seq::text, greatest(6, length(seq::text)), '0')),
        CONSTRAINT invoices_seq_check CHECK (seq > 0),
        CONSTRAINT invoices_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT invoices_dates_check CHECK (due_date >= issue_date),
        CONSTRAINT invoices_hardware_gross_check CHECK (hardware_gross = hardware_net + hardware_tax),
        CONSTRAINT invoices_cloud_gross_check CHECK (cloud_gross = cloud_net + cloud_tax),
        CONSTRAINT invoices_hardware_settled_check CHECK (hardware_paid >= 0 AND hardware_credited >= 0
          AND (hardware_gross >= 0 OR (hardware_paid = 0 AND hardware_credited = 0))
          AND (hardware_gross < 0 OR ${open('hardware')} >= 0)),
        CONSTRAINT invoices_cloud_settled_check CHECK (cloud_paid >= 0 AND cloud_credited >= 0
          AND (cloud_gross >= 0 OR (cloud_paid = 0 AND cloud_credited = 0))
          AND (cloud_gross < 0 OR ${open('cloud')} >= 0)),
        CONSTRAINT invoices_credited_net_check CHECK (credited_net >= 0 AND credited_net <= creditable_net)
      )`);
    // The number is taken last in the issuing transaction (the counter row stays locked only from
    // then to commit); no invoice commits without one.
    await q.query(`
      CREATE FUNCTION invoices_check_numbered() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM invoices WHERE id = NEW.id AND number IS NULL) THEN
          RAISE EXCEPTION 'invoice % has no number at commit', NEW.id USING ERRCODE = 'IV002';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE CONSTRAINT TRIGGER invoices_numbered AFTER INSERT ON invoices
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION invoices_check_numbered()`);
    await q.query(`CREATE INDEX invoices_reseller_id_idx ON invoices (reseller_id, issue_date, seq)`);
    await q.query(`CREATE INDEX invoices_issue_date_idx ON invoices (issue_date, seq)`);
    await q.query(`CREATE INDEX invoices_open_idx ON invoices (reseller_id, due_date) WHERE hardware_open > 0 OR cloud_open > 0`);

    await q.query(`
      CREATE TABLE invoice_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        invoice_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        line_no integer NOT NULL,
        credit_line text NOT NULL,
        source_type text NOT NULL,
        source_id uuid NOT NULL,
        sku text NOT NULL,
        description text NOT NULL,
        quantity integer NOT NULL,
        period_start date,
        period_end date,
        net numeric(20,4) NOT NULL,
        tax numeric(20,4) NOT NULL,
        gross numeric(20,4) NOT NULL,
        credited_net numeric(20,4) NOT NULL DEFAULT 0,
        credited_tax numeric(20,4) NOT NULL DEFAULT 0,
        CONSTRAINT invoice_lines_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices (id),
        CONSTRAINT invoice_lines_invoice_line_no_key UNIQUE (invoice_id, line_no),
        CONSTRAINT invoice_lines_source_key UNIQUE (source_type, source_id),
        CONSTRAINT invoice_lines_credit_line_check CHECK (credit_line IN ('HARDWARE','CLOUD')),
        CONSTRAINT invoice_lines_source_type_check CHECK (source_type IN ('order_line','subscription_charge')),
        CONSTRAINT invoice_lines_gross_check CHECK (gross = net + tax),
        CONSTRAINT invoice_lines_credited_check CHECK (
          credited_net >= 0 AND credited_tax >= 0 AND credited_net <= greatest(net, 0) AND credited_tax <= greatest(tax, 0))
      )`);
    await q.query(`CREATE INDEX invoice_lines_reseller_id_idx ON invoice_lines (reseller_id)`);

    await q.query(`
      CREATE TABLE credit_notes (
        id uuid PRIMARY KEY,
        number text NOT NULL,
        year integer NOT NULL,
        seq integer NOT NULL,
        invoice_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        issue_date date NOT NULL,
        reason text NOT NULL,
        hardware_net numeric(20,4) NOT NULL,
        hardware_tax numeric(20,4) NOT NULL,
        cloud_net numeric(20,4) NOT NULL,
        cloud_tax numeric(20,4) NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT credit_notes_number_key UNIQUE (number),
        CONSTRAINT credit_notes_year_seq_key UNIQUE (year, seq),
        CONSTRAINT credit_notes_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices (id),
        CONSTRAINT credit_notes_amounts_check CHECK (hardware_net >= 0 AND hardware_tax >= 0 AND cloud_net >= 0 AND cloud_tax >= 0
          AND hardware_net + hardware_tax + cloud_net + cloud_tax > 0)
      )`);
    await q.query(`CREATE INDEX credit_notes_invoice_id_idx ON credit_notes (invoice_id)`);
    await q.query(`CREATE INDEX credit_notes_reseller_id_idx ON credit_notes (reseller_id)`);
    await q.query(`
      CREATE TABLE credit_note_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        credit_note_id uuid NOT NULL,
        invoice_line_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        credit_line text NOT NULL,
        net numeric(20,4) NOT NULL,
        tax numeric(20,4) NOT NULL,
        CONSTRAINT credit_note_lines_credit_note_id_fkey FOREIGN KEY (credit_note_id) REFERENCES credit_notes (id),
        CONSTRAINT credit_note_lines_invoice_line_id_fkey FOREIGN KEY (invoice_line_id) REFERENCES invoice_lines (id),
        CONSTRAINT credit_note_lines_line_key UNIQUE (credit_note_id, invoice_line_id),
        CONSTRAINT credit_note_lines_amounts_check CHECK (net > 0 AND tax >= 0),
        CONSTRAINT credit_note_lines_credit_line_check CHECK (credit_line IN ('HARDWARE','CLOUD'))
      )`);
    await q.query(`CREATE INDEX credit_note_lines_reseller_id_idx ON credit_note_lines (reseller_id)`);

    await q.query(`
      CREATE TABLE ar_movements (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        invoice_id uuid NOT NULL,
        reseller_id uuid NOT NULL,
        credit_line text NOT NULL,
        currency char(3) NOT NULL,
        movement_date date NOT NULL,
        kind text NOT NULL,
        amount numeric(20,4) NOT NULL,
        source_type text NOT NULL,
        source_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ar_movements_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices (id),
        CONSTRAINT ar_movements_source_key UNIQUE (source_type, source_id, invoice_id, credit_line),
        CONSTRAINT ar_movements_kind_check CHECK (kind IN ('INVOICE','PAYMENT','CREDIT_NOTE','REFUND')),
        CONSTRAINT ar_movements_credit_line_check CHECK (credit_line IN ('HARDWARE','CLOUD')),
        CONSTRAINT ar_movements_amount_check CHECK (amount <> 0)
      )`);
    await q.query(`CREATE INDEX ar_movements_date_idx ON ar_movements (movement_date)`);
    await q.query(`CREATE INDEX ar_movements_reseller_id_idx ON ar_movements (reseller_id, movement_date)`);
    await q.query(`CREATE INDEX ar_movements_invoice_id_idx ON ar_movements (invoice_id)`);
    await q.query(`
      CREATE FUNCTION ar_movements_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the AR subledger is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME USING ERRCODE = 'IV001';
      END $$`);
    await q.query(`CREATE TRIGGER ar_movements_immutable BEFORE UPDATE OR DELETE ON ar_movements
                   FOR EACH ROW EXECUTE FUNCTION ar_movements_forbid_change()`);

    await q.query(`
      CREATE TABLE credit_holds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reseller_id uuid NOT NULL,
        credit_line text NOT NULL,
        invoice_id uuid NOT NULL,
        placed_on date NOT NULL,
        released_on date,
        placed_at timestamptz NOT NULL DEFAULT now(),
        released_at timestamptz,
        CONSTRAINT credit_holds_credit_line_check CHECK (credit_line IN ('HARDWARE','CLOUD')),
        CONSTRAINT credit_holds_released_check CHECK ((released_on IS NULL) = (released_at IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX credit_holds_active_key ON credit_holds (reseller_id, credit_line) WHERE released_at IS NULL`);
    await q.query(`CREATE INDEX credit_holds_reseller_id_idx ON credit_holds (reseller_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE credit_holds, ar_movements, credit_note_lines, credit_notes, invoice_lines, invoices,
                   document_counters, billing_run_resellers, billing_runs`);
    await q.query(`DROP FUNCTION ar_movements_forbid_change, invoices_check_numbered`);
  }
}
