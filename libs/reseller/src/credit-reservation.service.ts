// Owns credit_reservations, and the reserved total of credit_lines that moves with them.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CREDIT_LINES, CreditLine, Dec, moneyString, preparedStatement, queryPrepared } from '#disty/core';
import { AR_ACCOUNT, LedgerService } from '#disty/ledger';
import { creditPosition, judgeReservation, lockOrder } from './domain/credit';
import { resellerError, ResellerErrorCode } from './errors';
import { LINE_COLUMNS, LineRow, RESERVE_CREDIT } from './reseller.sql';

// Prepared (parsed and planned once per connection): the billing run consumes every reseller's
// reservations (docs/performance.md, "Billing run").
const LOCK_CREDIT_LINES = preparedStatement(
  'reseller.lock-credit-lines',
  `SELECT line FROM credit_lines WHERE reseller_id = $1 AND line = ANY($2::text[])
    ORDER BY CASE line WHEN 'HARDWARE' THEN 0 ELSE 1 END FOR UPDATE`,
);
const CONSUME_RESERVATIONS = preparedStatement(
  'reseller.consume-reservations',
  `WITH settled AS (
         UPDATE credit_reservations c SET status = 'CONSUMED', remaining = 0, settled_at = now()
           FROM unnest($1::text[], $2::text[]) AS t(source_type, source_id), credit_reservations o
          WHERE c.source_type = t.source_type AND c.source_id = t.source_id AND c.status = 'OPEN'
            AND c.reseller_id = ANY($3::uuid[]) AND o.id = c.id
         RETURNING c.reseller_id, c.line, o.remaining),
       totals AS (SELECT reseller_id, line, sum(remaining) AS amount FROM settled GROUP BY 1, 2)
       UPDATE credit_lines l SET reserved = l.reserved - t.amount, updated_at = now()
         FROM totals t WHERE l.reseller_id = t.reseller_id AND l.line = t.line AND t.amount <> 0`,
);

export type Source = { type: string; id: string };

/** One amount to reserve on one line for one source (an order line, a subscription charge, …). */
export interface ReservationItem {
  line: CreditLine;
  amount: Dec;
  source: Source;
}

export interface ReservationState {
  line: CreditLine;
  amount: Dec;
  /** What is still reserved (0 once released or consumed). */
  remaining: Dec;
  status: 'OPEN' | 'RELEASED' | 'CONSUMED';
}

/**
 * The credit-reservation engine: credit is checked and reserved for a source (an order line, a
 * subscription charge) on its credit line, then released (a cancellation), moved (a partial
 * shipment) or consumed (invoiced: its receivable counts instead). Exposure of a line = open
 * receivables on its AR account (the ledger) + reserved; available = limit − exposure.
 * Reservations are checked and recorded in the caller's transaction under the lines' row locks,
 * taken HARDWARE then CLOUD.
 */
@Injectable()
export class CreditReservationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
  ) {}

  /**
   * Reserves several (source, line) amounts at once, all or nothing, in the caller's transaction:
   * locks the touched lines FOR UPDATE (HARDWARE, then CLOUD), reads their open receivables from the
   * ledger, and refuses with 422 credit-hold or credit-limit-exceeded (naming the line, what is
   * available and the total requested on it), leaving nothing reserved. A (source, line) already
   * reserved is skipped, so a repeat is a no-op. allowOverLimit (renewals) skips both refusals.
   *
   * Two round trips while the lines are locked: one statement locks them (in the fixed order),
   * inserts the reservations not yet made and raises each line's reserved total by what it
   * inserted; then the receivables are read under the locks and each touched line is judged on
   * its position before this call. A refusal takes back exactly what the statement wrote before
   * it is thrown, so nothing stays reserved even for a caller that catches it.
   */
  async reserveCreditMany(
    em: EntityManager,
    resellerId: string,
    items: ReservationItem[],
    opts: { allowOverLimit?: boolean } = {},
  ): Promise<void> {
    if (items.some((i) => i.amount.isNegative() || !i.amount.isFinite())) throw new RangeError('reservation amounts must be ≥ 0');
    const seen = new Set<string>();
    const wanted = items.filter((i) => {
      const key = `${i.source.type}\u0000${i.source.id}\u0000${i.line}`;
      if (!i.amount.gt(0) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (!wanted.length) return;
    const lines = [...new Set(wanted.map((i) => i.line))].sort((a, b) => lockOrder(a) - lockOrder(b));
    // `locked` takes the row locks in the fixed order and answers each line as it stands now; the
    // insert reads it, so no reservation is written before both locks are held.
    const rows = await queryPrepared<LineRow & { added: string; ids: string[] }>(em, RESERVE_CREDIT, [
      resellerId,
      lines,
      wanted.map((i) => i.line),
      wanted.map((i) => i.source.type),
      wanted.map((i) => i.source.id),
      wanted.map((i) => i.amount.toFixed()),
    ]);
    if (rows.length !== lines.length) {
      await this.takeBack(
        em,
        resellerId,
        rows.flatMap((r) => r.ids),
      );
      throw resellerNotFound(resellerId);
    }
    const touched = rows.filter((r) => new Dec(r.added).gt(0));
    if (!touched.length || opts.allowOverLimit) return;

    // Open receivables of the touched lines, read under their locks (one read when they share a currency, as they do).
    const receivables = new Map<string, Dec>();
    for (const currency of new Set(touched.map((row) => row.currency))) {
      const codes = touched.filter((row) => row.currency === currency).map((row) => AR_ACCOUNT[row.line]);
      for (const [code, balance] of await this.ledger.balancesOf(codes, resellerId, currency, em))
        receivables.set(`${code}:${currency}`, balance);
    }
    for (const row of touched) {
      const requested = new Dec(row.added);
      const openReceivables = receivables.get(`${AR_ACCOUNT[row.line]}:${row.currency}`)!;
      const position = creditPosition(new Dec(row.credit_limit), openReceivables, new Dec(row.reserved), new Dec(row.unbilled_usage));
      const verdict = judgeReservation(position, row.on_hold || row.exposure_hold, requested);
      if (verdict.ok) continue;
      await this.takeBack(
        em,
        resellerId,
        rows.flatMap((r) => r.ids),
      );
      const available = moneyString(verdict.available, row.currency);
      const asked = moneyString(requested, row.currency);
      if (verdict.reason === 'hold' && !row.on_hold) {
        // The credit-exposure hold (docs/consumption.md §7): usage, open invoices and reservations reached the limit.
        throw resellerError(
          ResellerErrorCode.CreditHold,
          `The ${row.line} credit line is on a credit-exposure hold: open invoices, reservations and unbilled usage have reached its limit; nothing new can be ordered on it until they fall back`,
          { creditLine: row.line, hold: 'credit-exposure', available, currency: row.currency },
        );
      }
      if (verdict.reason === 'hold') {
        throw resellerError(ResellerErrorCode.CreditHold, `The ${row.line} credit line is on hold; nothing can be reserved on it`, {
          creditLine: row.line,
        });
      }
      throw resellerError(
        ResellerErrorCode.CreditLimitExceeded,
        `The ${row.line} credit line has ${available} ${row.currency} available; this needs ${asked} ${row.currency}`,
        { creditLine: row.line, available, requested: asked, currency: row.currency },
      );
    }
  }

  /** Undoes reservations just written by reserveCreditMany (still under its locks): deletes them and lowers the lines' totals. */
  private async takeBack(em: EntityManager, resellerId: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    await em.query(
      `WITH gone AS (DELETE FROM credit_reservations WHERE id = ANY($2::uuid[]) AND reseller_id = $1 RETURNING line, amount),
            totals AS (SELECT line, sum(amount) AS amount FROM gone GROUP BY line)
       UPDATE credit_lines c SET reserved = c.reserved - t.amount FROM totals t WHERE c.reseller_id = $1 AND c.line = t.line`,
      [resellerId, ids],
    );
  }

  /**
   * Moves `amount` of what `from` holds reserved to a new reservation for `to` on the same credit
   * line, in the caller's transaction: a hardware order line split by a partial shipment. The
   * line's reserved total and available credit do not change. The caller holds what serialises
   * changes to `from` (its order line's row lock). No-op for a zero amount; an error when `from`
   * has less than `amount` open (a bug, not a user error).
   */
  async moveReservation(em: EntityManager, from: Source, to: Source, amount: Dec): Promise<void> {
    if (amount.isNegative() || !amount.isFinite()) throw new RangeError('the amount moved must be ≥ 0');
    if (amount.isZero()) return;
    const moved: Array<{ id: string }> = await em.query(
      `WITH shrunk AS (
         UPDATE credit_reservations SET amount = amount - $3::numeric, remaining = remaining - $3::numeric
          WHERE source_type = $1 AND source_id = $2 AND status = 'OPEN' AND remaining >= $3::numeric
          RETURNING reseller_id, line)
       INSERT INTO credit_reservations (reseller_id, line, source_type, source_id, amount, remaining)
       SELECT reseller_id, line, $4, $5, $3::numeric, $3::numeric FROM shrunk
       RETURNING id`,
      [from.type, from.id, amount.toFixed(), to.type, to.id],
    );
    if (moved.length !== 1) {
      throw new Error(`moveReservation: ${from.type} ${from.id} has no single open reservation of at least ${amount.toFixed()}`);
    }
  }

  /** Frees what remains reserved for `source` (a cancellation). No-op when nothing is. */
  async releaseReservation(em: EntityManager, source: Source): Promise<void> {
    await this.settle(em, source);
  }

  /**
   * Consumes what remains reserved for many sources at once: they were invoiced (a billing run invoices hundreds of charges per
   * reseller). With `resellerId` (all sources are that reseller's: the billing run's case) it takes
   * two round trips: both credit lines locked in the usual order (HARDWARE, then CLOUD), then one
   * statement that settles the open reservations and lowers each line's reserved total. Without
   * it, the open reservations are read first to find which resellers' lines to lock. No-op for
   * sources without an open reservation.
   */
  async consumeReservations(em: EntityManager, sources: Source[], opts: { resellerId?: string } = {}): Promise<void> {
    if (!sources.length) return;
    const types = sources.map((s) => s.type);
    const ids = sources.map((s) => s.id);
    let resellers: Array<[string, CreditLine[]]>;
    if (opts.resellerId) {
      resellers = [[opts.resellerId, [...CREDIT_LINES]]];
    } else {
      const open: Array<{ reseller_id: string; line: CreditLine }> = await em.query(
        `SELECT DISTINCT r.reseller_id, r.line FROM unnest($1::text[], $2::text[]) AS t(source_type, source_id)
           JOIN credit_reservations r ON r.source_type = t.source_type AND r.source_id = t.source_id
          WHERE r.status = 'OPEN'`,
        [types, ids],
      );
      if (!open.length) return;
      const byReseller = new Map<string, CreditLine[]>();
      for (const o of open) byReseller.set(o.reseller_id, [...(byReseller.get(o.reseller_id) ?? []), o.line]);
      resellers = [...byReseller.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    }
    for (const [resellerId, lines] of resellers) {
      // The lines in one statement, locked in the usual order (rows are locked as the sort returns them).
      await queryPrepared(em, LOCK_CREDIT_LINES, [resellerId, [...new Set(lines)]]);
    }
    // `o` is the row as this statement's snapshot saw it (before the update): its remaining amount.
    // Only the locked resellers' reservations are settled (a source of another reseller is left alone).
    await queryPrepared(em, CONSUME_RESERVATIONS, [types, ids, resellers.map(([r]) => r)]);
  }

  /** Reservations of these sources, keyed `${type}:${id}`. */
  async reservationsFor(sources: Source[], em: EntityManager = this.db.manager): Promise<Map<string, ReservationState[]>> {
    const out = new Map<string, ReservationState[]>();
    if (!sources.length) return out;
    const rows: Array<{
      source_type: string;
      source_id: string;
      line: CreditLine;
      amount: string;
      remaining: string;
      status: ReservationState['status'];
    }> = await em.query(
      `SELECT source_type, source_id, line, amount, remaining, status FROM credit_reservations
          WHERE (source_type, source_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [sources.map((s) => s.type), sources.map((s) => s.id)],
    );
    for (const r of rows) {
      const key = `${r.source_type}:${r.source_id}`;
      out.set(key, [
        ...(out.get(key) ?? []),
        { line: r.line, amount: new Dec(r.amount), remaining: new Dec(r.remaining), status: r.status },
      ]);
    }
    return out;
  }

  /** Releases `source`'s open reservations and frees what remained of them on the lines. */
  private async settle(em: EntityManager, source: Source): Promise<void> {
    const open: Array<{ reseller_id: string; line: CreditLine }> = await em.query(
      `SELECT reseller_id, line FROM credit_reservations WHERE source_type = $1 AND source_id = $2 AND status = 'OPEN'`,
      [source.type, source.id],
    );
    if (!open.length) return;
    // Same lock order as reservations: the lines first, HARDWARE then CLOUD.
    const byReseller = new Map<string, CreditLine[]>();
    for (const o of open) byReseller.set(o.reseller_id, [...(byReseller.get(o.reseller_id) ?? []), o.line]);
    for (const [resellerId, lines] of [...byReseller.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      await this.lockLines(
        em,
        resellerId,
        [...new Set(lines)].sort((a, b) => lockOrder(a) - lockOrder(b)),
      );
    }
    // An UPDATE through TypeORM's query() answers [rows, rowCount].
    const [settled]: [Array<{ reseller_id: string; line: CreditLine; remaining: string }>, number] = await em.query(
      `WITH old AS (
         SELECT id, remaining FROM credit_reservations
          WHERE source_type = $1 AND source_id = $2 AND status = 'OPEN' FOR UPDATE)
       UPDATE credit_reservations c SET status = 'RELEASED', remaining = 0, settled_at = now()
         FROM old WHERE c.id = old.id AND c.status = 'OPEN'
       RETURNING c.reseller_id, c.line, old.remaining`,
      [source.type, source.id],
    );
    for (const s of settled) {
      if (new Dec(s.remaining).isZero()) continue;
      await em.query(`UPDATE credit_lines SET reserved = reserved - $3::numeric, updated_at = now() WHERE reseller_id = $1 AND line = $2`, [
        s.reseller_id,
        s.line,
        s.remaining,
      ]);
    }
  }

  /** Locks the reseller's `lines` in one statement, in the fixed order (HARDWARE, then CLOUD). */
  private async lockLines(em: EntityManager, resellerId: string, lines: CreditLine[]): Promise<LineRow[]> {
    const rows: LineRow[] = await em.query(
      `SELECT ${LINE_COLUMNS} FROM credit_lines WHERE reseller_id = $1 AND line = ANY($2::text[])
        ORDER BY CASE line WHEN 'HARDWARE' THEN 0 ELSE 1 END FOR UPDATE`,
      [resellerId, lines],
    );
    if (rows.length !== new Set(lines).size) throw resellerNotFound(resellerId);
    return rows;
  }
}

function resellerNotFound(id: string) {
  return resellerError(ResellerErrorCode.ResellerNotFound, `Reseller ${id} was not found`);
}
