// Reads renewal_alerts for the sales pipeline: the alert and renewal lists, one alert, the CSV export and the pipeline totals.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify';
import { Readable } from 'stream';
import { DataSource } from 'typeorm';
import { Clock, Currency, Dec, moneyString, page, Page } from '#disty/core';
import { ALERT_STATUSES, AlertStatus } from './domain/alert-status';
import { CSV_COLUMNS, PipelineView, RenewalAlertView, RenewalCardView, toCsvRecord } from './dto/renewal-alert.response';
import { RENEWAL_ALERT_SETTINGS, RenewalAlertSettings } from './renewal-alert.config';
import { AlertFilter, AlertListView, AlertRowNow, alertCardsSql, alertWhere, findAlertRow, orderBy } from './renewal-alert.filters';
import { ALERT_COLUMNS, CardRow } from './renewal-alert.sql';
import { alertViews, cardViews } from './renewal-views';

const CSV_BATCH = 2_000;

/** The pipeline's reads; the scan and the workflow that write alerts are RenewalAlertService's. */
@Injectable()
export class RenewalAlertQueryService {
  private readonly logger = new Logger('RenewalAlertQueryService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RENEWAL_ALERT_SETTINGS) private readonly settings: RenewalAlertSettings,
    private readonly clock: Clock,
  ) {}

  /** One card per renewal (its current threshold's alert), filtered and paged like the alerts. */
  async listRenewals(f: AlertFilter, q: { page: number; pageSize: number }): Promise<Page<RenewalCardView>> {
    const { sql, params } = alertCardsSql(f);
    const [{ total }]: Array<{ total: number }> = await this.db.query(`SELECT count(*)::int AS total FROM (${sql}) a`, params);
    const rows: CardRow[] = await this.db.query(
      `SELECT ${ALERT_COLUMNS}, (a.term_end - $1::date) AS days_left_now, a.alert_ids, a.thresholds, a.renewal_status, a.renewal_assignee
         FROM (${sql}) a
        ORDER BY ${orderBy(f)}
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(await cardViews(this.db.manager, rows, this.clock.now()), total, q);
  }

  async list(f: AlertFilter, q: { page: number; pageSize: number }): Promise<Page<RenewalAlertView>> {
    const { where, params } = alertWhere(f);
    const [{ total }]: Array<{ total: number }> = await this.db.query(
      `SELECT count(*)::int AS total FROM renewal_alerts a WHERE ${where}`,
      params,
    );
    const rows: AlertRowNow[] = await this.db.query(
      `SELECT ${ALERT_COLUMNS}, (a.term_end - $1::date) AS days_left_now
         FROM renewal_alerts a WHERE ${where}
        ORDER BY ${orderBy(f)}
        LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
      params,
    );
    return page(await alertViews(this.db.manager, rows), total, q);
  }

  async get(id: string, scope: string | null, asOf: string = this.clock.today()): Promise<RenewalAlertView> {
    const row = await findAlertRow(this.db.manager, id, scope, asOf);
    return (await alertViews(this.db.manager, [row]))[0];
  }

  /**
   * Every alert matching the filter as CSV (the JSON list's fields, all pages), streamed in
   * keyset-paginated batches so an export of any size holds one batch in memory.
   */
  exportCsv(f: AlertFilter, view: AlertListView = 'alerts'): Readable {
    const stringifier = stringify({ header: true, columns: CSV_COLUMNS, bom: false });
    const batches = view === 'renewals' ? this.cardBatches(f) : this.batches(f);
    const source = Readable.from(
      (async function* () {
        for await (const batch of batches) for (const v of batch) yield toCsvRecord(v);
      })(),
    );
    source.on('error', (err) => {
      this.logger.error({ err }, 'renewal alert CSV export failed');
      stringifier.destroy(err);
    });
    return source.pipe(stringifier);
  }

  private async *cardBatches(f: AlertFilter): AsyncGenerator<RenewalAlertView[]> {
    for (let p = 1; ; p++) {
      const batch = await this.listRenewals(f, { page: p, pageSize: CSV_BATCH });
      if (batch.items.length) yield batch.items;
      if (batch.items.length < CSV_BATCH) return;
    }
  }

  private async *batches(f: AlertFilter): AsyncGenerator<RenewalAlertView[]> {
    let after: { termEnd: string; id: string } | null = null;
    for (;;) {
      const { where, params } = alertWhere(f);
      const n = params.length;
      const rows: AlertRowNow[] = await this.db.query(
        `SELECT ${ALERT_COLUMNS}, (a.term_end - $1::date) AS days_left_now
           FROM renewal_alerts a
          WHERE ${where} AND ($${n + 1}::date IS NULL OR (a.term_end, a.id) > ($${n + 1}::date, $${n + 2}::uuid))
          ORDER BY a.term_end, a.id
          LIMIT ${CSV_BATCH}`,
        [...params, after?.termEnd ?? null, after?.id ?? null],
      );
      if (!rows.length) return;
      yield await alertViews(this.db.manager, rows);
      if (rows.length < CSV_BATCH) return;
      const last: AlertRowNow = rows[rows.length - 1];
      after = { termEnd: last.term_end, id: last.id };
    }
  }

  /**
   * Count and value per threshold, per status and in total (per currency), counting each renewal
   * once: by its current threshold and its status, valued at its current alert's renewal value.
   */
  async pipeline(f: { resellerId: string | null; assigneeId?: string; termEndBefore?: string }): Promise<PipelineView> {
    const { sql, params } = alertCardsSql({ ...f, asOf: this.clock.today() });
    const rows: Array<{
      threshold: number;
      status: AlertStatus;
      currency: Currency;
      count: number;
      value: string;
    }> = await this.db.query(
      `SELECT a.threshold, a.renewal_status AS status, a.currency, count(*)::int AS count, sum(a.renewal_value)::text AS value
         FROM (${sql}) a
        GROUP BY a.threshold, a.renewal_status, a.currency`,
      params,
    );
    const currencies = [...new Set(rows.map((r) => r.currency))].sort();
    const thresholds = [...new Set([...this.settings.thresholds, ...rows.map((r) => r.threshold)])].sort((a, b) => b - a);
    const sum = (pred: (r: (typeof rows)[number]) => boolean, currency: Currency) => {
      const hit = rows.filter((r) => r.currency === currency && pred(r));
      return {
        currency,
        count: hit.reduce((n, r) => n + r.count, 0),
        value: moneyString(
          hit.reduce((v, r) => v.plus(r.value), new Dec(0)),
          currency,
        ),
      };
    };
    return {
      byThreshold: thresholds.flatMap((threshold) => currencies.map((c) => ({ threshold, ...sum((r) => r.threshold === threshold, c) }))),
      byStatus: ALERT_STATUSES.flatMap((status) => currencies.map((c) => ({ status, ...sum((r) => r.status === status, c) }))),
      total: currencies.map((c) => sum(() => true, c)),
    };
  }
}
