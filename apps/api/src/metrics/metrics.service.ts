import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { processMetrics } from '#disty/core';
import { BillingRunService } from '#disty/invoicing';
import { WebhookService } from '#disty/webhooks';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * This instance's metrics (docs/operations.md §12): the process's counters and histograms
 * (`processMetrics`) and gauges read when scraped: the database pool, the webhook backlog and
 * billing-run progress. A gauge whose query fails is left out of that scrape, never an error.
 */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger('MetricsService');
  private readonly registry = new Registry();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly webhooks: WebhookService,
    private readonly billingRuns: BillingRunService,
  ) {
    const pool = () => (this.db.driver as unknown as { master?: PgPool }).master;
    new Gauge({
      name: 'disty_db_pool_connections',
      help: "Connections of this instance's PostgreSQL pool: total open, idle, and clients waiting for one",
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const p = pool();
        if (!p) return;
        this.set({ state: 'total' }, p.totalCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
      },
    });
    new Gauge({
      name: 'disty_db_pool_max',
      help: "The pool's size (DB_POOL_SIZE)",
      registers: [this.registry],
      collect() {
        const max = (pool() as unknown as { options?: { max?: number } })?.options?.max;
        if (typeof max === 'number') this.set(max);
      },
    });
    const logger = this.logger;
    new Gauge({
      name: 'disty_webhook_backlog',
      help: 'Webhook deliveries pending (state=pending), and those of them due now (state=due)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        try {
          const b = await webhooks.backlog();
          this.set({ state: 'pending' }, b.pending);
          this.set({ state: 'due' }, b.due);
        } catch (err) {
          logger.warn({ err }, 'webhook backlog not read for metrics');
        }
      },
    });
    new Gauge({
      name: 'disty_billing_run_resellers',
      help: 'Resellers of the billing runs not completed and of the latest run, by work status',
      labelNames: ['period_end', 'run_status', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const r of await billingRuns.progress()) {
            for (const state of ['done', 'failed', 'pending'] as const) {
              this.set({ period_end: r.periodEnd, run_status: r.status, state }, r[state]);
            }
          }
        } catch (err) {
          logger.warn({ err }, 'billing run progress not read for metrics');
        }
      },
    });
  }

  readonly contentType = this.registry.contentType;

  /** The exposition text of every metric of this instance. */
  async render(): Promise<string> {
    return Registry.merge([processMetrics, this.registry]).metrics();
  }
}
