// Owns credit_requests: a reseller asks for more credit on one line; distributor finance answers.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  coreError,
  CoreErrorCode,
  CreditLine,
  Currency,
  Dec,
  minorUnits,
  moneyString,
  notFound,
  Page,
  page,
  retryOnConflict,
  validationError,
} from '#disty/core';
import { CreditRequestStatus, CreditRequestView } from './dto/credit-request.dto';
import { ResellerService } from './reseller.service';

interface RequestRow {
  id: string;
  reseller_id: string;
  reseller_name: string;
  credit_line: CreditLine;
  currency: Currency;
  amount: string;
  reason: string;
  status: CreditRequestStatus;
  requested_by: string | null;
  requested_at: Date;
  previous_limit: string | null;
  approved_limit: string | null;
  answer_reason: string | null;
  answered_by: string | null;
  answered_at: Date | null;
}

const SELECT = `SELECT r.id, r.reseller_id, s.name AS reseller_name, r.credit_line, r.currency, r.amount, r.reason, r.status,
                       r.requested_by, r.requested_at, r.previous_limit, r.approved_limit, r.answer_reason, r.answered_by, r.answered_at
                  FROM credit_requests r JOIN resellers s ON s.id = r.reseller_id`;

function toView(r: RequestRow): CreditRequestView {
  return {
    id: r.id,
    resellerId: r.reseller_id,
    resellerName: r.reseller_name,
    line: r.credit_line,
    currency: r.currency,
    amount: moneyString(r.amount, r.currency),
    reason: r.reason,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at.toISOString(),
    previousLimit: r.previous_limit === null ? null : moneyString(r.previous_limit, r.currency),
    approvedLimit: r.approved_limit === null ? null : moneyString(r.approved_limit, r.currency),
    answerReason: r.answer_reason,
    answeredBy: r.answered_by,
    answeredAt: r.answered_at ? r.answered_at.toISOString() : null,
  };
}

function assertDecimals(field: string, value: string, currency: Currency): void {
  const decimals = value.includes('.') ? value.split('.')[1].length : 0;
  if (decimals > minorUnits(currency)) {
    throw validationError(`${field} has more decimals than ${currency} allows (${minorUnits(currency)})`, [
      { field, message: `at most ${minorUnits(currency)} decimals in ${currency}` },
    ]);
  }
}

/**
 * Credit requests (docs/portal.md, "Credit requests"): asked by a reseller's user for its own
 * reseller, answered once by distributor finance. An approval sets the line's new limit in the
 * same transaction that answers the request, so a request is approved exactly when its limit is set.
 */
@Injectable()
export class CreditRequestService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly resellers: ResellerService,
  ) {}

  async create(input: {
    resellerId: string;
    line: CreditLine;
    amount: string;
    reason: string;
    requestedBy: string;
  }): Promise<CreditRequestView> {
    const reseller = await this.resellers.getReseller(input.resellerId);
    assertDecimals('amount', input.amount, reseller.currency);
    const [{ id }]: Array<{ id: string }> = await this.db.query(
      `INSERT INTO credit_requests (reseller_id, credit_line, currency, amount, reason, requested_by)
       VALUES ($1, $2, $3, $4::numeric, $5, $6) RETURNING id`,
      [input.resellerId, input.line, reseller.currency, input.amount, input.reason.trim(), input.requestedBy],
    );
    return this.get(id, null);
  }

  async get(id: string, scope: string | null, em: EntityManager = this.db.manager): Promise<CreditRequestView> {
    const [row]: RequestRow[] = await em.query(`${SELECT} WHERE r.id = $1 AND ($2::uuid IS NULL OR r.reseller_id = $2::uuid)`, [id, scope]);
    if (!row) throw notFound(`Credit request ${id}`);
    return toView(row);
  }

  async list(
    scope: string | null,
    q: { status?: CreditRequestStatus; resellerId?: string; page: number; pageSize: number },
  ): Promise<Page<CreditRequestView>> {
    const params = [scope ?? q.resellerId ?? null, q.status ?? null];
    const cond = `WHERE ($1::uuid IS NULL OR r.reseller_id = $1::uuid) AND ($2::text IS NULL OR r.status = $2::text)`;
    const [{ total }]: Array<{ total: number }> = await this.db.query(
      `SELECT count(*)::int AS total FROM credit_requests r ${cond}`,
      params,
    );
    const rows: RequestRow[] = await this.db.query(
      `${SELECT} ${cond} ORDER BY (r.status = 'PENDING') DESC, r.requested_at DESC, r.id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(rows.map(toView), total, q);
  }

  /** Approves: the line's limit becomes `limit` (default: its limit now plus the amount asked). */
  async approve(id: string, input: { limit?: string; reason: string }, answeredBy: string): Promise<CreditRequestView> {
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const req = await this.lockPending(em, id);
        const [line]: Array<{ credit_limit: string }> = await em.query(
          `SELECT credit_limit FROM credit_lines WHERE reseller_id = $1 AND line = $2 FOR UPDATE`,
          [req.reseller_id, req.credit_line],
        );
        if (!line) throw notFound(`Credit request ${id}`);
        if (input.limit !== undefined) assertDecimals('limit', input.limit, req.currency);
        const limit = input.limit !== undefined ? new Dec(input.limit) : new Dec(line.credit_limit).plus(req.amount);
        await em.query(`UPDATE credit_lines SET credit_limit = $3::numeric, updated_at = now() WHERE reseller_id = $1 AND line = $2`, [
          req.reseller_id,
          req.credit_line,
          limit.toFixed(),
        ]);
        // The line's history records the approval like a limit set by hand, with the answer as its reason (docs/security.md §11).
        await em.query(
          `INSERT INTO credit_limit_changes (reseller_id, line, changed_by, from_limit, to_limit, from_on_hold, to_on_hold, reason)
           SELECT reseller_id, line, $3, $4::numeric, credit_limit, on_hold, on_hold, $5 FROM credit_lines WHERE reseller_id = $1 AND line = $2`,
          [req.reseller_id, req.credit_line, answeredBy, line.credit_limit, input.reason.trim()],
        );
        // As a limit raised by hand: a CLOUD exposure hold lifts once the line has credit again (docs/consumption.md §7).
        const state = (await this.resellers.creditLines(req.reseller_id, em)).find((s) => s.line === req.credit_line);
        if (state?.exposureHold && state.available.gt(0)) await this.resellers.setExposureHold(em, req.reseller_id, false);
        await em.query(
          `UPDATE credit_requests SET status = 'APPROVED', previous_limit = $2::numeric, approved_limit = $3::numeric,
                  answer_reason = $4, answered_by = $5, answered_at = now() WHERE id = $1`,
          [id, line.credit_limit, limit.toFixed(), input.reason.trim(), answeredBy],
        );
        return this.get(id, null, em);
      }),
    );
  }

  async decline(id: string, input: { reason: string }, answeredBy: string): Promise<CreditRequestView> {
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        await this.lockPending(em, id);
        await em.query(
          `UPDATE credit_requests SET status = 'DECLINED', answer_reason = $2, answered_by = $3, answered_at = now() WHERE id = $1`,
          [id, input.reason.trim(), answeredBy],
        );
        return this.get(id, null, em);
      }),
    );
  }

  private async lockPending(em: EntityManager, id: string): Promise<RequestRow> {
    const [row]: RequestRow[] = await em.query(`${SELECT} WHERE r.id = $1 FOR UPDATE OF r`, [id]);
    if (!row) throw notFound(`Credit request ${id}`);
    if (row.status !== 'PENDING') {
      throw coreError(CoreErrorCode.Conflict, `Credit request ${id} was already ${row.status.toLowerCase()}`, {
        requestStatus: row.status,
      });
    }
    return row;
  }
}
