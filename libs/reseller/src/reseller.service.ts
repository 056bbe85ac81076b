// Owns resellers and credit_lines (limits and holds); reservations are CreditReservationService's.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  CREDIT_LINES, CreditLine, Currency, Dec, minorUnits, page, Page, queryPrepared, retryOnConflict, Role, validationError,
} from '@disty/core';
import { IdentityService, UserResponse } from '@disty/identity';
import { AR_ACCOUNT, LedgerService } from '@disty/ledger';
import { creditPosition } from './domain/credit';
import { CreditLineView, ResellerView } from './dto/reseller.dto';
import { resellerError, ResellerErrorCode } from './errors';
import { toCreditLineView, toResellerView } from './reseller.mapper';
import { LINE_COLUMNS, LineRow, RESELLER_INFO, RESELLER_SELECT, ResellerRow } from './reseller.sql';

export interface ResellerInfo {
  id: string;
  name: string;
  currency: Currency;
  country: string;
  taxRate: Dec;
  paymentTermsDays: number;
}

export interface CreditLineState {
  line: CreditLine;
  currency: Currency;
  limit: Dec;
  openReceivables: Dec;
  reserved: Dec;
  available: Dec;
  onHold: boolean;
}

export interface CreateResellerInput {
  name: string;
  currency: Currency;
  country: string;
  taxRate: string;
  paymentTermsDays: number;
  creditLimits: Record<CreditLine, string>;
}

export interface UpdateResellerInput {
  name?: string;
  country?: string;
  taxRate?: string;
  paymentTermsDays?: number;
}

/**
 * Reseller admin: resellers, their users (through identity) and their two credit lines' limits and
 * hold flags. A line's position (limit, open receivables from the ledger, reserved, available) is
 * read here; credit is reserved through CreditReservationService.
 */
@Injectable()
export class ResellerService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly identity: IdentityService,
  ) {}

  async createReseller(input: CreateResellerInput): Promise<ResellerView> {
    for (const line of CREDIT_LINES) assertDecimals(`creditLimits.${line}`, input.creditLimits[line], input.currency);
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const [{ id }]: Array<{ id: string }> = await em.query(
          `INSERT INTO resellers (name, currency, country, tax_rate, payment_terms_days) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [input.name.trim(), input.currency, input.country, input.taxRate, input.paymentTermsDays],
        );
        await em.query(
          `INSERT INTO credit_lines (reseller_id, line, currency, credit_limit)
           VALUES ($1, 'HARDWARE', $2, $3), ($1, 'CLOUD', $2, $4)`,
          [id, input.currency, input.creditLimits.HARDWARE, input.creditLimits.CLOUD],
        );
        return this.view(em, id);
      }),
    );
  }

  async updateReseller(id: string, patch: UpdateResellerInput): Promise<ResellerView> {
    return this.db.transaction(async (em) => {
      const [updated]: [unknown[], number] = await em.query(
        `UPDATE resellers SET name = coalesce($2, name), country = coalesce($3, country), tax_rate = coalesce($4::numeric, tax_rate),
                payment_terms_days = coalesce($5, payment_terms_days), updated_at = now()
          WHERE id = $1 RETURNING id`,
        [id, patch.name?.trim() ?? null, patch.country ?? null, patch.taxRate ?? null, patch.paymentTermsDays ?? null],
      );
      if (!updated.length) throw resellerNotFound(id);
      return this.view(em, id);
    });
  }

  async getResellerView(id: string): Promise<ResellerView> {
    return this.view(this.db.manager, id);
  }

  /** Resellers, all of them or only `scope` (a reseller user's own). */
  async listResellers(scope: string | null, q: { q?: string; page: number; pageSize: number }): Promise<Page<ResellerView>> {
    const params: unknown[] = [scope, q.q ? `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null];
    const cond = `WHERE ($1::uuid IS NULL OR r.id = $1::uuid) AND ($2::text IS NULL OR r.name ILIKE $2)`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM resellers r ${cond}`, params);
    const rows: ResellerRow[] = await this.db.query(
      `${RESELLER_SELECT} ${cond} ORDER BY lower(r.name), r.id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(rows.map(toResellerView), total, q);
  }

  /** What other modules need to price and bill for a reseller. 404 problem when unknown. */
  async getReseller(resellerId: string, em: EntityManager = this.db.manager): Promise<ResellerInfo> {
    const [r] = await queryPrepared<ResellerRow>(em, RESELLER_INFO, [resellerId]);
    if (!r) throw resellerNotFound(resellerId);
    return {
      id: r.id,
      name: r.name,
      currency: r.currency,
      country: r.country,
      taxRate: new Dec(r.tax_rate),
      paymentTermsDays: r.payment_terms_days,
    };
  }

  async listResellerIds(em: EntityManager = this.db.manager): Promise<string[]> {
    const rows: Array<{ id: string }> = await em.query(`SELECT id FROM resellers ORDER BY id`);
    return rows.map((r) => r.id);
  }

  /** A user of one of the reseller's roles, through identity; the token is returned once. */
  async createUser(resellerId: string, input: { email: string; role: Role }, token?: string): Promise<UserResponse> {
    await this.getReseller(resellerId);
    return this.identity.createUser({ email: input.email, role: input.role, resellerId }, token);
  }

  async listUsers(resellerId: string): Promise<UserResponse[]> {
    await this.getReseller(resellerId);
    return this.identity.listUsers(resellerId);
  }

  /** Both lines with their parts (HARDWARE, then CLOUD). */
  async creditLines(resellerId: string, em: EntityManager = this.db.manager): Promise<CreditLineState[]> {
    const rows: LineRow[] = await em.query(
      `SELECT ${LINE_COLUMNS} FROM credit_lines WHERE reseller_id = $1
        ORDER BY CASE line WHEN 'HARDWARE' THEN 0 ELSE 1 END`,
      [resellerId],
    );
    if (!rows.length) throw resellerNotFound(resellerId);
    return Promise.all(rows.map((r) => this.lineState(em, resellerId, r)));
  }

  async creditLineViews(resellerId: string): Promise<{ items: CreditLineView[] }> {
    return { items: (await this.creditLines(resellerId)).map(toCreditLineView) };
  }

  /** PUT /resellers/:id/credit-lines/:line — a new limit and/or hold flag. */
  async updateCreditLine(resellerId: string, line: CreditLine, patch: { limit?: string; onHold?: boolean }): Promise<CreditLineView> {
    if (patch.limit === undefined && patch.onHold === undefined) {
      throw validationError('Give limit and/or onHold', [{ field: 'limit', message: 'limit or onHold is required' }]);
    }
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const rows: LineRow[] = await em.query(
          `SELECT ${LINE_COLUMNS} FROM credit_lines WHERE reseller_id = $1 AND line = $2 FOR UPDATE`,
          [resellerId, line],
        );
        if (!rows.length) throw resellerNotFound(resellerId);
        if (patch.limit !== undefined) assertDecimals('limit', patch.limit, rows[0].currency);
        const [[updated]]: [LineRow[], number] = await em.query(
          `UPDATE credit_lines SET credit_limit = coalesce($3::numeric, credit_limit), on_hold = coalesce($4, on_hold), updated_at = now()
            WHERE reseller_id = $1 AND line = $2 RETURNING ${LINE_COLUMNS}`,
          [resellerId, line, patch.limit ?? null, patch.onHold ?? null],
        );
        return toCreditLineView(await this.lineState(em, resellerId, updated));
      }),
    );
  }

  async setHold(em: EntityManager, resellerId: string, line: CreditLine, onHold: boolean): Promise<void> {
    const [updated]: [unknown[], number] = await em.query(
      `UPDATE credit_lines SET on_hold = $3, updated_at = now() WHERE reseller_id = $1 AND line = $2 RETURNING line`,
      [resellerId, line, onHold],
    );
    if (!updated.length) throw resellerNotFound(resellerId);
  }





  private async lineState(em: EntityManager, resellerId: string, row: LineRow): Promise<CreditLineState> {
    const openReceivables = await this.ledger.balanceOf(AR_ACCOUNT[row.line], resellerId, row.currency, em);
    const p = creditPosition(new Dec(row.credit_limit), openReceivables, new Dec(row.reserved));
    return {
      line: row.line,
      currency: row.currency,
      limit: p.limit,
      openReceivables: p.openReceivables,
      reserved: p.reserved,
      available: p.available,
      onHold: row.on_hold,
    };
  }

  private async view(em: EntityManager, id: string): Promise<ResellerView> {
    const rows: ResellerRow[] = await em.query(`${RESELLER_SELECT} WHERE r.id = $1`, [id]);
    if (!rows.length) throw resellerNotFound(id);
    return toResellerView(rows[0]);
  }
}

function assertDecimals(field: string, value: string, currency: Currency): void {
  const decimals = value.includes('.') ? value.split('.')[1].length : 0;
  if (decimals > minorUnits(currency)) {
    throw validationError(`${field} has more decimals than ${currency} allows (${minorUnits(currency)})`, [
      { field, message: `at most ${minorUnits(currency)} decimals in ${currency}` },
    ]);
  }
}

function resellerNotFound(id: string) {
  return resellerError(ResellerErrorCode.ResellerNotFound, `Reseller ${id} was not found`);
}
