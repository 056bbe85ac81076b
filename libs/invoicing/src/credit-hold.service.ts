import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CreditLine, retryOnConflict } from '#disty/core';
import { lockReceivables } from '#disty/ledger';
import { CreditExposureService } from '#disty/credit-exposure';
import { ResellerService } from '#disty/reseller';
import { CreditHoldChangeView, CreditHoldRunView } from './dto/invoice.dto';
import { OverdueRow } from './invoicing.sql';

/**
 * Credit holds from overdue invoices: a credit line goes on hold when an invoice with an open
 * amount on that line is more than CREDIT_HOLD_DAYS_OVERDUE days past due, and comes off when no
 * such invoice remains (checked by the daily job, and at once when a payment or credit note
 * clears the reseller). Holds this job placed are recorded (credit_holds), so it only ever lifts
 * its own holds' reason; the flag itself is ResellerService's (orders on a held line get 422
 * credit-hold there).
 */
@Injectable()
export class CreditHoldService {
  private readonly logger = new Logger('CreditHoldService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly resellers: ResellerService,
    private readonly config: ConfigService,
    private readonly exposure: CreditExposureService,
  ) {}

  daysOverdue(): number {
    const v = Number(this.config.get('CREDIT_HOLD_DAYS_OVERDUE') ?? 30);
    return Number.isInteger(v) && v >= 0 ? v : 30;
  }

  /** Lines overdue as of `asOf`: one row per (reseller, line) with its oldest overdue invoice. */
  private async overdue(em: EntityManager, asOf: string, resellerId: string | null): Promise<OverdueRow[]> {
    return em.query(
      `SELECT DISTINCT ON (reseller_id, credit_line) reseller_id, credit_line, invoice_id FROM (
         SELECT reseller_id, 'HARDWARE' AS credit_line, id AS invoice_id, due_date FROM invoices
          WHERE hardware_open > 0 AND due_date < $1::date - $2::int AND ($3::uuid IS NULL OR reseller_id = $3::uuid)
         UNION ALL
         SELECT reseller_id, 'CLOUD', id, due_date FROM invoices
          WHERE cloud_open > 0 AND due_date < $1::date - $2::int AND ($3::uuid IS NULL OR reseller_id = $3::uuid)) o
       ORDER BY reseller_id, credit_line, due_date, invoice_id`,
      [asOf, this.daysOverdue(), resellerId],
    );
  }

  /** The job: place holds that are due, lift those whose reason is gone. Safe to run concurrently. */
  async run(asOf: string, resellerId: string | null = null): Promise<CreditHoldRunView> {
    const overdue = await this.overdue(this.db.manager, asOf, resellerId);
    const active: Array<{ id: string; reseller_id: string; credit_line: CreditLine; invoice_id: string }> = await this.db.query(
      `SELECT id, reseller_id, credit_line, invoice_id FROM credit_holds
        WHERE released_at IS NULL AND ($1::uuid IS NULL OR reseller_id = $1::uuid)`,
      [resellerId],
    );
    const key = (r: { reseller_id: string; credit_line: CreditLine }) => `${r.reseller_id}|${r.credit_line}`;
    const activeKeys = new Set(active.map(key));
    const overdueKeys = new Set(overdue.map(key));
    const placed: CreditHoldChangeView[] = [];
    const released: CreditHoldChangeView[] = [];
    for (const o of overdue.filter((r) => !activeKeys.has(key(r)))) {
      const done = await retryOnConflict(() =>
        this.db.transaction(async (em) => {
          await lockReceivables(em, o.reseller_id);
          // Re-checked under the reseller's lock: a payment may have cleared it meanwhile.
          const still = (await this.overdue(em, asOf, o.reseller_id)).some((r) => r.credit_line === o.credit_line);
          if (!still) return false;
          const rows: unknown[] = await em.query(
            `INSERT INTO credit_holds (reseller_id, credit_line, invoice_id, placed_on) VALUES ($1, $2, $3, $4)
             ON CONFLICT (reseller_id, credit_line) WHERE released_at IS NULL DO NOTHING RETURNING id`,
            [o.reseller_id, o.credit_line, o.invoice_id, asOf],
          );
          if (rows.length) await this.resellers.setHold(em, o.reseller_id, o.credit_line, true);
          return rows.length > 0;
        }),
      );
      if (done) placed.push({ resellerId: o.reseller_id, creditLine: o.credit_line, invoiceId: o.invoice_id });
    }
    for (const a of active.filter((r) => !overdueKeys.has(key(r)))) {
      const done = await retryOnConflict(() =>
        this.db.transaction(async (em) => {
          await lockReceivables(em, a.reseller_id);
          return (await this.releaseCleared(em, a.reseller_id, asOf)).some((r) => r.creditLine === a.credit_line);
        }),
      );
      if (done) released.push({ resellerId: a.reseller_id, creditLine: a.credit_line, invoiceId: a.invoice_id });
    }
    if (placed.length || released.length) {
      this.logger.log(`credit holds as of ${asOf}: ${placed.length} placed, ${released.length} released`);
    }
    return { asOf, daysOverdue: this.daysOverdue(), placed, released };
  }

  /**
   * Lifts, in the caller's transaction, the reseller's holds whose lines have no invoice overdue
   * any more (after a payment or a credit note). The caller holds the reseller's lock.
   */
  async releaseCleared(em: EntityManager, resellerId: string, asOf: string): Promise<CreditHoldChangeView[]> {
    // Receivables fell: the CLOUD line's credit exposure is re-evaluated, its exposure hold lifted if it fell back (docs/consumption.md §7).
    await this.exposure.evaluateIn(em, resellerId);
    const active: Array<{ id: string; credit_line: CreditLine; invoice_id: string }> = await em.query(
      `SELECT id, credit_line, invoice_id FROM credit_holds WHERE reseller_id = $1 AND released_at IS NULL FOR UPDATE`,
      [resellerId],
    );
    if (!active.length) return [];
    const still = new Set((await this.overdue(em, asOf, resellerId)).map((o) => o.credit_line));
    const out: CreditHoldChangeView[] = [];
    for (const a of active.filter((h) => !still.has(h.credit_line))) {
      await em.query(`UPDATE credit_holds SET released_on = $2, released_at = now() WHERE id = $1`, [a.id, asOf]);
      await this.resellers.setHold(em, resellerId, a.credit_line, false);
      out.push({ resellerId, creditLine: a.credit_line, invoiceId: a.invoice_id });
    }
    return out;
  }
}
