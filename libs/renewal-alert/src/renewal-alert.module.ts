import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { IdentityModule } from '#disty/identity';
import { SubscriptionModule } from '#disty/subscription';
import { WebhookModule } from '#disty/webhooks';
import { RENEWAL_ALERT_SETTINGS, renewalAlertSettings } from './renewal-alert.config';
import { RenewalAlertController } from './renewal-alerts.controller';
import { RenewalAlertQueryService } from './renewal-alert-query.service';
import { RenewalAlertService } from './renewal-alert.service';
import { RenewalScanJob } from './renewal-scan.job';
import { RenewalQuotesController } from './renewal-quotes.controller';
import { RenewalQuoteService } from './renewal-quote.service';

/**
 * Renewal alerts (the 90/60/30-day pipeline), announced as `renewal_alert.raised` through the
 * webhooks module's outbox; renewal quotes made from alerts, accepted as `renewal_quote.accepted`.
 * Reads subscriptions, warranties and prices only through the published read-model views.
 */
@Module({
  imports: [IdentityModule, WebhookModule, SubscriptionModule],
  controllers: [RenewalAlertController, RenewalQuotesController],
  providers: [
    { provide: RENEWAL_ALERT_SETTINGS, inject: [ConfigService], useFactory: renewalAlertSettings },
    RenewalAlertService,
    RenewalAlertQueryService,
    RenewalQuoteService,
    RenewalScanJob,
  ],
  exports: [RenewalAlertService],
})
export class RenewalAlertModule {}
