// Owns resellers and credit_lines (limits and holds); reservations are CreditReservationService's.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  Clock,
  CREDIT_LINES,
  CreditLine,
  Currency,
  Dec,
  minorUnits,
  page,
  Page,
  ProblemError,
  queryPrepared,
  retryOnConflict,
  Role,
  validationError,
} from '#disty/core';
import { IdentityService, UserResponse } from '#disty/identity';
import { AR_ACCOUNT, LedgerService } from '#disty/ledger';
import { TaxService } from '#disty/tax';
import { creditPosition } from './domain/credit';
import { CreditLimitChangeListView, CreditLineView, ResellerView } from './dto/reseller.dto';
import { resellerError, ResellerErrorCode } from './errors';
import { toCreditLineView, toResellerView } from './reseller.mapper';
import { LINE_COLUMNS, LineRow, RECORD_UNBILLED_USAGE, RESELLER_INFO, RESELLER_SELECT, ResellerRow } from './reseller.sql';

export interface ResellerInfo {
  id: string;
  name: string;
  currency: Currency;
  country: string;
  /** The buyer's tax registration: with the country, chooses each line's tax code (docs/accounting.md §11). */
  taxRegistered: boolean;
  taxId: string | null;
  address: string | null;
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
  /** Credit exposure (docs/consumption.md §7). */
  unbilledUsage: Dec;
  exposureHold: boolean;
}

export interface CreateResellerInput {
  name: string;
  currency: Currency;
  country: string;
  taxId?: string | null;
  taxRegistered?: boolean;
  address?: string | null;
  paymentTermsDays: number;
  creditLimits: Record<CreditLine, string>;
}

export interface UpdateResellerInput {
  name?: string;
  country?: string;
  taxId?: string | null;
  taxRegistered?: boolean;
  address?: string | null;
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
    private readonly tax: TaxService,
    private readonly clock: Clock,
  ) {}

  async createReseller(input: CreateResellerInput): Promise<ResellerView> {
    for (const line of CREDIT_LINES) assertDecimals(`creditLimits.${line}`, input.creditLimits[line], input.currency);
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const [{ id }]: Array<{ id: string }> = await em.query(
          `INSERT INTO resellers (name, currency, country, tax_id, tax_registered, address, payment_terms_days)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
          [
            input.name.trim(),
            input.currency,
            input.country,
            input.taxId?.trim() || null,
            input.taxRegistered ?? false,
            input.address?.trim() || null,
            input.paymentTermsDays,
          ],
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
        `UPDATE resellers SET name = coalesce($2, name), country = coalesce($3, country),
                tax_id = CASE WHEN $4 THEN $5 ELSE tax_id END, tax_registered = coalesce($6, tax_registered),
                address = CASE WHEN $7 THEN $8 ELSE address END,
                payment_terms_days = coalesce($9, payment_terms_days), updated_at = now()
          WHERE id = $1 RETURNING id`,
        [
          id,
          patch.name?.trim() ?? null,
          patch.country ?? null,
          patch.taxId !== undefined,
          patch.taxId?.trim() || null,
          patch.taxRegistered ?? null,
          patch.address !== undefined,
          patch.address?.trim() || null,
          patch.paymentTermsDays ?? null,
        ],
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
    const rates = await this.standardRates(this.db.manager, rows);
    return page(
      rows.map((r) => toResellerView(r, rates.get(buyerKey(r)) ?? null)),
      total,
      q,
    );
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
      taxRegistered: r.tax_registered,
      taxId: r.tax_id,
      address: r.address,
      paymentTermsDays: r.payment_terms_days,
    };
  }

  async listResellerIds(em: EntityManager = this.db.manager): Promise<string[]> {
    const rows: Array<{ id: string }> = await em.query(`SELECT id FROM resellers ORDER BY id`);
    return rows.map((r) => r.id);
  }

  /** A user of one of the reseller's roles, through identity; the token (and with `link` a set-password link) is returned once. */
  async createUser(
    resellerId: string,
    input: { email: string; role: Role },
    token?: string,
    opts: { link?: boolean } = {},
  ): Promise<UserResponse> {
    await this.getReseller(resellerId);
    return this.identity.createUser({ email: input.email, role: input.role, resellerId }, token, opts);
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

  /**
   * PUT /resellers/:id/credit-lines/:line — a new limit (with its required reason) and/or hold
   * flag; the change is written to the line's history in the same transaction (docs/security.md §11).
   */
  async updateCreditLine(
    resellerId: string,
    line: CreditLine,
    patch: { limit?: string; onHold?: boolean; reason?: string },
    changedBy: string | null = null,
  ): Promise<CreditLineView> {
    if (patch.limit === undefined && patch.onHold === undefined) {
      throw validationError('Give limit and/or onHold', [{ field: 'limit', message: 'limit or onHold is required' }]);
    }
    if (patch.limit !== undefined && !patch.reason?.trim()) {
      throw validationError('A new limit needs a reason', [{ field: 'reason', message: 'reason is required when the limit changes' }]);
    }
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const rows: LineRow[] = await em.query(`SELECT ${LINE_COLUMNS} FROM credit_lines WHERE reseller_id = $1 AND line = $2 FOR UPDATE`, [
          resellerId,
          line,
        ]);
        if (!rows.length) throw resellerNotFound(resellerId);
        if (patch.limit !== undefined) assertDecimals('limit', patch.limit, rows[0].currency);
        const [[updated]]: [LineRow[], number] = await em.query(
          `UPDATE credit_lines SET credit_limit = coalesce($3::numeric, credit_limit), on_hold = coalesce($4, on_hold), updated_at = now()
            WHERE reseller_id = $1 AND line = $2 RETURNING ${LINE_COLUMNS}`,
          [resellerId, line, patch.limit ?? null, patch.onHold ?? null],
        );
        await em.query(
          `INSERT INTO credit_limit_changes (reseller_id, line, changed_by, from_limit, to_limit, from_on_hold, to_on_hold, reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            resellerId,
            line,
            changedBy,
            rows[0].credit_limit,
            updated.credit_limit,
            rows[0].on_hold,
            updated.on_hold,
            patch.reason?.trim() || null,
          ],
        );
        const state = await this.lineState(em, resellerId, updated);
        // A limit raised above the exposure lifts the credit-exposure hold at once (docs/consumption.md §7); the next evaluation places it again if due.
        if (state.exposureHold && state.available.gt(0)) {
          await this.setExposureHold(em, resellerId, false);
          return toCreditLineView({ ...state, exposureHold: false });
        }
        return toCreditLineView(state);
      }),
    );
  }

  /** GET /resellers/:id/credit-lines/:line/history — who changed the limit or hold, when, from → to, why. */
  async creditLimitHistory(resellerId: string, line: CreditLine): Promise<CreditLimitChangeListView> {
    await this.getReseller(resellerId);
    const rows: Array<{
      id: string;
      line: CreditLine;
      changed_at: Date;
      changed_by: string | null;
      email: string | null;
      from_limit: string;
      to_limit: string;
      from_on_hold: boolean;
      to_on_hold: boolean;
      reason: string | null;
      currency: Currency;
    }> = await this.db.query(
      `SELECT h.id, h.line, h.changed_at, h.changed_by, u.email, h.from_limit, h.to_limit, h.from_on_hold, h.to_on_hold, h.reason, c.currency
         FROM credit_limit_changes h
         JOIN credit_lines c ON c.reseller_id = h.reseller_id AND c.line = h.line
         LEFT JOIN users u ON u.id = h.changed_by
        WHERE h.reseller_id = $1 AND h.line = $2 ORDER BY h.changed_at DESC, h.id LIMIT 200`,
      [resellerId, line],
    );
    const amount = (v: string, c: Currency) => new Dec(v).toFixed(minorUnits(c));
    return {
      items: rows.map((r) => ({
        id: r.id,
        line: r.line,
        changedAt: r.changed_at.toISOString(),
        changedBy: r.changed_by,
        changedByEmail: r.email,
        fromLimit: amount(r.from_limit, r.currency),
        toLimit: amount(r.to_limit, r.currency),
        fromOnHold: r.from_on_hold,
        toOnHold: r.to_on_hold,
        reason: r.reason,
      })),
    };
  }

  async setHold(em: EntityManager, resellerId: string, line: CreditLine, onHold: boolean): Promise<void> {
    const [updated]: [unknown[], number] = await em.query(
      `UPDATE credit_lines SET on_hold = $3, updated_at = now() WHERE reseller_id = $1 AND line = $2 RETURNING line`,
      [resellerId, line, onHold],
    );
    if (!updated.length) throw resellerNotFound(resellerId);
  }

  // ---- credit exposure (docs/consumption.md §7) ----

  /**
   * Records the unbilled usage the CLOUD line counts, locking the line's row (the caller holds the
   * reseller's receivables lock), and answers the line's position with it.
   */
  async recordUnbilledUsage(em: EntityManager, resellerId: string, unbilledUsage: Dec): Promise<CreditLineState> {
    const rows = await queryPrepared<LineRow>(em, RECORD_UNBILLED_USAGE, [resellerId, unbilledUsage.toFixed()]);
    if (!rows.length) throw resellerNotFound(resellerId);
    return this.lineState(em, resellerId, rows[0]);
  }

  /** Places or lifts the CLOUD line's credit-exposure hold (apart from the manual and overdue hold, on_hold). */
  async setExposureHold(em: EntityManager, resellerId: string, onHold: boolean): Promise<void> {
    await em.query(`UPDATE credit_lines SET exposure_hold = $2, updated_at = now() WHERE reseller_id = $1 AND line = 'CLOUD'`, [
      resellerId,
      onHold,
    ]);
  }

  private async lineState(em: EntityManager, resellerId: string, row: LineRow): Promise<CreditLineState> {
    const openReceivables = await this.ledger.balanceOf(AR_ACCOUNT[row.line], resellerId, row.currency, em);
    const p = creditPosition(new Dec(row.credit_limit), openReceivables, new Dec(row.reserved), new Dec(row.unbilled_usage));
    return {
      line: row.line,
      currency: row.currency,
      limit: p.limit,
      openReceivables: p.openReceivables,
      reserved: p.reserved,
      available: p.available,
      onHold: row.on_hold,
      unbilledUsage: p.unbilledUsage,
      exposureHold: row.exposure_hold,
    };
  }

  private async view(em: EntityManager, id: string): Promise<ResellerView> {
    const rows: ResellerRow[] = await em.query(`${RESELLER_SELECT} WHERE r.id = $1`, [id]);
    if (!rows.length) throw resellerNotFound(id);
    const rates = await this.standardRates(em, rows);
    return toResellerView(rows[0], rates.get(buyerKey(rows[0])) ?? null);
  }

  /**
   * The rate a STANDARD line sold to each reseller gets today under the tax rules (the view's
   * `taxRate`, for estimates; each order line stores its own code and rate). Null where no rule applies.
   */
  private async standardRates(em: EntityManager, rows: ResellerRow[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    const today = this.clock.today();
    for (const r of rows) {
      const key = buyerKey(r);
      if (out.has(key)) continue;
      const codes = await this.tax
        .codesFor(em, { country: r.country, registered: r.tax_registered }, ['STANDARD'], today)
        .catch((e: unknown) => (e instanceof ProblemError && e.status === 422 ? null : Promise.reject(e)));
      out.set(key, codes?.get('STANDARD')?.rate.toFixed() ?? null);
    }
    return out;
  }
}

function buyerKey(r: { country: string; tax_registered: boolean }): string {
  return `${r.country}:${r.tax_registered}`;
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
