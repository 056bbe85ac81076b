// Owns renewal_alerts and renewal_alert_notes: the scan that raises alerts and the workflow that works them (reads: RenewalAlertQueryService); reads only the published views (docs/architecture.md §3); queues webhook deliveries through webhooks' outbox.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { availableParallelism } from 'os';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, CURRENCY_MINOR_UNITS, Currency, notFound, retryOnConflict, tryWithAdvisoryLock, withAdvisoryLock } from '#disty/core';
import { IdentityService } from '#disty/identity';
import { AlertStatus, canTransition, isFinal } from './domain/alert-status';
import { RenewalAlertView } from './dto/renewal-alert.response';
import { renewalAlertError, RenewalAlertErrorCode } from './errors';
import { RENEWAL_ALERT_SETTINGS, RenewalAlertSettings } from './renewal-alert.config';
import { findAlertRow } from './renewal-alert.filters';
import { CLOSE_RENEWED_SQL, SCAN_SQL, SYSTEM_AUTHOR_ID } from './renewal-alert.sql';
import { DaysRange, scanRanges, thresholdWindows } from './domain/threshold-rule';
import { alertViews } from './renewal-views';

export interface ScanSummary {
  asOf: string;
  raised: number;
  webhookDeliveries: number;
  /** Open alerts closed as WON because their subscription renewed into a later term. */
  closedRenewed: number;
}

export interface AlertUpdate {
  status: AlertStatus;
  assigneeId?: string | null;
  note?: string;
}

const SCAN_LOCK = 'disty:renewal-alert-scan';
/**
 * Parts of the scan run side by side: one per core, at most 4 (each holds a pooled connection
 * meanwhile, as does the status sync beside them).
 */
const SCAN_PARTS = Math.min(4, availableParallelism());

/**
 * Renewal alerts: the set-based scan that raises them, and the sales pipeline's workflow that
 * works them (status with notes, assignment). The pipeline's lists, CSV export and totals are
 * RenewalAlertQueryService's.
 */
@Injectable()
export class RenewalAlertService {
  private readonly logger = new Logger('RenewalAlertService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RENEWAL_ALERT_SETTINGS) private readonly settings: RenewalAlertSettings,
    private readonly identity: IdentityService,
    private readonly clock: Clock,
  ) {}

  get thresholds(): number[] {
    return [...this.settings.thresholds];
  }

  // ---------------------------------------------------------------- the scan

  /**
   * Raises every alert due at `asOf`: the scan statement (see renewal-alert.sql.ts) over the
   * days-left window split into SCAN_PARTS ranges, run side by side, each in its own transaction,
   * so a first scan over millions of terms uses every core. Scans are serialised by an advisory
   * lock held meanwhile, so the "never a larger threshold after a smaller one" rule holds even for
   * concurrent scans with different dates; the unique key alone already guarantees each (term,
   * threshold) is raised once. A part that fails leaves the others' alerts committed; the next scan
   * raises what it missed, as it would after any interrupted scan.
   */
  async scan(asOf: string = this.clock.today()): Promise<ScanSummary> {
    const r = await retryOnConflict(() => withAdvisoryLock(this.db, SCAN_LOCK, () => this.scanParts(asOf)));
    if (r.raised) this.logger.log(r, 'renewal alert scan');
    return r;
  }

  /** The scheduled scan: skipped when another instance is scanning right now. */
  async scheduledScan(asOf: string = this.clock.today()): Promise<ScanSummary | null> {
    return tryWithAdvisoryLock(this.db, SCAN_LOCK, () => this.scanParts(asOf));
  }

  private async scanParts(asOf: string): Promise<ScanSummary> {
    // The status sync runs beside the parts, not before them: it closes only alerts of terms that
    // are no longer their subscription's current one, and the parts raise and read (`existing`)
    // only the current terms' alerts, so neither sees the other's rows (docs/performance.md,
    // "Issue 23's regressions profiled").
    const [closedRenewed, ...parts] = await Promise.all([
      this.db.transaction((em) => this.closeRenewedIn(em)),
      ...scanRanges(this.wholeWindow.to, SCAN_PARTS).map((days) => this.db.transaction((em) => this.scanIn(em, asOf, days))),
    ]);
    const sum = (k: 'raised' | 'webhookDeliveries') => parts.reduce((n, p) => n + p[k], 0);
    return { asOf, raised: sum('raised'), webhookDeliveries: sum('webhookDeliveries'), closedRenewed };
  }

  /**
   * The status sync step of the scan: open alerts of a term that has been renewed (a later term of
   * the subscription exists, read through renewal_subscription_term_ids) become WON by the system,
   * with a note. Renewals are seen here rather than told by the subscription module, which keeps
   * the renewal job unaware of alerts (docs/api-conventions.md, renewal alerts).
   */
  async closeRenewedIn(em: EntityManager): Promise<number> {
    const [row]: Array<{ closed: number }> = await em.query(CLOSE_RENEWED_SQL, [SYSTEM_AUTHOR_ID]);
    return row.closed;
  }

  /** Days left from 0 to the largest threshold: every term a scan looks at. */
  private get wholeWindow(): DaysRange {
    return { from: 0, to: Math.max(...this.settings.thresholds) };
  }

  /** The scan statement in the caller's transaction, over the terms `days` (default: all) days from their end. */
  async scanIn(em: EntityManager, asOf: string, days: DaysRange = this.wholeWindow): Promise<ScanSummary> {
    const thresholds = this.settings.thresholds;
    const currencies = Object.keys(CURRENCY_MINOR_UNITS) as Currency[];
    // Hash joins for this bulk statement whatever the statistics say (see renewal-alert.sql.ts), with
    // room to hash and return a few hundred thousand rows in memory; the settings are put back so
    // the rest of the caller's transaction is unaffected.
    const [previous]: Array<{ nestloop: string; work_mem: string }> = await em.query(
      `SELECT current_setting('enable_nestloop') AS nestloop, current_setting('work_mem') AS work_mem,
              set_config('enable_nestloop', 'off', true), set_config('work_mem', '128MB', true)`,
    );
    try {
      const [row]: Array<{ raised: number; queued: number }> = await em.query(SCAN_SQL, [
        asOf,
        thresholds,
        currencies,
        currencies.map((c) => CURRENCY_MINOR_UNITS[c]),
        days.from,
        thresholdWindows(thresholds).map((w) => w.minDays),
        days.to,
      ]);
      return { asOf, raised: row.raised, webhookDeliveries: row.queued, closedRenewed: 0 };
    } finally {
      await em.query(`SELECT set_config('enable_nestloop', $1, true), set_config('work_mem', $2, true)`, [
        previous.nestloop,
        previous.work_mem,
      ]);
    }
  }

  // ---------------------------------------------------------------- the workflow

  /**
   * Moves an alert along its workflow, (re)assigns it and appends a note, in one transaction under
   * the row locks of every alert of its renewal (taken in id order). An assignment applies to the
   * whole renewal; a final status (WON, LOST, DISMISSED) closes the renewal's other open alerts
   * too, each with a note saying why. Another reseller's alert is a 404.
   */
  async update(id: string, scope: string | null, authorId: string, change: AlertUpdate): Promise<RenewalAlertView> {
    const asOf = this.clock.today();
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const target = await findAlertRow(em, id, scope, asOf);
        await em.query(`SELECT id FROM renewal_alerts WHERE source = $1 AND source_id = $2 ORDER BY id FOR UPDATE`, [
          target.source,
          target.source_id,
        ]);
        const row = await findAlertRow(em, id, scope, asOf);
        if (!canTransition(row.status, change.status)) {
          throw renewalAlertError(RenewalAlertErrorCode.InvalidTransition, `A ${row.status} alert cannot become ${change.status}`, {
            from: row.status,
            to: change.status,
          });
        }
        if (change.assigneeId) await this.assertAssignable(row.reseller_id, change.assigneeId);
        const assignee = change.assigneeId === undefined ? row.assignee_id : change.assigneeId;
        if (change.status !== row.status || assignee !== row.assignee_id) {
          await em.query(`UPDATE renewal_alerts SET status = $2, assignee_id = $3, updated_at = now() WHERE id = $1`, [
            id,
            change.status,
            assignee,
          ]);
        }
        if (change.assigneeId !== undefined) {
          await em.query(
            `UPDATE renewal_alerts SET assignee_id = $3, updated_at = now()
              WHERE source = $1 AND source_id = $2 AND id <> $4 AND assignee_id IS DISTINCT FROM $3`,
            [row.source, row.source_id, assignee, id],
          );
        }
        if (change.note) {
          await em.query(`INSERT INTO renewal_alert_notes (alert_id, reseller_id, author_id, body) VALUES ($1, $2, $3, $4)`, [
            id,
            row.reseller_id,
            authorId,
            change.note,
          ]);
        }
        if (isFinal(change.status) && change.status !== row.status) {
          await em.query(
            `WITH closed AS (
               UPDATE renewal_alerts SET status = $3, updated_at = now()
                WHERE source = $1 AND source_id = $2 AND id <> $4 AND status IN ('OPEN', 'CONTACTED')
               RETURNING id, reseller_id)
             INSERT INTO renewal_alert_notes (alert_id, reseller_id, author_id, body)
             SELECT c.id, c.reseller_id, $5::uuid, $6 FROM closed c`,
            [
              row.source,
              row.source_id,
              change.status,
              id,
              authorId,
              `Closed as ${change.status} with the renewal: its ${row.threshold}-day alert ${id} was marked ${change.status}.`,
            ],
          );
        }
        const fresh = await findAlertRow(em, id, scope, asOf);
        return (await alertViews(em, [fresh]))[0];
      }),
    );
  }

  /**
   * Assigns many renewals at once (the desk's bulk assign): every alert of the renewals of
   * `alertIds` gets the assignee, as a single assignment would. All or nothing, in one transaction
   * under the row locks of those alerts (taken in id order): an id unknown or of another reseller is
   * a 404 naming it, an assignee who is not a sales user of an alert's reseller a 422; then nothing
   * is assigned.
   */
  async bulkAssign(
    alertIds: string[],
    scope: string | null,
    assigneeId: string | null,
  ): Promise<{ renewals: number; alertsUpdated: number }> {
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        const found: Array<{ id: string; reseller_id: string; source: string; source_id: string }> = await em.query(
          `SELECT id, reseller_id, source, source_id FROM renewal_alerts
            WHERE id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR reseller_id = $2::uuid)`,
          [alertIds, scope],
        );
        const missing = alertIds.filter((id) => !found.some((r) => r.id === id));
        if (missing.length) throw notFound(`Renewal alert ${missing.join(', ')}`);
        if (assigneeId)
          for (const resellerId of new Set(found.map((r) => r.reseller_id))) await this.assertAssignable(resellerId, assigneeId);
        const renewals = [...new Map(found.map((r) => [`${r.source}:${r.source_id}`, r])).values()];
        await em.query(
          `SELECT a.id FROM renewal_alerts a
             JOIN unnest($1::text[], $2::uuid[]) AS r(source, source_id) ON a.source = r.source AND a.source_id = r.source_id
            ORDER BY a.id FOR UPDATE OF a`,
          [renewals.map((r) => r.source), renewals.map((r) => r.source_id)],
        );
        const [row]: Array<{ updated: number }> = await em.query(
          `WITH u AS (
             UPDATE renewal_alerts a SET assignee_id = $3::uuid, updated_at = now()
               FROM unnest($1::text[], $2::uuid[]) AS r(source, source_id)
              WHERE a.source = r.source AND a.source_id = r.source_id AND a.assignee_id IS DISTINCT FROM $3::uuid
             RETURNING 1)
           SELECT count(*)::int AS updated FROM u`,
          [renewals.map((r) => r.source), renewals.map((r) => r.source_id), assigneeId],
        );
        return { renewals: renewals.length, alertsUpdated: row.updated };
      }),
    );
  }

  // ---------------------------------------------------------------- helpers

  private async assertAssignable(resellerId: string, userId: string): Promise<void> {
    const users = await this.identity.listUsers(resellerId);
    const user = users.find((u) => u.id === userId);
    if (!user || user.role !== 'sales') {
      throw renewalAlertError(RenewalAlertErrorCode.InvalidAssignee, `User ${userId} is not a sales user of this reseller`);
    }
  }
}
