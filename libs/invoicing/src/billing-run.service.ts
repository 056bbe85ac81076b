// Owns billing_runs and billing_run_resellers: a run's work list, its workers, progress and resumption (one reseller's invoice: ConsolidatedInvoiceService).
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, idempotentTransaction, notFound, queryPrepared, retryOnConflict, validationError } from '#disty/core';
import { ResellerService } from '#disty/reseller';
import { BillingRunLease } from './billing-run.lease';
import { ConsolidatedInvoiceService } from './consolidated-invoice.service';
import { BillingRunAccepted, BillingRunStatus, BillingRunView } from './dto/invoice.dto';
import { invoicingError, InvoicingErrorCode } from './errors';
import { CLAIM_NEXT_RESELLER, RunRow } from './invoicing.sql';

export const DEFAULT_BILLING_CONCURRENCY = 4;

export interface ProcessOptions {
  concurrency?: number;
  /** Called after each reseller with the run's progress. */
  onProgress?: (view: BillingRunView) => void;
}

type Outcome = 'billed' | 'empty' | 'failed' | 'none';

/**
 * Billing runs. A run is unique per period end and carries its work list (one row per reseller).
 * Processing bills one reseller per transaction: the reseller's row is claimed with FOR UPDATE
 * SKIP LOCKED (so several workers share the list) and marked DONE in the same transaction that
 * issues the invoice, so a run killed at any point resumes with exactly the resellers not yet
 * billed. A processing worker holds the run's lease (BillingRunLease: an advisory lock and a
 * heartbeat): a run whose worker died (its connection closed, the lock freed) is resumed by the
 * next POST for its period, the CLI or the scheduler; a run whose worker is alive is left to it.
 */
@Injectable()
export class BillingRunService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('BillingRunService');
  private readonly active = new Map<string, Promise<BillingRunView | null>>();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly resellers: ResellerService,
    private readonly clock: Clock,
    private readonly consolidated: ConsolidatedInvoiceService,
  ) {}

  /**
   * Creates the run for `periodEnd` with its work list (every reseller known now), or returns the
   * existing run for that period. Nothing is billed here: see process().
   */
  async start(periodEnd: string, createdBy: string | null): Promise<{ run: BillingRunView; created: boolean }> {
    if (periodEnd > this.clock.today()) {
      throw validationError('periodEnd cannot be in the future: invoices are issued on it', [
        { field: 'periodEnd', message: `must be on or before ${this.clock.today()}` },
      ]);
    }
    await this.assertInDateOrder(periodEnd);
    // With an Idempotency-Key, the run's creation and the key's response commit together.
    return retryOnConflict(() =>
      idempotentTransaction(
        this.db,
        async (em) => {
          const rows: Array<{ id: string }> = await em.query(
            `INSERT INTO billing_runs (period_end, created_by) VALUES ($1, $2) ON CONFLICT (period_end) DO NOTHING RETURNING id`,
            [periodEnd, createdBy],
          );
          if (rows.length) {
            const ids = await this.resellers.listResellerIds(em);
            await em.query(`INSERT INTO billing_run_resellers (run_id, reseller_id) SELECT $1, unnest($2::uuid[])`, [rows[0].id, ids]);
            await em.query(`UPDATE billing_runs SET resellers_total = $2 WHERE id = $1`, [rows[0].id, ids.length]);
          }
          const id =
            rows[0]?.id ??
            (
              (await em.query(`SELECT id FROM billing_runs WHERE period_end = $1`, [periodEnd])) as Array<{
                id: string;
              }>
            )[0].id;
          return { run: await this.get(id, em), created: rows.length > 0 };
        },
        ({ run }) => billingRunAccepted(run),
      ),
    );
  }

  /**
   * Invoices are issued on the period end and numbered in issue-date order, so a new run's period
   * end is never earlier than the latest issued invoice (422 period-end-before-last-invoice). The
   * run of an existing period is returned as before (replays and resumes).
   */
  private async assertInDateOrder(periodEnd: string): Promise<void> {
    const [existing]: Array<{ id: string }> = await this.db.query(`SELECT id FROM billing_runs WHERE period_end = $1`, [periodEnd]);
    if (existing) return;
    const [{ latest }]: Array<{ latest: string | null }> = await this.db.query(
      `SELECT to_char(max(issue_date), 'YYYY-MM-DD') AS latest FROM invoices WHERE seq IS NOT NULL`,
    );
    if (latest && periodEnd < latest) {
      throw invoicingError(
        InvoicingErrorCode.PeriodEndBeforeLastInvoice,
        `periodEnd ${periodEnd} is earlier than the latest issued invoice (${latest}); invoices are numbered in date order`,
        { periodEnd, latestInvoiceDate: latest },
      );
    }
  }

  /** Processes the run in the background of this process (the HTTP request returns 202 at once). */
  startInBackground(runId: string, opts: ProcessOptions = {}): void {
    if (this.active.has(runId) || this.stopping) return;
    const p = this.process(runId, opts)
      .catch((e: unknown) => {
        this.logger.error({ err: e, runId }, 'billing run failed');
        return null;
      })
      .finally(() => this.active.delete(runId));
    this.active.set(runId, p);
  }

  /**
   * Bills every pending reseller of the run with `concurrency` workers, then marks the run
   * COMPLETED (or FAILED when some reseller could not be billed; resuming retries those).
   * Returns null when another live worker holds the run.
   */
  async process(runId: string, opts: ProcessOptions = {}): Promise<BillingRunView | null> {
    const concurrency = Math.min(Math.max(opts.concurrency ?? DEFAULT_BILLING_CONCURRENCY, 1), 16);
    const lease = await BillingRunLease.acquire(this.db, runId);
    if (!lease) return null;
    try {
      const run = await this.get(runId);
      if (run.status === 'COMPLETED') return run;
      await this.db.query(`UPDATE billing_run_resellers SET status = 'PENDING', error = NULL WHERE run_id = $1 AND status = 'FAILED'`, [
        runId,
      ]);
      await this.db.query(
        `UPDATE billing_runs SET status = 'RUNNING', completed_at = NULL, last_error = NULL, heartbeat_at = now() WHERE id = $1`,
        [runId],
      );
      lease.startHeartbeat();

      const progress = await this.get(runId);
      const worker = async () => {
        while (!this.stopping) {
          const outcome = await this.billNext(runId, progress.periodEnd);
          if (outcome === 'none') return;
          if (outcome === 'failed') progress.resellersFailed++;
          else progress.resellersDone++;
          if (outcome === 'billed') progress.invoicesIssued++;
          opts.onProgress?.({ ...progress });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      lease.stopHeartbeat();

      const counts = await this.counts(runId);
      if (counts.pending > 0) return this.get(runId); // stopped (shutdown): stays RUNNING, resumable
      const status: BillingRunStatus = counts.failed > 0 ? 'FAILED' : 'COMPLETED';
      await this.db.query(
        `UPDATE billing_runs SET status = $2, completed_at = now(), resellers_done = $3, invoices_issued = $4,
                last_error = $5, heartbeat_at = now() WHERE id = $1`,
        [
          runId,
          status,
          counts.done,
          counts.invoices,
          counts.failed ? `${counts.failed} reseller(s) failed; resume the run to retry them` : null,
        ],
      );
      const view = await this.get(runId);
      this.logger.log(
        `billing run ${runId} (${view.periodEnd}) ${status}: ${view.invoicesIssued} invoice(s) for ${view.resellersTotal} reseller(s)`,
      );
      return view;
    } finally {
      await lease.release();
    }
  }

  /**
   * Progress of the runs not completed and of the latest run, for metrics (docs/operations.md §12):
   * resellers per work-row status.
   */
  async progress(): Promise<Array<{ periodEnd: string; status: BillingRunStatus; done: number; failed: number; pending: number }>> {
    return this.db.query(
      `SELECT to_char(r.period_end, 'YYYY-MM-DD') AS "periodEnd", r.status,
              count(*) FILTER (WHERE w.status = 'DONE')::int AS done,
              count(*) FILTER (WHERE w.status = 'FAILED')::int AS failed,
              count(*) FILTER (WHERE w.status = 'PENDING')::int AS pending
         FROM billing_runs r LEFT JOIN billing_run_resellers w ON w.run_id = r.id
        WHERE r.status <> 'COMPLETED' OR r.period_end = (SELECT max(period_end) FROM billing_runs)
        GROUP BY r.id ORDER BY r.period_end`,
    );
  }

  /** Resumes every RUNNING run left by a process that died (their advisory lock is free). */
  async resumeInterrupted(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(`SELECT id FROM billing_runs WHERE status = 'RUNNING' ORDER BY period_end`);
    for (const r of rows) this.startInBackground(r.id);
    return rows.map((r) => r.id);
  }

  async get(id: string, em: EntityManager = this.db.manager): Promise<BillingRunView> {
    const rows: RunRow[] = await em.query(
      `SELECT r.id, to_char(r.period_end, 'YYYY-MM-DD') AS period_end, r.status, r.started_at, r.completed_at,
              count(w.*)::int AS total,
              count(*) FILTER (WHERE w.status = 'DONE')::int AS done,
              count(*) FILTER (WHERE w.status = 'FAILED')::int AS failed,
              count(w.invoice_id)::int AS invoices
         FROM billing_runs r LEFT JOIN billing_run_resellers w ON w.run_id = r.id
        WHERE r.id = $1 GROUP BY r.id`,
      [id],
    );
    if (!rows.length) throw notFound(`Billing run ${id}`);
    const r = rows[0];
    return {
      id: r.id,
      periodEnd: r.period_end,
      status: r.status,
      resellersTotal: r.total,
      resellersDone: r.done,
      invoicesIssued: r.invoices,
      resellersFailed: r.failed,
      startedAt: r.started_at.toISOString(),
      completedAt: r.completed_at ? r.completed_at.toISOString() : null,
    };
  }

  async list(): Promise<BillingRunView[]> {
    const rows: Array<{ id: string }> = await this.db.query(`SELECT id FROM billing_runs ORDER BY period_end DESC LIMIT 100`);
    return Promise.all(rows.map((r) => this.get(r.id)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.active.values()]);
  }

  // ---------------------------------------------------------------- one reseller

  private async counts(runId: string) {
    const [c]: Array<{ pending: number; done: number; failed: number; invoices: number }> = await this.db.query(
      `SELECT count(*) FILTER (WHERE status = 'PENDING')::int AS pending, count(*) FILTER (WHERE status = 'DONE')::int AS done,
              count(*) FILTER (WHERE status = 'FAILED')::int AS failed, count(invoice_id)::int AS invoices
         FROM billing_run_resellers WHERE run_id = $1`,
      [runId],
    );
    return c;
  }

  /** Claims the next pending reseller and bills it, all in one transaction. */
  private async billNext(runId: string, periodEnd: string): Promise<Outcome> {
    let claimed: string | null = null;
    try {
      return await retryOnConflict(() =>
        this.db.transaction(async (em): Promise<Outcome> => {
          // Claim the next pending reseller and take its receivables lock in one round trip.
          const rows = await queryPrepared<{ reseller_id: string }>(em, CLAIM_NEXT_RESELLER, [runId]);
          if (!rows.length) return 'none';
          const resellerId = rows[0].reseller_id;
          claimed = resellerId;
          // Issuing marks the work item DONE in its own statement; a reseller with nothing to bill is marked here.
          const invoice = await this.consolidated.billReseller(em, runId, periodEnd, resellerId, {
            receivablesLocked: true,
          });
          if (!invoice) {
            await em.query(
              `UPDATE billing_run_resellers SET status = 'DONE', processed_at = now() WHERE run_id = $1 AND reseller_id = $2`,
              [runId, resellerId],
            );
          }
          return invoice ? 'billed' : 'empty';
        }),
      );
    } catch (e) {
      if (!claimed) throw e;
      const message = e instanceof Error ? e.message : String(e);
      this.logger.warn({ err: e, runId, resellerId: claimed }, 'could not bill reseller');
      await this.db.query(
        `UPDATE billing_run_resellers SET status = 'FAILED', error = $3, processed_at = now()
          WHERE run_id = $1 AND reseller_id = $2 AND status = 'PENDING'`,
        [runId, claimed, message.slice(0, 1000)],
      );
      return 'failed';
    }
  }
}

/** POST /billing-runs' answer (202): the run and its state; a FAILED run is being resumed. */
export function billingRunAccepted(run: BillingRunView): BillingRunAccepted {
  return { id: run.id, status: run.status === 'FAILED' ? 'RUNNING' : run.status };
}
