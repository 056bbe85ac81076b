// Owns end_customers: a reseller's own customers, the records its orders and subscriptions link to.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { page, Page, preparedStatement, queryPrepared, sqlState } from '#disty/core';
import { EndCustomerView } from './dto/end-customer.dto';
import { customersError, customersFieldError, CustomersErrorCode } from './errors';

interface EndCustomerRow {
  id: string;
  reseller_id: string;
  name: string;
  contact_name: string | null;
  contact_email: string | null;
  country: string | null;
  tax_id: string | null;
  reference: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, reseller_id, name, contact_name, contact_email, country, tax_id, reference, created_at, updated_at`;

/** What an order or subscription keeps of its end customer. */
export interface EndCustomerRef {
  id: string;
  name: string;
  reference: string | null;
}

export interface EndCustomerFields {
  name?: string;
  contactName?: string | null;
  contactEmail?: string | null;
  country?: string | null;
  taxId?: string | null;
  reference?: string | null;
}

/**
 * An order's end customer by name, reused or created, in one prepared statement (it runs with every
 * order; docs/api-conventions.md, end customers). The existing record is looked up first: the insert
 * runs only for a new name, since even a refused `ON CONFLICT DO NOTHING` insert costs a speculative
 * insertion. A concurrent order may create the same name in between: the insert then returns nothing
 * and the caller reads the record again.
 */
const UPSERT_BY_NAME = preparedStatement(
  'customers.upsert-by-name',
  `
  WITH found AS (
    SELECT id, name, reference FROM end_customers WHERE reseller_id = $1 AND name = $2
  ), ins AS (
    INSERT INTO end_customers (reseller_id, name, reference)
    SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM found)
    ON CONFLICT (reseller_id, name) DO NOTHING
    RETURNING id, name, reference
  )
  SELECT id, name, reference FROM found
  UNION ALL
  SELECT id, name, reference FROM ins`,
);

/**
 * End customers as records, per reseller: unique by exact (trimmed) name. Reseller users reach only
 * their own reseller's (`scope`); another reseller's record is a 404.
 */
@Injectable()
export class EndCustomerService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(resellerId: string, f: EndCustomerFields & { name: string }): Promise<EndCustomerView> {
    try {
      const [row]: EndCustomerRow[] = await this.db.query(
        `INSERT INTO end_customers (reseller_id, name, contact_name, contact_email, country, tax_id, reference)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [resellerId, f.name.trim(), f.contactName ?? null, f.contactEmail ?? null, f.country ?? null, f.taxId ?? null, f.reference ?? null],
      );
      return toView(row);
    } catch (e) {
      throw this.translate(e, f.name.trim(), resellerId);
    }
  }

  async get(id: string, scope: string | null): Promise<EndCustomerView> {
    const [row]: EndCustomerRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM end_customers WHERE id = $1 AND ($2::uuid IS NULL OR reseller_id = $2::uuid)`,
      [id, scope],
    );
    if (!row) throw endCustomerNotFound(id);
    return toView(row);
  }

  async list(scope: string | null, q: { q?: string; page: number; pageSize: number }): Promise<Page<EndCustomerView>> {
    const search = q.q?.trim() ? q.q.trim().toLowerCase() : null;
    const params = [scope, search === null ? null : escapeLike(search)];
    const cond = `WHERE ($1::uuid IS NULL OR reseller_id = $1::uuid) AND ($2::text IS NULL OR lower(name) LIKE '%' || $2::text || '%')`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM end_customers ${cond}`, params);
    const rows: EndCustomerRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM end_customers ${cond}
        ORDER BY ($2::text IS NOT NULL AND lower(name) LIKE $2::text || '%') DESC, lower(name), name, id
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(rows.map(toView), total, q);
  }

  async update(id: string, scope: string | null, f: EndCustomerFields): Promise<EndCustomerView> {
    const set: string[] = [];
    const params: unknown[] = [id, scope];
    const put = (col: string, v: unknown) => {
      params.push(v);
      set.push(`${col} = $${params.length}`);
    };
    if (f.name !== undefined) put('name', f.name.trim());
    if (f.contactName !== undefined) put('contact_name', f.contactName);
    if (f.contactEmail !== undefined) put('contact_email', f.contactEmail);
    if (f.country !== undefined) put('country', f.country);
    if (f.taxId !== undefined) put('tax_id', f.taxId);
    if (f.reference !== undefined) put('reference', f.reference);
    if (!set.length) return this.get(id, scope);
    try {
      const [row]: EndCustomerRow[] = await this.db.query(
        `WITH u AS (
           UPDATE end_customers SET ${set.join(', ')}, updated_at = now()
            WHERE id = $1 AND ($2::uuid IS NULL OR reseller_id = $2::uuid) RETURNING ${COLUMNS}
         ) SELECT * FROM u`,
        params,
      );
      if (!row) throw endCustomerNotFound(id);
      return toView(row);
    } catch (e) {
      throw this.translate(e, f.name?.trim() ?? '', null);
    }
  }

  /**
   * The end customer an order names, in the order's transaction: by id (it must be the reseller's,
   * else 422 naming `endCustomerId`), or by exact name, reusing the reseller's record of that name
   * or creating it (one statement either way).
   */
  async resolveForOrder(
    em: EntityManager,
    resellerId: string,
    ask: { id?: string | null; name?: string | null; reference?: string | null },
  ): Promise<EndCustomerRef> {
    if (ask.id) {
      const [row]: EndCustomerRef[] = await em.query(`SELECT id, name, reference FROM end_customers WHERE id = $1 AND reseller_id = $2`, [
        ask.id,
        resellerId,
      ]);
      if (!row) {
        throw customersFieldError(
          CustomersErrorCode.UnknownEndCustomer,
          `End customer ${ask.id} is not one of this reseller's end customers`,
          'endCustomerId',
        );
      }
      return row;
    }
    const name = (ask.name ?? '').trim();
    let [row] = await queryPrepared<EndCustomerRef>(em, UPSERT_BY_NAME, [resellerId, name, ask.reference ?? null]);
    // A concurrent order created it after this statement's snapshot: read it again.
    if (!row)
      [row] = await em.query(`SELECT id, name, reference FROM end_customers WHERE reseller_id = $1 AND name = $2`, [resellerId, name]);
    return row;
  }

  private translate(e: unknown, name: string, resellerId: string | null): unknown {
    const state = sqlState(e);
    if (state === '23505') {
      return customersFieldError(
        CustomersErrorCode.DuplicateName,
        `An end customer named "${name}" already exists for this reseller`,
        'name',
      );
    }
    if (state === '23503' && resellerId)
      return customersFieldError(CustomersErrorCode.NotFound, `Reseller ${resellerId} was not found`, 'resellerId');
    return e;
  }
}

function endCustomerNotFound(id: string) {
  return customersError(CustomersErrorCode.NotFound, `End customer ${id} was not found`);
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toView(r: EndCustomerRow): EndCustomerView {
  return {
    id: r.id,
    resellerId: r.reseller_id,
    name: r.name,
    contactName: r.contact_name,
    contactEmail: r.contact_email,
    country: r.country,
    taxId: r.tax_id,
    reference: r.reference,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
