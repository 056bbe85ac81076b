// The tax module's SQL and row types (tax_codes, tax_rules).

import { preparedStatement } from '#disty/core';

export interface TaxCodeRow {
  code: string;
  jurisdiction: string;
  rate: string;
  kind: 'STANDARD' | 'ZERO' | 'EXEMPT' | 'REVERSE_CHARGE';
  description: string;
  invoice_note: string | null;
  valid_from: string;
  valid_to: string | null;
}

export interface TaxRuleRow {
  id: string;
  tax_category: 'STANDARD' | 'ZERO_RATED' | 'EXEMPT';
  seller_jurisdiction: string;
  buyer_country: string;
  buyer_registered: boolean | null;
  tax_code: string;
}

export const CODE_COLUMNS = `c.code, c.jurisdiction, c.rate::text AS rate, c.kind, c.description, c.invoice_note,
  to_char(c.valid_from, 'YYYY-MM-DD') AS valid_from, to_char(c.valid_to, 'YYYY-MM-DD') AS valid_to`;

export const RULE_COLUMNS = `r.id, r.tax_category, r.seller_jurisdiction, r.buyer_country, r.buyer_registered, r.tax_code`;

/** The rules (with their codes) of the supplier's jurisdiction for some categories: read with every order, so prepared. */
export const RULES_FOR_CATEGORIES = preparedStatement(
  'tax.rules-for-categories',
  `SELECT ${RULE_COLUMNS}, ${CODE_COLUMNS} FROM tax_rules r JOIN tax_codes c ON c.code = r.tax_code
    WHERE r.seller_jurisdiction = $1 AND r.tax_category = ANY($2::text[])`,
);
