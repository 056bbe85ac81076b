import { BeforeApplicationShutdown, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, Dec, holdAdvisoryLock, idempotentTransaction, moneyString, notFound, retryOnConflict, validationError } from '#disty/core';
import { CreditExposureService } from '#disty/credit-exposure';
import { lockReceivables, RECEIVABLES_LOCK_PREFIX } from '#disty/ledger';
import { OrderLineBillingService } from '#disty/ordering';
import { WebhookService } from '#disty/webhooks';
import { CreditReservationService, ResellerService } from '#disty/reseller';
import { SubscriptionService } from '#disty/subscription';
import { TaxService } from '#disty/tax';
import { UsageBillingService, UsageInvoiceItem } from '#disty/usage';
import { BillableItem, priceLines } from './domain/invoice-math';
import { BillingRunAccepted, BillingRunStatus, BillingRunView } from './dto/invoice.dto';
import { invoicingError, InvoicingErrorCode } from './errors';
import { InvoiceService, IssuedInvoice } from './invoice.service';
import { UnappliedCash } from './unapplied-cash';
import { EndCustomerBilling, ResoldItem } from './end-customer-billing.port';
import { RunRow } from './invoicing.sql';

export const DEFAULT_BILLING_CONCURRENCY = 4;
const HEARTBEAT_MS = 2000;

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
 * billed. A processing worker holds an advisory lock on the run (transaction-scoped, kept by an open
 * transaction on a connection of its own: holdAdvisoryLock): a run whose worker died
 * (its connection closed, the lock freed) is resumed by the next POST for its period, the CLI or
 * the scheduler; a run whose worker is alive is left to it.
 */
@Injectable()
export class BillingRunService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('BillingRunService');
  private readonly active = new Map<string, Promise<BillingRunView | null>>();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly invoices: InvoiceService,
    private readonly unappliedCash: UnappliedCash,
    private readonly resellers: ResellerService,
    private readonly reservations: CreditReservationService,
    private readonly subscriptions: SubscriptionService,
    private readonly ordering: OrderLineBillingService,
    private readonly webhooks: WebhookService,
    private readonly clock: Clock,
    private readonly usage: UsageBillingService,
    private readonly tax: TaxService,
    private readonly exposure: CreditExposureService,
    @Optional() private readonly resale?: EndCustomerBilling,
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
    const lock = await holdAdvisoryLock(this.db, `disty:billing-run:${runId}`, { wait: false });
    if (!lock) return null;
    let heartbeat: NodeJS.Timeout | undefined;
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
      heartbeat = setInterval(() => {
        this.db.query(`UPDATE billing_runs SET heartbeat_at = now() WHERE id = $1`, [runId]).catch(() => undefined);
      }, HEARTBEAT_MS);
      heartbeat.unref();

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
      clearInterval(heartbeat);
      heartbeat = undefined;

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
      if (heartbeat) clearInterval(heartbeat);
      await lock.release().catch(() => undefined);
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
          const rows: Array<{ reseller_id: string }> = await em.query(
            `SELECT w.reseller_id, pg_advisory_xact_lock(hashtext('${RECEIVABLES_LOCK_PREFIX}' || w.reseller_id)) IS NULL AS locked
               FROM (SELECT reseller_id FROM billing_run_resellers WHERE run_id = $1 AND status = 'PENDING'
                      ORDER BY reseller_id LIMIT 1 FOR UPDATE SKIP LOCKED) w`,
            [runId],
          );
          if (!rows.length) return 'none';
          const resellerId = rows[0].reseller_id;
          claimed = resellerId;
          // Issuing marks the work item DONE in its own statement; a reseller with nothing to bill is marked here.
          const invoice = await this.billReseller(em, runId, periodEnd, resellerId, {
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

  /**
   * One consolidated invoice for the reseller's unbilled items up to the period end, in `em`:
   * shipped hardware lines and cloud charges (with prorations and credits) are locked, marked
   * billed on the new invoice's id (conditional updates: never twice), their credit reservations
   * consumed, and the invoice issued: created with its usable credits applied, the reseller's
   * unapplied cash applied to it (payments, through `UnappliedCash`), numbered and posted; then
   * `invoice.issued` queued. One flow, one transaction. null when nothing is due.
   */
  async billReseller(
    em: EntityManager,
    runId: string | null,
    periodEnd: string,
    resellerId: string,
    opts: { receivablesLocked?: boolean } = {},
  ): Promise<IssuedInvoice | null> {
    if (!opts.receivablesLocked) await lockReceivables(em, resellerId);
    const reseller = await this.resellers.getReseller(resellerId, em);
    const hardware = await this.ordering.unbilledShippedLines(em, resellerId, periodEnd);
    const charges = await this.subscriptions.unbilledCharges(em, resellerId, periodEnd);
    // Usage is taken (and marked billed) under the rating lock; the transaction undoes it if nothing is issued.
    const usage = await this.usage.takeUnbilled(em, resellerId, periodEnd);
    if (!hardware.length && !charges.length && !usage.length) return null;
    const foreign = [...hardware, ...charges, ...usage].find((i) => i.currency !== reseller.currency);
    if (foreign) {
      throw invoicingError(
        InvoicingErrorCode.CurrencyMismatch,
        `Reseller ${resellerId} is invoiced in ${reseller.currency} but has an item in ${foreign.currency}`,
      );
    }
    const items: BillableItem[] = [
      ...hardware.map((l): BillableItem => ({
        creditLine: 'HARDWARE',
        sourceType: 'order_line',
        sourceId: l.orderLineId,
        sku: l.sku,
        description: `${l.description}${l.poNumber ? `, PO ${l.poNumber}` : ''}, shipped ${l.shippedOn}${l.postedOn ? ` (posted ${l.postedOn}: its month was closed)` : ''}, for ${l.endCustomer.name}`,
        quantity: l.quantity,
        net: l.net,
        taxRate: l.taxRate,
        unitCost: l.unitCost,
        cost: l.cost,
        shipmentPosted: l.shipmentPosted,
        taxCode: l.taxCode,
      })),
      ...charges.map((c): BillableItem => ({
        creditLine: 'CLOUD',
        sourceType: 'subscription_charge',
        sourceId: c.id,
        sku: c.sku,
        description:
          c.kind === 'TERM' ? c.description : `${c.kind === 'PRORATION' ? 'Proration' : 'Cancellation credit'}: ${c.description}`,
        quantity: c.quantity,
        periodStart: c.periodStart,
        periodEnd: c.periodEnd,
        net: c.net,
        taxRate: c.taxRate,
        unitCost: c.unitCost,
        cost: c.cost,
        taxCode: c.taxCode,
      })),
      ...(await this.usageItems(em, reseller, usage, periodEnd)),
    ];
    const id = randomUUID();
    // Every item carries the rate stored when it was ordered or renewed; 0 only satisfies the signature.
    const lines = priceLines(items, new Dec(0), reseller.currency);
    await this.ordering.markLinesBilled(
      em,
      hardware.map((l) => l.orderLineId),
      id,
      periodEnd,
    );
    await this.subscriptions.markChargesBilled(
      em,
      charges.map((c) => c.id),
      id,
    );
    await this.reservations.consumeReservations(em, [...hardware.map((l) => l.source), ...charges.map((c) => c.source)], { resellerId });
    // Issuing: the invoice with its usable credits applied (invoicing), the reseller's unapplied
    // cash applied to it (payments), then its number and posting (invoicing), in this transaction.
    const created = await this.invoices.create(em, {
      id,
      reseller,
      billingRunId: runId,
      periodEnd,
      issueDate: periodEnd,
      lines,
    });
    await this.unappliedCash.applyToNewInvoice(em, created);
    const issued = await this.invoices.finishIssue(em, created);
    const c = reseller.currency;
    const amounts = (a: { net: { toFixed(): string }; tax: { toFixed(): string }; gross: { toFixed(): string } }) => ({
      net: moneyString(a.net.toFixed(), c),
      tax: moneyString(a.tax.toFixed(), c),
      gross: moneyString(a.gross.toFixed(), c),
    });
    await this.webhooks.enqueue(em, resellerId, 'invoice.issued', {
      invoiceId: issued.id,
      number: issued.number,
      resellerId,
      currency: c,
      issueDate: issued.issueDate,
      dueDate: issued.dueDate,
      totals: {
        HARDWARE: amounts(issued.totals.HARDWARE),
        CLOUD: amounts(issued.totals.CLOUD),
        all: amounts(issued.totals.all),
      },
    });
    // Billed usage is an open invoice now: the CLOUD line's exposure re-read (docs/consumption.md §7).
    await this.exposure.evaluateIn(em, resellerId);
    if (this.resale) {
      // The reseller's own invoices to its end customers, from these lines (docs/billing-on-behalf.md).
      const resold: ResoldItem[] = [
        ...hardware
          .filter((l) => l.endCustomer.id)
          .map((l): ResoldItem => ({
            endCustomerId: l.endCustomer.id!,
            kind: 'HARDWARE',
            sku: l.sku,
            description: l.description,
            quantity: l.quantity,
            periodStart: null,
            periodEnd: null,
            cost: l.net,
            taxRate: l.taxRate,
          })),
        ...charges
          .filter((ch) => ch.endCustomerId)
          .map((ch): ResoldItem => ({
            endCustomerId: ch.endCustomerId!,
            kind: 'SEAT',
            sku: ch.sku,
            description: ch.description,
            quantity: ch.quantity,
            periodStart: ch.periodStart,
            periodEnd: ch.periodEnd,
            cost: ch.net,
            taxRate: ch.taxRate,
          })),
        ...usage.map((u): ResoldItem => ({
          endCustomerId: u.endCustomerId,
          kind: 'USAGE',
          sku: u.sku,
          description: u.description,
          quantity: 1,
          periodStart: u.firstDay,
          periodEnd: u.lastDay,
          cost: u.net,
          taxRate: lines.find((l) => l.sourceId === u.sourceId)?.taxRate ?? new Dec(0),
        })),
      ];
      await this.resale.afterResellerInvoiced(em, {
        invoiceId: issued.id,
        invoiceNumber: issued.number,
        resellerId,
        currency: c,
        periodEnd,
        items: resold,
      });
    }
    return issued;
  }

  /**
   * Usage lines (docs/consumption.md, "Billing"): one per subscription and meter, its net the exact
   * sum of its records' rated nets, taxed with the code its product's tax category and the
   * reseller's country and registration choose on the invoice date.
   */
  private async usageItems(
    em: EntityManager,
    reseller: { country: string; taxRegistered: boolean },
    usage: UsageInvoiceItem[],
    issueDate: string,
  ): Promise<BillableItem[]> {
    if (!usage.length) return [];
    const codes = await this.tax.codesFor(
      em,
      { country: reseller.country, registered: reseller.taxRegistered },
      usage.map((u) => u.taxCategory),
      issueDate,
    );
    return usage.map((u): BillableItem => {
      const code = codes.get(u.taxCategory)!;
      return {
        creditLine: 'CLOUD',
        sourceType: 'usage',
        sourceId: u.sourceId,
        sku: u.sku,
        description: u.description,
        quantity: 1,
        periodStart: u.firstDay,
        periodEnd: u.lastDay,
        net: u.net,
        taxRate: code.rate,
        taxCode: code.code,
        unitCost: null,
        cost: null,
        usageQuantity: u.quantity,
        usageUnit: u.unit,
      };
    });
  }
}

/** POST /billing-runs' answer (202): the run and its state; a FAILED run is being resumed. */
export function billingRunAccepted(run: BillingRunView): BillingRunAccepted {
  return { id: run.id, status: run.status === 'FAILED' ? 'RUNNING' : run.status };
}
