// Owns commitment_rule_packs: the packs listed, the rules a product follows, the check a product's term meets.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Dec, ProblemError } from '#disty/core';
import { BillingFrequency, Term } from './domain/product-rules';
import { commitmentProblems, CommitmentRules } from './domain/commitment-rules';
import { CommitmentPackView } from './dto/commitment-pack.dto';
import { catalogError, CatalogErrorCode } from './errors';

/** The commitment rule packs products follow (docs/commitments.md). */
@Injectable()
export class CommitmentPackService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** GET /catalog/commitment-packs: every rule pack, by code. */
  async commitmentPacks(): Promise<{ items: CommitmentPackView[]; total: number }> {
    const rows: PackRow[] = await this.db.query(`SELECT ${PACK_COLUMNS} FROM commitment_rule_packs c ORDER BY c.code`);
    const items = rows.map(packView);
    return { items, total: items.length };
  }

  /**
   * The commitment rules a product follows (what the subscription change flow enforces); null when
   * the SKU is not in the catalog (no rules: changes are free).
   */
  async commitmentRules(sku: string, em: EntityManager = this.db.manager): Promise<CommitmentRules | null> {
    const rows: PackRow[] = await em.query(
      `SELECT ${PACK_COLUMNS} FROM products p JOIN commitment_rule_packs c ON c.code = p.commitment_pack WHERE p.sku = $1`,
      [sku],
    );
    return rows.length ? packView(rows[0]) : null;
  }

  /** The pack `code` (422 naming commitmentPack when there is none). */
  async packOrFail(em: EntityManager, code: string): Promise<CommitmentRules> {
    const rows: PackRow[] = await em.query(`SELECT ${PACK_COLUMNS} FROM commitment_rule_packs c WHERE c.code = $1`, [code]);
    if (!rows.length) {
      const detail = `commitmentPack ${code} is not a commitment pack (GET /catalog/commitment-packs)`;
      const e = catalogError(CatalogErrorCode.UnknownCommitmentPack, detail, { field: 'commitmentPack' });
      throw new ProblemError(e.status, e.slug, e.title, detail, e.extensions, [
        { field: 'commitmentPack', message: `${code} is not a commitment pack` },
      ]);
    }
    return packView(rows[0]);
  }
}

interface PackRow {
  code: string;
  name: string;
  description: string;
  window_hours: number | null;
  price_lock: boolean;
  auto_renew_default: boolean;
  allowed_terms: Term[];
  allowed_billing_frequencies: BillingFrequency[];
  monthly_uplift_percent: string;
}

const PACK_COLUMNS = `c.code, c.name, c.description, c.window_hours, c.price_lock, c.auto_renew_default, c.allowed_terms,
  c.allowed_billing_frequencies, c.monthly_uplift_percent::text AS monthly_uplift_percent`;

function packView(r: PackRow): CommitmentPackView & CommitmentRules {
  return {
    code: r.code,
    name: r.name,
    description: r.description,
    windowHours: r.window_hours,
    priceLock: r.price_lock,
    autoRenewDefault: r.auto_renew_default,
    allowedTerms: r.allowed_terms,
    allowedBillingFrequencies: r.allowed_billing_frequencies,
    monthlyUpliftPercent: new Dec(r.monthly_uplift_percent).toString(),
  };
}

/** A product's term and billing frequency must be allowed by its pack: 422 naming the field. */
export function assertAllowed(pack: CommitmentRules, p: { term?: Term | null; billingFrequency?: BillingFrequency | null }): void {
  const problems = commitmentProblems(pack, p);
  if (!problems.length) return;
  const detail = problems.map((e) => `${e.field}: ${e.message}`).join('; ');
  const e = catalogError(CatalogErrorCode.NotAllowedByCommitment, detail, {
    field: problems[0].field,
    commitmentPack: pack.code,
  });
  throw new ProblemError(e.status, e.slug, e.title, detail, e.extensions, problems);
}
