// Owns `vendors`: the catalog vendors the distributor is billed by (docs/accounting.md §3, "vendor bills").
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { page, Page, sqlState } from '#disty/core';
import { CreateVendorDto, UpdateVendorDto, VendorQueryDto, VendorView } from './dto/vendor.dto';
import { fieldProblem, purchasingError, PurchasingErrorCode } from './errors';
import { toVendorView, VENDOR_COLUMNS, VendorRow } from './purchasing.sql';

/** The defaults of a vendor created without them (also those of the vendors the migration created). */
export const VENDOR_DEFAULTS = { currency: 'AUD', paymentTermsDays: 30 } as const;

/**
 * Vendors are named exactly like the catalog's `products.vendor` (case-insensitively unique):
 * accrued costs (cost_accruals.vendor) find their vendor by that name. The name never changes.
 */
@Injectable()
export class VendorService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(dto: CreateVendorDto): Promise<VendorView> {
    try {
      const rows: VendorRow[] = await this.db.query(
        `INSERT INTO vendors AS v (name, currency, payment_terms_days) VALUES ($1, $2, $3) RETURNING ${VENDOR_COLUMNS}`,
        [dto.name, dto.currency ?? VENDOR_DEFAULTS.currency, dto.paymentTermsDays ?? VENDOR_DEFAULTS.paymentTermsDays],
      );
      return toVendorView(rows[0]);
    } catch (e) {
      if (sqlState(e) === '23505') {
        throw fieldProblem(
          PurchasingErrorCode.DuplicateVendor,
          `A vendor named ${dto.name} already exists (names are unique ignoring case)`,
          [{ field: 'name', message: 'is already a vendor' }],
        );
      }
      throw e;
    }
  }

  async list(q: VendorQueryDto): Promise<Page<VendorView>> {
    const pattern = q.q ? `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const rows: Array<VendorRow & { matching_rows: number }> = await this.db.query(
      `SELECT ${VENDOR_COLUMNS}, count(*) OVER ()::int AS matching_rows FROM vendors v
        WHERE ($1::text IS NULL OR v.name ILIKE $1) ORDER BY lower(v.name) LIMIT $2 OFFSET $3`,
      [pattern, q.pageSize, q.offset],
    );
    const total = rows.length ? rows[0].matching_rows : q.offset ? await this.count(pattern) : 0;
    return page(rows.map(toVendorView), total, q);
  }

  async get(id: string): Promise<VendorView> {
    return toVendorView(await this.row(this.db.manager, id));
  }

  async update(id: string, dto: UpdateVendorDto): Promise<VendorView> {
    const rows: VendorRow[] = await this.db.query(
      `WITH v AS (
         UPDATE vendors SET currency = coalesce($2, currency), payment_terms_days = coalesce($3, payment_terms_days),
                active = coalesce($4, active)
          WHERE id = $1 RETURNING *)
       SELECT ${VENDOR_COLUMNS} FROM v`,
      [id, dto.currency ?? null, dto.paymentTermsDays ?? null, dto.active ?? null],
    );
    if (!rows.length) throw purchasingError(PurchasingErrorCode.NotFound, `Vendor ${id} was not found`);
    return toVendorView(rows[0]);
  }

  /** The vendor row (in `em`, locked against a concurrent change with `lock`); 404 when unknown. */
  async row(em: EntityManager, id: string, lock = false): Promise<VendorRow> {
    const rows: VendorRow[] = await em.query(`SELECT ${VENDOR_COLUMNS} FROM vendors v WHERE v.id = $1 ${lock ? 'FOR SHARE' : ''}`, [id]);
    if (!rows.length) throw purchasingError(PurchasingErrorCode.NotFound, `Vendor ${id} was not found`);
    return rows[0];
  }

  private async count(pattern: string | null): Promise<number> {
    const [r]: Array<{ n: number }> = await this.db.query(
      `SELECT count(*)::int AS n FROM vendors v WHERE ($1::text IS NULL OR v.name ILIKE $1)`,
      [pattern],
    );
    return r.n;
  }
}
