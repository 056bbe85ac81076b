// Owns usage_imports and usage_import_rejections; runs an import's staging, checks and records (usage_records) in one transaction.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'stream';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Clock, csvText, ProblemError, validationError } from '#disty/core';
import { ConsumptionCatalogService } from '#disty/catalog';
import { LedgerService } from '#disty/ledger';
import { VendorService } from '#disty/purchasing';
import { lineProblem } from './domain/line-checks';
import { UsageImportView } from './dto/usage-import.dto';
import { usageError, UsageErrorCode } from './errors';
import { readUsageFile, UsageFileError, UsageFormat } from './usage-file.reader';
import { UsageRatingService } from './usage-rating.service';
import {
  CHECK_LINES, CORRECTED_MONTHS, COUNT_ACCEPTED, CREATE_REFS, CREATE_SETS, CREATE_STAGE, INSERT_REF_COSTS, INSERT_REF_METERS,
  INSERT_REF_TIERS, INSERT_REJECTIONS, INSERT_STAGE, ImportRow, MATCH_CURRENT, NEW_SETS, REJECT_CLOSED_CORRECTIONS, SUPERSEDE,
} from './usage.sql';

/** Lines staged per INSERT (one round trip each). */
const BATCH = 10_000;
/**
 * Transaction-scoped advisory locks (docs/consumption.md, "How an import runs"): one per vendor
 * (its imports match records one at a time) and one per reseller (rating, posting and billing a
 * reseller's usage one at a time), taken vendor first, then resellers in id order.
 */
export const VENDOR_LOCK = `SELECT pg_advisory_xact_lock(hashtext('disty:usage-vendor:' || $1))`;
export const RESELLER_LOCK = `SELECT pg_advisory_xact_lock(hashtext('disty:usage-reseller:' || $1))`;
const LOCK_RESELLERS = `
  SELECT count(pg_advisory_xact_lock(hashtext('disty:usage-reseller:' || r.reseller_id)))::int AS n
    FROM (SELECT DISTINCT reseller_id FROM (
            SELECT reseller_id FROM usage_checked WHERE reseller_id IS NOT NULL
            UNION SELECT cur.reseller_id FROM usage_accepted a JOIN usage_records cur ON cur.id = a.current_id) x
           ORDER BY reseller_id) r`;

/**
 * Usage imports (docs/consumption.md): a vendor's usage file is streamed into a temporary staging
 * table in batches (never whole in memory), then checked, matched against the vendor's current
 * records, recorded, rated and posted set-based, all in one transaction: an import takes effect
 * whole or not at all. Progress (lines read) is written beside it as it goes.
 */
@Injectable()
export class UsageImportService {
  private readonly logger = new Logger('UsageImportService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly vendors: VendorService,
    private readonly catalog: ConsumptionCatalogService,
    private readonly ledger: LedgerService,
    private readonly rating: UsageRatingService,
    private readonly clock: Clock,
  ) {}

  async import(input: Readable, opts: { vendorId: string; format: UsageFormat; fileName?: string; createdBy: string | null }): Promise<UsageImportView> {
    const vendor = await this.vendors.get(opts.vendorId).catch((e: unknown) => {
      if (e instanceof ProblemError && e.status === 404) throw usageError(UsageErrorCode.UnknownVendor, `Vendor ${opts.vendorId} is not known`, { field: 'vendorId' });
      throw e;
    });
    const [{ id }]: Array<{ id: string }> = await this.db.query(
      `INSERT INTO usage_imports (vendor_id, format, file_name, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
      [vendor.id, opts.format, opts.fileName ?? null, opts.createdBy],
    );
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      // jit off: short set-based statements; work_mem for the month's running-volume sort of a large file.
      await qr.query(`SET LOCAL jit = off`);
      await qr.query(`SET LOCAL work_mem = '128MB'`);
      await this.stage(qr, id, input, opts.format);
      await this.db.query(`UPDATE usage_imports SET status = 'RATING' WHERE id = $1`, [id]);
      await qr.query(VENDOR_LOCK, [vendor.id]);
      await this.record(qr.manager, id, vendor.id, vendor.name);
      await qr.commitTransaction();
    } catch (e) {
      await qr.rollbackTransaction().catch(() => undefined);
      if (e instanceof UsageFileError || (e instanceof ProblemError && e.status < 500)) {
        // The file is refused whole: nothing of it stays, not even its import.
        await this.db.query(`DELETE FROM usage_imports WHERE id = $1`, [id]);
        if (e instanceof UsageFileError) throw validationError(e.message, [{ field: 'file', message: e.message }]);
        throw e;
      }
      this.logger.error({ err: e, importId: id }, 'usage import failed');
      await this.db.query(`UPDATE usage_imports SET status = 'FAILED', error = $2, completed_at = now() WHERE id = $1`, [
        id, e instanceof Error ? e.message.slice(0, 1000) : String(e),
      ]);
      throw e;
    } finally {
      await qr.release();
    }
    return this.get(id);
  }

  /**
   * Reads the file into `usage_stage`, BATCH lines per statement (one JSON parameter), each line with the result of its
   * own checks (domain/line-checks.ts; closed months asked of the ledger once per month), and
   * reports lines read as it goes.
   */
  private async stage(qr: QueryRunner, importId: string, input: Readable, format: UsageFormat): Promise<void> {
    await qr.query(CREATE_STAGE);
    const today = this.clock.today();
    const closedMonths = new Map<string, boolean>();
    let batch: Array<Record<string, string | number | null>> = [];
    let read = 0;
    // One batch is written while the next is read: parsing and the database overlap.
    let writing: Promise<unknown> = Promise.resolve();
    const flush = async () => {
      await writing;
      if (!batch.length) return;
      const json = JSON.stringify(batch);
      read += batch.length;
      const done = read;
      batch = [];
      writing = qr.query(INSERT_STAGE, [json]).then(() => this.db.query(`UPDATE usage_imports SET rows_read = $2 WHERE id = $1`, [importId, done]));
      writing.catch(() => undefined); // handled: the next flush (or the end) awaits it and throws
    };
    try {
      for await (const r of readUsageFile(input, format)) {
        const month = r.usageDate && /^\d{4}-\d{2}-\d{2}$/.test(r.usageDate) ? r.usageDate.slice(0, 7) : null;
        if (month && !closedMonths.has(month)) closedMonths.set(month, (await this.closedMonths(this.db.manager, [month])).length > 0);
        const p = lineProblem(r, today, (m) => closedMonths.get(m) ?? false);
        batch.push({
          line_no: r.lineNo, record_id: r.recordId, version: p ? null : Number(r.recordVersion ?? 1), tenant_id: r.tenantId, meter_id: r.meterId,
          usage_date: p ? null : r.usageDate, quantity: p ? null : r.quantity, unit: r.unit, unit_cost: p ? null : r.unitCost,
          currency: r.currency?.toUpperCase() ?? null, reason: p?.reason ?? null, detail: p?.detail ?? null,
        });
        if (batch.length >= BATCH) await flush();
      }
      await flush();
    } finally {
      await writing.catch(() => undefined);
    }
    await writing;
    await qr.query(`ANALYZE usage_stage`);
  }

  /**
   * Checks every staged line set-based, records rejections, matches the rest against the vendor's
   * current records (duplicates change nothing; a higher version supersedes the current one),
   * records the new versions, then re-rates and posts the affected months (UsageRatingService).
   */
  private async record(em: EntityManager, importId: string, vendorId: string, vendorName: string): Promise<void> {
    for (const sql of CREATE_REFS) await em.query(sql);
    const meters = await this.catalog.vendorMeters(vendorId, em);
    await em.query(INSERT_REF_METERS, [meters.map((m) => m.id), meters.map((m) => m.meterId), meters.map((m) => m.sku), meters.map((m) => m.unit)]);
    const tiers = meters.flatMap((m) => [...m.tiers.entries()].flatMap(([currency, ts]) => ts.map((t) => ({ meter: m.id, currency, ...t }))));
    await em.query(INSERT_REF_TIERS, [
      tiers.map((t) => t.meter), tiers.map((t) => t.currency), tiers.map((t) => t.from.toFixed()), tiers.map((t) => t.to?.toFixed() ?? null),
      tiers.map((t) => t.unitPrice.toFixed()),
    ]);
    const costs = meters.flatMap((m) => [...m.costs.entries()].map(([currency, cost]) => ({ meter: m.id, currency, cost })));
    await em.query(INSERT_REF_COSTS, [costs.map((c) => c.meter), costs.map((c) => c.currency), costs.map((c) => c.cost.toFixed())]);

    await em.query(CHECK_LINES, [vendorId]);
    await em.query(INSERT_REJECTIONS, [importId]);
    await em.query(MATCH_CURRENT, [vendorId]);
    await em.query(LOCK_RESELLERS);
    const correctedClosed = await this.closedMonths(em, ((await em.query(CORRECTED_MONTHS)) as Array<{ month: string }>).map((r) => r.month));
    if (correctedClosed.length) await em.query(REJECT_CLOSED_CORRECTIONS, [importId, correctedClosed]);
    const [counts]: Array<{ new: number; corrected: number; duplicate: number }> = await em.query(COUNT_ACCEPTED);
    const [{ rejected, read }]: Array<{ rejected: number; read: number }> = await em.query(
      `SELECT (SELECT count(*)::int FROM usage_import_rejections WHERE import_id = $1) AS rejected, (SELECT count(*)::int FROM usage_stage) AS read`,
      [importId],
    );

    await em.query(CREATE_SETS);
    await em.query(SUPERSEDE);
    await em.query(NEW_SETS);
    await this.rating.rateRecordAndPost(em, vendorId, importId, vendorName);

    await em.query(
      `UPDATE usage_imports SET status = 'COMPLETED', completed_at = now(), rows_read = $2, rows_accepted = $3, rows_corrected = $4,
              rows_rejected = $5, rows_duplicate = $6
        WHERE id = $1`,
      [importId, read, counts.new + counts.corrected, counts.corrected, rejected, counts.duplicate],
    );
  }

  /** The months (YYYY-MM) among `months` that the ledger has closed. */
  private async closedMonths(em: EntityManager, months: string[]): Promise<string[]> {
    const closed: string[] = [];
    for (const m of months) if ((await this.ledger.postingDateFor(`${m}-01`, em)) !== `${m}-01`) closed.push(m);
    return closed;
  }

  async get(id: string): Promise<UsageImportView> {
    const [r]: ImportRow[] = await this.db.query(`SELECT * FROM usage_imports WHERE id = $1`, [id]);
    if (!r) throw usageError(UsageErrorCode.NotFound, `Usage import ${id} was not found`);
    return {
      id: r.id, vendorId: r.vendor_id, format: r.format as UsageFormat, fileName: r.file_name, status: r.status as UsageImportView['status'],
      rowsRead: r.rows_read, rowsAccepted: r.rows_accepted, rowsCorrected: r.rows_corrected, rowsRejected: r.rows_rejected,
      rowsDuplicate: r.rows_duplicate, error: r.error, createdAt: r.created_at.toISOString(), completedAt: r.completed_at?.toISOString() ?? null,
    };
  }

  /** The import's rejected lines in line order, a page at a time. */
  async rejections(id: string, q: { page: number; pageSize: number }) {
    await this.get(id);
    const [{ total }]: Array<{ total: number }> = await this.db.query(`SELECT count(*)::int AS total FROM usage_import_rejections WHERE import_id = $1`, [id]);
    const rows: Array<{ line_no: number; record_id: string | null; reason: string; detail: string }> = await this.db.query(
      `SELECT line_no, record_id, reason, detail FROM usage_import_rejections WHERE import_id = $1 ORDER BY line_no LIMIT $2 OFFSET $3`,
      [id, q.pageSize, (q.page - 1) * q.pageSize],
    );
    return { items: rows.map((r) => ({ lineNo: r.line_no, recordId: r.record_id, reason: r.reason, detail: r.detail })), total, page: q.page, pageSize: q.pageSize };
  }

  /** Every rejected line, read in batches (the CSV download). */
  async *rejectionRows(id: string): AsyncGenerator<Record<string, string | number | null>> {
    await this.get(id);
    let after = 0;
    for (;;) {
      const rows: Array<{ line_no: number; record_id: string | null; reason: string; detail: string }> = await this.db.query(
        `SELECT line_no, record_id, reason, detail FROM usage_import_rejections WHERE import_id = $1 AND line_no > $2 ORDER BY line_no LIMIT 1000`,
        [id, after],
      );
      if (!rows.length) return;
      for (const r of rows) yield { line: r.line_no, recordId: csvText(r.record_id), reason: r.reason, detail: csvText(r.detail) };
      after = rows[rows.length - 1].line_no;
    }
  }
}
