// Owns credit_exposure_thresholds and credit_exposure_alerts; the CLOUD line's unbilled usage and
// exposure hold are ResellerService's columns, written through it (docs/consumption.md §7).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, Dec, moneyString, Page, page, preparedStatement, queryPrepared, retryOnConflict, validationError } from '#disty/core';
import { lockReceivables } from '#disty/ledger';
import { ResellerService } from '#disty/reseller';
import { WebhookService } from '#disty/webhooks';
import { DEFAULT_THRESHOLDS, exposurePercent, holdDue, normaliseThresholds, reachedThresholds } from './domain/thresholds';
import { CreditAlertView, ExposureView, ThresholdsView } from './dto/credit-exposure.dto';

interface AlertRow {
  id: string;
  reseller_id: string;
  credit_line: 'CLOUD';
  period: string;
  threshold: string;
  currency: string;
  credit_limit: string;
  exposure: string;
  unbilled_usage: string;
  hold_placed: boolean;
  raised_at: Date;
}
const ALERT_COLUMNS = `id, reseller_id, credit_line, period, threshold::text, currency, credit_limit::text, exposure::text, unbilled_usage::text, hold_placed, raised_at`;

/** The reseller's own thresholds row and the global one (prepared: every exposure evaluation reads it, e.g. each invoice of a billing run). */
const THRESHOLDS = preparedStatement(
  'credit-exposure.thresholds',
  `SELECT reseller_id, percents::text[] AS percents FROM credit_exposure_thresholds
    WHERE scope = coalesce($1::text, 'global') OR scope = 'global' ORDER BY (scope = 'global')`,
);
/** The reseller's rated usage not yet invoiced, in its currency (prepared: every invoice of a billing run reads it). */
const UNBILLED_USAGE = preparedStatement(
  'credit-exposure.unbilled-usage',
  `SELECT coalesce(sum(net), 0)::text AS net FROM usage_unbilled WHERE reseller_id = $1 AND currency = $2`,
);

/**
 * Credit exposure of the CLOUD line: open invoices + reservations + unbilled rated usage (the
 * usage module's read contract `usage_unbilled`). Evaluated after usage imports, billing runs,
 * payments, credit notes and write-offs, under the reseller's receivables lock: records the
 * unbilled usage on the line, raises an alert (and `credit.threshold_crossed`) once per threshold
 * and month, and places or lifts the exposure hold at 100 %.
 */
@Injectable()
export class CreditExposureService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly resellers: ResellerService,
    private readonly webhooks: WebhookService,
    private readonly clock: Clock,
  ) {}

  /** Evaluates the reseller's CLOUD exposure in its own transaction (after an import has committed). */
  async evaluate(resellerId: string): Promise<ExposureView> {
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        await lockReceivables(em, resellerId);
        return this.evaluateIn(em, resellerId);
      }),
    );
  }

  /**
   * Evaluates several resellers (those a usage import touched) in one transaction: their
   * receivables locks in id order, then their unbilled usage read once for all of them (one pass
   * over the usage rather than one per reseller: docs/consumption.md §10).
   */
  async evaluateMany(resellerIds: string[]): Promise<ExposureView[]> {
    const ids = [...new Set(resellerIds)].sort();
    if (!ids.length) return [];
    return retryOnConflict(() =>
      this.db.transaction(async (em) => {
        for (const id of ids) await lockReceivables(em, id);
        const rows: Array<{ reseller_id: string; currency: string; net: string }> = await em.query(
          `SELECT reseller_id, currency, coalesce(sum(net), 0)::text AS net FROM usage_unbilled WHERE reseller_id = ANY($1::uuid[]) GROUP BY 1, 2`,
          [ids],
        );
        const unbilled = new Map(rows.map((r) => [`${r.reseller_id} ${r.currency.trim()}`, r.net]));
        const views: ExposureView[] = [];
        for (const id of ids) views.push(await this.evaluateIn(em, id, unbilled));
        return views;
      }),
    );
  }

  /**
   * Evaluates in the caller's transaction; the caller holds the reseller's receivables lock (docs/architecture.md §4).
   * `unbilled`: the unbilled usage per "reseller currency", already read under that lock (else read here).
   */
  async evaluateIn(em: EntityManager, resellerId: string, unbilled?: ReadonlyMap<string, string>): Promise<ExposureView> {
    const { currency } = await this.resellers.getReseller(resellerId, em);
    const net = unbilled
      ? (unbilled.get(`${resellerId} ${currency}`) ?? '0')
      : (await queryPrepared<{ net: string }>(em, UNBILLED_USAGE, [resellerId, currency]))[0].net;
    const line = await this.resellers.recordUnbilledUsage(em, resellerId, Dec.max(new Dec(net), 0));
    const exposure = line.limit.minus(line.available);
    const hold = holdDue(line.limit, exposure);
    if (hold !== line.exposureHold) await this.resellers.setExposureHold(em, resellerId, hold);
    const reached = reachedThresholds(line.limit, exposure, await this.thresholdsFor(em, resellerId));
    const period = this.clock.today().slice(0, 7);
    const raised: string[] = [];
    for (const t of reached) {
      const rows: AlertRow[] = await em.query(
        `INSERT INTO credit_exposure_alerts (reseller_id, credit_line, period, threshold, currency, credit_limit, exposure, unbilled_usage, hold_placed)
         VALUES ($1, 'CLOUD', $2, $3::numeric, $4, $5::numeric, $6::numeric, $7::numeric, $8)
         ON CONFLICT (reseller_id, credit_line, period, threshold) DO NOTHING RETURNING ${ALERT_COLUMNS}`,
        [
          resellerId,
          period,
          t.toFixed(),
          currency,
          line.limit.toFixed(),
          exposure.toFixed(),
          line.unbilledUsage.toFixed(),
          hold && !line.exposureHold && t.gte(100),
        ],
      );
      if (!rows.length) continue;
      raised.push(t.toFixed());
      const { id, ...rest } = toAlertView(rows[0]);
      await this.webhooks.enqueue(em, resellerId, 'credit.threshold_crossed', { alertId: id, ...rest });
    }
    const percent = exposurePercent(line.limit, exposure);
    return {
      resellerId,
      currency,
      limit: moneyString(line.limit, currency),
      openReceivables: moneyString(line.openReceivables, currency),
      reserved: moneyString(line.reserved, currency),
      unbilledUsage: moneyString(line.unbilledUsage, currency),
      exposure: moneyString(exposure, currency),
      available: moneyString(line.available, currency),
      percent: percent ? percent.toFixed(2) : null,
      exposureHold: hold,
      alertsRaised: raised,
    };
  }

  /** The reseller's thresholds, else the global ones, else 80 and 100. */
  private async thresholdsFor(em: EntityManager, resellerId: string | null): Promise<Dec[]> {
    return (await this.thresholdRow(em, resellerId)).percents.map((p) => new Dec(p));
  }

  private async thresholdRow(em: EntityManager, resellerId: string | null): Promise<ThresholdsView> {
    const rows = await queryPrepared<{ reseller_id: string | null; percents: string[] }>(em, THRESHOLDS, [resellerId]);
    const own = rows.find((r) => r.reseller_id !== null && r.reseller_id === resellerId);
    const chosen = own ?? rows.find((r) => r.reseller_id === null);
    const percents = chosen ? chosen.percents.map((p) => new Dec(p).toFixed()) : DEFAULT_THRESHOLDS;
    return { resellerId, percents, inherited: resellerId !== null && !own };
  }

  getThresholds(resellerId: string | null): Promise<ThresholdsView> {
    return this.thresholdRow(this.db.manager, resellerId);
  }

  /** Sets the reseller's (or the global) thresholds; takes effect at the next evaluation. */
  async setThresholds(resellerId: string | null, percents: string[]): Promise<ThresholdsView> {
    const values = normaliseThresholds(percents);
    if (!values) {
      throw validationError('Thresholds are 1–10 percents above 0 and at most 1000', [
        { field: 'percents', message: 'give percents like "80" and "100"' },
      ]);
    }
    if (resellerId) await this.resellers.getReseller(resellerId);
    await this.db.query(
      `INSERT INTO credit_exposure_thresholds (scope, reseller_id, percents) VALUES (coalesce($1::uuid::text, 'global'), $1::uuid, $2::numeric[])
       ON CONFLICT (scope) DO UPDATE SET percents = EXCLUDED.percents, updated_at = now()`,
      [resellerId, values.map((v) => v.toFixed())],
    );
    return this.getThresholds(resellerId);
  }

  /** Alerts, newest first; `scope` limits them to one reseller. */
  async alerts(scope: string | null, q: { page: number; pageSize: number }): Promise<Page<CreditAlertView>> {
    const rows: Array<AlertRow & { total: number }> = await this.db.query(
      `SELECT ${ALERT_COLUMNS}, count(*) OVER ()::int AS total FROM credit_exposure_alerts
        WHERE $1::uuid IS NULL OR reseller_id = $1 ORDER BY raised_at DESC, threshold DESC LIMIT $2 OFFSET $3`,
      [scope, q.pageSize, (q.page - 1) * q.pageSize],
    );
    return page(rows.map(toAlertView), rows[0]?.total ?? 0, q);
  }
}

function toAlertView(r: AlertRow): CreditAlertView {
  const c = r.currency.trim() as CreditAlertView['currency'];
  return {
    id: r.id,
    resellerId: r.reseller_id,
    creditLine: r.credit_line,
    period: r.period,
    threshold: new Dec(r.threshold).toFixed(),
    currency: c,
    limit: moneyString(new Dec(r.credit_limit), c),
    exposure: moneyString(new Dec(r.exposure), c),
    unbilledUsage: moneyString(new Dec(r.unbilled_usage), c),
    holdPlaced: r.hold_placed,
    raisedAt: r.raised_at.toISOString(),
  };
}
