// Owns usage_imports and usage_import_rejections; runs an import's staging, checks and records (usage_records) in one transaction.
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, csvText, CURRENCIES, Dec, ProblemError, validationError } from '#disty/core';
import { ConsumptionCatalogService } from '#disty/catalog';
import { LedgerService } from '#disty/ledger';
import { VendorService } from '#disty/purchasing';
import { UsageImportView } from './dto/usage-import.dto';
import { usageError, UsageErrorCode } from './errors';
import { UsageCopyTransform, UsageFileError, UsageFormat } from './usage-file.reader';
import { UsageRatingService } from './usage-rating.service';
import { StepTimes } from './step-times';
import {
  checkLines,
  COPY_STAGE,
  CORRECTED_MONTHS,
  COUNT_ACCEPTED,
  CREATE_REFS,
  CREATE_SETS,
  CREATE_STAGE,
  INSERT_REF_COSTS,
  INSERT_REF_METERS,
  INSERT_REF_TIERS,
  INSERT_REJECTIONS,
  ImportRow,
  MATCH_CURRENT,
  NEW_SETS,
  RANK_REPEATED,
  REJECT_CLOSED_CORRECTIONS,
  SUPERSEDE,
} from './usage.sql';

const SUPPORTED: ReadonlySet<string> = new Set(CURRENCIES);
/** How often the progress of the staging (bytes and lines) is written, in ms. */
const PROGRESS_EVERY = 500;
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
 * Usage imports (docs/consumption.md, "How an import runs"): a vendor's usage file is streamed
 * (never whole in memory) through UsageCopyTransform into COPY … FROM STDIN of a temporary staging
 * table, then checked, matched against the vendor's current records, recorded, rated and posted in
 * a few set-based statements, all in one transaction: an import takes effect whole or not at all.
 * Progress (bytes and lines staged, then the phase) is written beside it as it goes.
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

  async import(
    input: Readable,
    opts: { vendorId: string; format: UsageFormat; fileName?: string; createdBy: string | null },
  ): Promise<UsageImportView> {
    const vendor = await this.vendors.get(opts.vendorId).catch((e: unknown) => {
      if (e instanceof ProblemError && e.status === 404)
        throw usageError(UsageErrorCode.UnknownVendor, `Vendor ${opts.vendorId} is not known`, {
          field: 'vendorId',
        });
      throw e;
    });
    const [{ id }]: Array<{ id: string }> = await this.db.query(
      `INSERT INTO usage_imports (vendor_id, format, file_name, created_by, phase) VALUES ($1, $2, $3, $4, 'staging') RETURNING id`,
      [vendor.id, opts.format, opts.fileName ?? null, opts.createdBy],
    );
    const times = new StepTimes();
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      // jit off: short set-based statements; work_mem for the month's running-volume sort of a large file.
      await qr.query(`SET LOCAL jit = off`);
      await qr.query(`SET LOCAL work_mem = '256MB'`);
      const staged = await this.stage((await qr.connect()) as PoolClient, qr.manager, id, input, opts.format, times);
      await this.phase(id, 'checking', 'RATING');
      await qr.query(VENDOR_LOCK, [vendor.id]);
      times.lap('lock-vendor');
      await this.record(qr.manager, id, vendor.id, vendor.name, staged, times);
      await qr.commitTransaction();
      times.lap('commit');
      this.logger.debug(`usage import ${id}: ms per step ${JSON.stringify(times.ms)}`);
      await this.db.query(`UPDATE usage_imports SET phase_ms = $2 WHERE id = $1`, [id, JSON.stringify(times.rounded())]);
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
        id,
        e instanceof Error ? e.message.slice(0, 1000) : String(e),
      ]);
      throw e;
    } finally {
      await qr.release();
    }
    return this.get(id);
  }

  /**
   * Streams the file into `usage_stage` by COPY (UsageCopyTransform turns CSV or JSON lines into
   * COPY's CSV, each line checked on the way), writing the bytes and lines staged every
   * PROGRESS_EVERY ms meanwhile; returns the number of lines staged (each line the transform writes
   * is one row) and the months of the lines whose date passed its checks.
   */
  private async stage(
    client: PoolClient,
    em: EntityManager,
    importId: string,
    input: Readable,
    format: UsageFormat,
    times: StepTimes,
  ): Promise<{ rows: number; months: string[] }> {
    await em.query(CREATE_STAGE);
    const transform = new UsageCopyTransform(format, { today: this.clock.today(), currencies: SUPPORTED });
    let writing: Promise<unknown> = Promise.resolve();
    const progress = () => {
      writing = writing
        .then(() =>
          this.db.query(`UPDATE usage_imports SET rows_read = $2, bytes_read = $3 WHERE id = $1`, [
            importId,
            transform.rows,
            transform.bytes,
          ]),
        )
        .catch((e: unknown) => this.logger.warn(`usage import ${importId}: progress not written: ${(e as Error).message}`));
    };
    const timer = setInterval(progress, PROGRESS_EVERY);
    try {
      await pipeline(input, transform, client.query(copyFrom(COPY_STAGE)));
    } finally {
      clearInterval(timer);
      progress();
      await writing;
    }
    times.lap('staging');
    return { rows: transform.rows, months: [...transform.months].sort() };
  }

  /** Writes the import's phase (and status), outside its transaction, for GET /usage/imports/:id. */
  private async phase(importId: string, phase: string, status?: 'RATING'): Promise<void> {
    await this.db.query(`UPDATE usage_imports SET phase = $2, status = coalesce($3, status) WHERE id = $1`, [
      importId,
      phase,
      status ?? null,
    ]);
  }

  /**
   * Checks every staged line set-based, records rejections, matches the rest against the vendor's
   * current records (duplicates change nothing; a higher version supersedes the current one),
   * records the new versions, then re-rates and posts the affected months (UsageRatingService).
   */
  private async record(
    em: EntityManager,
    importId: string,
    vendorId: string,
    vendorName: string,
    staged: { rows: number; months: string[] },
    times: StepTimes,
  ): Promise<void> {
    for (const sql of CREATE_REFS) await em.query(sql);
    const meters = await this.catalog.vendorMeters(vendorId, em);
    await em.query(INSERT_REF_METERS, [
      meters.map((m) => m.id),
      meters.map((m) => m.meterId),
      meters.map((m) => m.sku),
      meters.map((m) => m.unit),
    ]);
    // Each tier with `cum`, the price of the units below it (the tiers run from 0, contiguous, the last one open).
    const tiers = meters.flatMap((m) =>
      [...m.tiers.entries()].flatMap(([currency, ts]) => {
        let cum = new Dec(0);
        return [...ts]
          .sort((a, b) => a.from.comparedTo(b.from))
          .map((t) => {
            const tier = { meter: m.id, currency, ...t, cum };
            cum = t.to ? cum.plus(t.to.minus(t.from).times(t.unitPrice)) : cum;
            return tier;
          });
      }),
    );
    await em.query(INSERT_REF_TIERS, [
      tiers.map((t) => t.meter),
      tiers.map((t) => t.currency),
      tiers.map((t) => t.from.toFixed()),
      tiers.map((t) => t.to?.toFixed() ?? null),
      tiers.map((t) => t.unitPrice.toFixed()),
      tiers.map((t) => t.cum.toFixed()),
    ]);
    const costs = meters.flatMap((m) => [...m.costs.entries()].map(([currency, cost]) => ({ meter: m.id, currency, cost })));
    await em.query(INSERT_REF_COSTS, [costs.map((c) => c.meter), costs.map((c) => c.currency), costs.map((c) => c.cost.toFixed())]);
    // A few rows each: known so, the planner joins a million lines to them by hash.
    await em.query(`ANALYZE usage_ref_meters, usage_ref_tiers, usage_ref_costs`);
    times.lap('references');

    const closed = await this.closedMonths(em, staged.months);
    times.lap('months');
    await em.query(checkLines(closed.length > 0), closed.length ? [vendorId, closed] : [vendorId]);
    times.lap('check-lines');
    // Fresh temporary tables have no statistics: without them the planner takes a million accepted lines
    // for a few hundred. Only the columns the next statements filter or group on (each column costs a sort of the sample).
    await em.query(`ANALYZE usage_checked (reason, record_id)`);
    times.lap('analyze-checked');
    await em.query(INSERT_REJECTIONS, [importId]);
    times.lap('rejections');
    await this.phase(importId, 'matching');
    await em.query(RANK_REPEATED);
    await em.query(`ANALYZE usage_repeated`);
    await em.query(MATCH_CURRENT, [vendorId]);
    times.lap('match');
    await em.query(`ANALYZE usage_accepted (rn, current_id, version, current_version)`);
    times.lap('analyze-accepted');
    await em.query(LOCK_RESELLERS);
    times.lap('lock-resellers');
    const correctedClosed = await this.closedMonths(
      em,
      ((await em.query(CORRECTED_MONTHS)) as Array<{ month: string }>).map((r) => r.month),
    );
    if (correctedClosed.length) await em.query(REJECT_CLOSED_CORRECTIONS, [importId, correctedClosed]);
    const [counts]: Array<{ new: number; corrected: number; duplicate: number }> = await em.query(COUNT_ACCEPTED);
    const [{ rejected }]: Array<{ rejected: number }> = await em.query(
      `SELECT count(*)::int AS rejected FROM usage_import_rejections WHERE import_id = $1`,
      [importId],
    );
    times.lap('corrections-and-counts');

    await em.query(CREATE_SETS);
    await em.query(SUPERSEDE);
    await em.query(NEW_SETS);
    times.lap('sets');
    await this.phase(importId, 'rating');
    await this.rating.rateRecordAndPost(em, vendorId, importId, vendorName, (p) => this.phase(importId, p), times);

    await em.query(
      `UPDATE usage_imports SET status = 'COMPLETED', phase = NULL, completed_at = now(), rows_read = $2, rows_accepted = $3, rows_corrected = $4,
              rows_rejected = $5, rows_duplicate = $6
        WHERE id = $1`,
      [importId, staged.rows, counts.new + counts.corrected, counts.corrected, rejected, counts.duplicate],
    );
    times.lap('complete');
  }

  /** The months (YYYY-MM) among `months` that the ledger has closed. */
  private async closedMonths(em: EntityManager, months: string[]): Promise<string[]> {
    const closed: string[] = [];
    for (const m of months) if ((await this.ledger.postingDateFor(`${m}-01`, em)) !== `${m}-01`) closed.push(m);
    return closed;
  }

  /** The import (and its progress); `createdBy`: only if that identity made it (else a 404). */
  async get(id: string, createdBy: string | null = null): Promise<UsageImportView> {
    const [r]: ImportRow[] = await this.db.query(
      `SELECT *, bytes_read::float8 AS bytes FROM usage_imports WHERE id = $1 AND ($2::uuid IS NULL OR created_by = $2)`,
      [id, createdBy],
    );
    if (!r) throw usageError(UsageErrorCode.NotFound, `Usage import ${id} was not found`);
    return {
      id: r.id,
      vendorId: r.vendor_id,
      format: r.format as UsageFormat,
      fileName: r.file_name,
      status: r.status as UsageImportView['status'],
      phase: r.phase as UsageImportView['phase'],
      bytesRead: r.bytes,
      rowsRead: r.rows_read,
      rowsAccepted: r.rows_accepted,
      rowsCorrected: r.rows_corrected,
      rowsRejected: r.rows_rejected,
      rowsDuplicate: r.rows_duplicate,
      error: r.error,
      createdAt: r.created_at.toISOString(),
      completedAt: r.completed_at?.toISOString() ?? null,
    };
  }

  /** The import's rejected lines in line order, a page at a time. */
  async rejections(id: string, q: { page: number; pageSize: number }) {
    await this.get(id);
    const [{ total }]: Array<{ total: number }> = await this.db.query(
      `SELECT count(*)::int AS total FROM usage_import_rejections WHERE import_id = $1`,
      [id],
    );
    const rows: Array<{ line_no: number; record_id: string | null; reason: string; detail: string }> = await this.db.query(
      `SELECT line_no, record_id, reason, detail FROM usage_import_rejections WHERE import_id = $1 ORDER BY line_no LIMIT $2 OFFSET $3`,
      [id, q.pageSize, (q.page - 1) * q.pageSize],
    );
    return {
      items: rows.map((r) => ({
        lineNo: r.line_no,
        recordId: r.record_id,
        reason: r.reason,
        detail: r.detail,
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
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
      for (const r of rows)
        yield {
          line: r.line_no,
          recordId: csvText(r.record_id),
          reason: r.reason,
          detail: csvText(r.detail),
        };
      after = rows[rows.length - 1].line_no;
    }
  }
}
