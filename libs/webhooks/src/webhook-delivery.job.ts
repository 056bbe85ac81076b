import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { observeJob } from '#disty/core';
import { WEBHOOK_SETTINGS, WebhookSettings } from './webhooks.config';
import { WebhookService } from './webhook.service';

/**
 * The delivery worker: every WEBHOOK_DELIVERY_INTERVAL_MS (when JOBS_ENABLED) it delivers what is
 * due. The next run is scheduled when the previous one ends, so runs never pile up; several
 * instances may run it at once (rows are claimed with SKIP LOCKED).
 */
@Injectable()
export class WebhookDeliveryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDeliveryJob');
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly webhooks: WebhookService,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.jobsEnabled) this.schedule();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.settings.deliveryIntervalMs);
    this.timer.unref();
  }

  async tick(): Promise<void> {
    try {
      await observeJob('webhook-delivery', () => this.webhooks.deliverDue());
    } catch (err) {
      this.logger.error({ err }, 'webhook delivery run failed');
    } finally {
      this.schedule();
    }
  }
}
