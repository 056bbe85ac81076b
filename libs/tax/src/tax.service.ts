// Owns tax_codes and tax_rules: the codes, the rules that choose them per line, and the choice itself.
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Dec, formatRate, isValidCalendarDate, ProblemError, queryPrepared, retryOnConflict, sqlState, validationError } from '#disty/core';
import { codeFitsBuyer, inForce, pickRule, TaxBuyer, TaxKind } from './domain/tax-rules';
import {
  CreateTaxCodeDto,
  CreateTaxRuleDto,
  TaxCodeListView,
  TaxCodeView,
  TaxRuleListView,
  TaxRuleView,
  UpdateTaxCodeDto,
} from './dto/tax-code.dto';
import { taxError, TaxErrorCode } from './errors';
import { SUPPLIER_SETTINGS, SupplierSettings } from './supplier.config';
import { CODE_COLUMNS, RULE_COLUMNS, RULES_FOR_CATEGORIES, TaxCodeRow, TaxRuleRow } from './tax.sql';

/** The code chosen for a line, with the rate in force: both are stored on the line (docs/accounting.md §11). */
export interface AppliedTaxCode {
  code: string;
  rate: Dec;
  kind: TaxKind;
  invoiceNote: string | null;
}

/**
 * Tax codes and the rules choosing them (docs/accounting.md §11): a line's code comes from its
 * product's tax category, the seller's jurisdiction (SUPPLIER_COUNTRY) and the buyer's country and
 * tax registration; the most specific rule whose code is in force that day wins.
 */
@Injectable()
export class TaxService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SUPPLIER_SETTINGS) private readonly supplierSettings: SupplierSettings,
  ) {}

  /** The distributor issuing the invoices (legal name, registration, address, bank details). */
  supplier(): SupplierSettings {
    return this.supplierSettings;
  }

  /**
   * The code for each of `categories` sold to `buyer` on `date`, in the caller's transaction. A
   * category no rule (with a code in force) covers is a 422 `tax-code-unknown` naming the country
   * and the category: nothing is priced without a code.
   */
  async codesFor(em: EntityManager, buyer: TaxBuyer, categories: string[], date: string): Promise<Map<string, AppliedTaxCode>> {
    const wanted = [...new Set(categories)];
    const out = new Map<string, AppliedTaxCode>();
    if (!wanted.length) return out;
    const rows = await queryPrepared<TaxRuleRow & TaxCodeRow>(em, RULES_FOR_CATEGORIES, [this.supplierSettings.country, wanted]);
    const candidates = rows
      .filter((r) => inForce({ validFrom: r.valid_from, validTo: r.valid_to }, date))
      .map((r) => ({
        taxCategory: r.tax_category,
        buyerCountry: r.buyer_country,
        buyerRegistered: r.buyer_registered,
        row: r,
      }));
    for (const category of wanted) {
      const rule = pickRule(candidates, category, buyer);
      if (!rule) {
        throw taxError(
          TaxErrorCode.UnknownTaxCode,
          `No tax code is known for ${category} supplies to a buyer in ${buyer.country} (${buyer.registered ? '' : 'not '}registered for tax) on ${date}`,
          { country: buyer.country, taxCategory: category, registered: buyer.registered },
        );
      }
      out.set(category, {
        code: rule.row.code,
        rate: new Dec(rule.row.rate),
        kind: rule.row.kind,
        invoiceNote: rule.row.invoice_note,
      });
    }
    return out;
  }

  /** The codes `codes` as they are now (kind, note), for documents printing the codes stored on their lines. */
  async describe(codes: string[], em: EntityManager = this.db.manager): Promise<Map<string, TaxCodeView>> {
    const rows: TaxCodeRow[] = codes.length
      ? await em.query(`SELECT ${CODE_COLUMNS} FROM tax_codes c WHERE c.code = ANY($1::text[])`, [[...new Set(codes)]])
      : [];
    return new Map(rows.map((r) => [r.code, toCodeView(r)]));
  }

  // ---------------------------------------------------------------- /tax-codes

  async listCodes(): Promise<TaxCodeListView> {
    const rows: TaxCodeRow[] = await this.db.query(`SELECT ${CODE_COLUMNS} FROM tax_codes c ORDER BY c.jurisdiction, c.code`);
    return { items: rows.map(toCodeView) };
  }

  async createCode(dto: CreateTaxCodeDto): Promise<TaxCodeView> {
    const validFrom = dto.validFrom ?? '2000-01-01';
    checkCode(dto.kind, dto.rate, validFrom, dto.validTo ?? null);
    try {
      const [row]: TaxCodeRow[] = await this.db.query(
        `INSERT INTO tax_codes AS c (code, jurisdiction, rate, kind, description, invoice_note, valid_from, valid_to)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING RETURNING ${CODE_COLUMNS}`,
        [
          dto.code,
          dto.jurisdiction,
          dto.rate,
          dto.kind,
          dto.description.trim(),
          dto.invoiceNote?.trim() ?? null,
          validFrom,
          dto.validTo ?? null,
        ],
      );
      if (!row) throw taxError(TaxErrorCode.Conflict, `Tax code ${dto.code} already exists`);
      return toCodeView(row);
    } catch (e) {
      throw rangeProblem(e);
    }
  }

  async updateCode(code: string, dto: UpdateTaxCodeDto): Promise<TaxCodeView> {
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const [cur]: TaxCodeRow[] = await em.query(`SELECT ${CODE_COLUMNS} FROM tax_codes c WHERE c.code = $1 FOR UPDATE`, [code]);
        if (!cur) throw taxError(TaxErrorCode.NotFound, `Tax code ${code} was not found`);
        const rate = dto.rate ?? cur.rate;
        const validTo = dto.validTo === undefined ? cur.valid_to : dto.validTo;
        checkCode(cur.kind, rate, cur.valid_from, validTo);
        try {
          // An UPDATE answers [rows, count] through TypeORM.
          const [[row]]: [TaxCodeRow[], number] = await em.query(
            `UPDATE tax_codes c SET rate = $2, description = coalesce($3, description),
                    invoice_note = CASE WHEN $4 THEN $5 ELSE invoice_note END, valid_to = $6, updated_at = now()
              WHERE c.code = $1 RETURNING ${CODE_COLUMNS}`,
            [code, rate, dto.description?.trim() ?? null, dto.invoiceNote !== undefined, dto.invoiceNote?.trim() ?? null, validTo],
          );
          return toCodeView(row);
        } catch (e) {
          throw rangeProblem(e);
        }
      }),
    );
  }

  async listRules(): Promise<TaxRuleListView> {
    const rows: TaxRuleRow[] = await this.db.query(
      `SELECT ${RULE_COLUMNS} FROM tax_rules r ORDER BY r.tax_category, r.buyer_country, r.buyer_registered NULLS LAST, r.id`,
    );
    return { items: rows.map(toRuleView) };
  }

  /** A rule for the configured seller; its code must exist and fit the buyer's country (else 422 naming both). */
  async createRule(dto: CreateTaxRuleDto): Promise<TaxRuleView> {
    return this.db.transaction(async (em) => {
      await this.assertCodeFits(em, dto.taxCode, dto.buyerCountry, 'taxCode');
      const [row]: TaxRuleRow[] = await em.query(
        `INSERT INTO tax_rules AS r (tax_category, seller_jurisdiction, buyer_country, buyer_registered, tax_code)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING ${RULE_COLUMNS}`,
        [dto.taxCategory, this.supplierSettings.country, dto.buyerCountry, dto.buyerRegistered ?? null, dto.taxCode],
      );
      if (!row) {
        throw taxError(
          TaxErrorCode.Conflict,
          `A rule for ${dto.taxCategory} supplies to ${dto.buyerCountry} with that registration already exists; change its code instead`,
        );
      }
      return toRuleView(row);
    });
  }

  async updateRule(id: string, taxCode: string): Promise<TaxRuleView> {
    return this.db.transaction(async (em) => {
      const [cur]: TaxRuleRow[] = await em.query(`SELECT ${RULE_COLUMNS} FROM tax_rules r WHERE r.id = $1 FOR UPDATE`, [id]);
      if (!cur) throw taxError(TaxErrorCode.NotFound, `Tax rule ${id} was not found`);
      await this.assertCodeFits(em, taxCode, cur.buyer_country, 'taxCode');
      const [[row]]: [TaxRuleRow[], number] = await em.query(
        `UPDATE tax_rules r SET tax_code = $2, updated_at = now() WHERE r.id = $1 RETURNING ${RULE_COLUMNS}`,
        [id, taxCode],
      );
      return toRuleView(row);
    });
  }

  private async assertCodeFits(em: EntityManager, code: string, buyerCountry: string, field: string): Promise<void> {
    const [c]: TaxCodeRow[] = await em.query(`SELECT ${CODE_COLUMNS} FROM tax_codes c WHERE c.code = $1`, [code]);
    const where = buyerCountry === '*' ? 'any country' : buyerCountry;
    if (!c) {
      throw unknownCode(`Tax code ${code} is unknown`, code, buyerCountry, field);
    }
    if (!codeFitsBuyer({ jurisdiction: c.jurisdiction, kind: c.kind }, buyerCountry, this.supplierSettings.country)) {
      throw unknownCode(`Tax code ${code} (${c.jurisdiction}, ${c.kind}) is not a code for ${where}`, code, buyerCountry, field);
    }
  }
}

function unknownCode(detail: string, code: string, country: string, field: string) {
  const e = taxError(TaxErrorCode.UnknownTaxCode, detail, { taxCode: code, country });
  return new ProblemError(e.status, e.slug, e.title, detail, e.extensions, [{ field, message: detail }]);
}

function checkCode(kind: string, rate: string, validFrom: string, validTo: string | null): void {
  if (kind !== 'STANDARD' && !new Dec(rate).isZero()) {
    throw validationError(`A ${kind} code has a rate of 0`, [{ field: 'rate', message: `must be "0" for a ${kind} code` }]);
  }
  for (const [field, d] of [
    ['validFrom', validFrom],
    ['validTo', validTo],
  ] as const) {
    if (d !== null && !isValidCalendarDate(d))
      throw validationError(`${field} is not a calendar date`, [{ field, message: 'not a calendar date' }]);
  }
  if (validTo !== null && validTo < validFrom) {
    throw validationError('validTo is before validFrom', [{ field: 'validTo', message: 'must be on or after validFrom' }]);
  }
}

function rangeProblem(e: unknown): unknown {
  if (sqlState(e) === '22008' || sqlState(e) === '22007')
    return validationError('A date is out of range', [{ field: 'validTo', message: 'out of range' }]);
  return e;
}

function toCodeView(r: TaxCodeRow): TaxCodeView {
  return {
    code: r.code,
    jurisdiction: r.jurisdiction,
    rate: formatRate(r.rate),
    kind: r.kind,
    description: r.description,
    invoiceNote: r.invoice_note,
    validFrom: r.valid_from,
    validTo: r.valid_to,
  };
}

function toRuleView(r: TaxRuleRow): TaxRuleView {
  return {
    id: r.id,
    taxCategory: r.tax_category,
    sellerJurisdiction: r.seller_jurisdiction,
    buyerCountry: r.buyer_country,
    buyerRegistered: r.buyer_registered,
    taxCode: r.tax_code,
  };
}
