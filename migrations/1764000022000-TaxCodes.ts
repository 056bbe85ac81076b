import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tax codes per line (docs/accounting.md §8, "Tax codes"):
 *
 * - `tax_codes`: `{ code, jurisdiction, rate, kind, description, invoice_note, valid_from, valid_to }`;
 *   only a STANDARD code has a rate above zero.
 * - `tax_rules`: product tax category × seller jurisdiction × buyer country (an ISO country, `EU`
 *   for any member state, `*` for any other) × buyer registration (true, false or NULL = either) →
 *   code. The most specific rule wins (country over `EU` over `*`, a stated registration over NULL).
 * - seeded for a distributor in Australia: AU GST 10 %, GST-free (AU), GST-free export (buyer
 *   outside Australia), NZ GST 15 %, EU reverse charge (a registered business in a member state),
 *   exempt.
 * - `products.tax_category` (default STANDARD); resellers get their legal address, tax id and
 *   registration flag (country exists since 1764000003000).
 * - `tax_code` beside `tax_rate` on order lines, subscription terms and charges and invoice lines,
 *   written by the code that writes each row (as 1764000018000 does for the rate). Rows written
 *   before this migration keep NULL: their rate came from the reseller's flat rate, not a rule.
 * - the header rates (`orders.tax_rate`, `invoices.tax_rate`) and the reseller's flat rate become
 *   optional: lines of one order or invoice may have several rates now, and the reseller's rate is
 *   no longer an input (the rules choose).
 * - `journal_lines.tax_code` (nullable): the tax code of an input-tax line on 1300, for the tax
 *   report; a posting that carries none is reported as UNCODED.
 */
export class TaxCodes1764000022000 implements MigrationInterface {
  name = 'TaxCodes1764000022000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tax_codes (
        code text NOT NULL,
        jurisdiction text NOT NULL,
        rate numeric(9,6) NOT NULL,
        kind text NOT NULL,
        description text NOT NULL,
        invoice_note text NULL,
        valid_from date NOT NULL DEFAULT DATE '2000-01-01',
        valid_to date NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tax_codes_pkey PRIMARY KEY (code),
        CONSTRAINT tax_codes_code_check CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,19}$'),
        CONSTRAINT tax_codes_jurisdiction_check CHECK (jurisdiction ~ '^[A-Z]{2}$'),
        CONSTRAINT tax_codes_kind_check CHECK (kind IN ('STANDARD', 'ZERO', 'EXEMPT', 'REVERSE_CHARGE')),
        CONSTRAINT tax_codes_rate_check CHECK (rate >= 0 AND rate < 1),
        CONSTRAINT tax_codes_rate_kind_check CHECK (kind = 'STANDARD' OR rate = 0),
        CONSTRAINT tax_codes_validity_check CHECK (valid_to IS NULL OR valid_to >= valid_from)
      )`);
    await q.query(`
      CREATE TABLE tax_rules (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        tax_category text NOT NULL,
        seller_jurisdiction text NOT NULL,
        buyer_country text NOT NULL,
        buyer_registered boolean NULL,
        tax_code text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tax_rules_pkey PRIMARY KEY (id),
        CONSTRAINT tax_rules_tax_code_fkey FOREIGN KEY (tax_code) REFERENCES tax_codes (code),
        CONSTRAINT tax_rules_category_check CHECK (tax_category IN ('STANDARD', 'ZERO_RATED', 'EXEMPT')),
        CONSTRAINT tax_rules_seller_check CHECK (seller_jurisdiction ~ '^[A-Z]{2}$'),
        CONSTRAINT tax_rules_buyer_check CHECK (buyer_country ~ '^([A-Z]{2}|\\*)$')
      )`);
    await q.query(`CREATE UNIQUE INDEX tax_rules_match_key ON tax_rules
                     (tax_category, seller_jurisdiction, buyer_country, (coalesce(buyer_registered::text, 'any')))`);
    await q.query(`CREATE INDEX tax_rules_tax_code_idx ON tax_rules (tax_code)`);

    await q.query(`
      INSERT INTO tax_codes (code, jurisdiction, rate, kind, description, invoice_note) VALUES
        ('GST', 'AU', 0.10, 'STANDARD', 'Australian GST 10 %', NULL),
        ('GST-FREE', 'AU', 0, 'ZERO', 'GST-free supply (Australia)', 'GST-free supply'),
        ('EXPORT', 'AU', 0, 'ZERO', 'GST-free export: buyer outside Australia', 'GST-free export'),
        ('EXEMPT', 'AU', 0, 'EXEMPT', 'Input-taxed (exempt) supply', 'Exempt supply'),
        ('NZ-GST', 'NZ', 0.15, 'STANDARD', 'New Zealand GST 15 %', NULL),
        ('EU-RC', 'EU', 0, 'REVERSE_CHARGE', 'EU reverse charge: registered business in a member state',
         'Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC)')`);
    await q.query(`
      INSERT INTO tax_rules (tax_category, seller_jurisdiction, buyer_country, buyer_registered, tax_code) VALUES
        ('STANDARD', 'AU', 'AU', NULL, 'GST'),
        ('STANDARD', 'AU', 'NZ', NULL, 'NZ-GST'),
        ('STANDARD', 'AU', 'EU', true, 'EU-RC'),
        ('STANDARD', 'AU', '*', NULL, 'EXPORT'),
        ('ZERO_RATED', 'AU', 'AU', NULL, 'GST-FREE'),
        ('ZERO_RATED', 'AU', '*', NULL, 'EXPORT'),
        ('EXEMPT', 'AU', '*', NULL, 'EXEMPT')`);

    await q.query(`ALTER TABLE products ADD COLUMN tax_category text NOT NULL DEFAULT 'STANDARD',
                   ADD CONSTRAINT products_tax_category_check CHECK (tax_category IN ('STANDARD', 'ZERO_RATED', 'EXEMPT'))`);

    await q.query(`ALTER TABLE resellers ADD COLUMN tax_id text NULL, ADD COLUMN tax_registered boolean NOT NULL DEFAULT false,
                   ADD COLUMN address text NULL,
                   ADD CONSTRAINT resellers_tax_id_check CHECK (tax_id IS NULL OR length(tax_id) BETWEEN 1 AND 40),
                   ADD CONSTRAINT resellers_address_check CHECK (address IS NULL OR length(address) BETWEEN 1 AND 500),
                   ALTER COLUMN tax_rate DROP NOT NULL`);

    for (const table of ['order_lines', 'subscription_terms', 'subscription_charges', 'invoice_lines']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN tax_code text NULL`);
    }
    await q.query(`ALTER TABLE orders ALTER COLUMN tax_rate DROP NOT NULL`);
    await q.query(`ALTER TABLE invoices ALTER COLUMN tax_rate DROP NOT NULL`);
    await q.query(`CREATE INDEX invoice_lines_tax_code_idx ON invoice_lines (tax_code)`);
    await q.query(`ALTER TABLE journal_lines ADD COLUMN IF NOT EXISTS tax_code text NULL`);
  }

  public async down(): Promise<void> {
    throw new Error('TaxCodes1764000022000 is not reversible; restore from a backup');
  }
}
