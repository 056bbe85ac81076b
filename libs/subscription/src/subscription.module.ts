import { Module } from '@nestjs/common';
import { CatalogModule } from '@disty/catalog';
import { ResellerModule } from '@disty/reseller';
import { RenewalJob } from './renewal.job';
import { RenewalService } from './renewal.service';
import { SubscriptionChangeService } from './subscription-change.service';
import { RenewalJobController, SubscriptionController } from './subscription.controller';
import { SubscriptionService } from './subscription.service';

/** Cloud subscriptions: terms, charges, seat changes, cancellation and renewals. */
@Module({
  imports: [CatalogModule, ResellerModule],
  controllers: [SubscriptionController, RenewalJobController],
  providers: [SubscriptionService, SubscriptionChangeService, RenewalService, RenewalJob],
  exports: [SubscriptionService, RenewalService],
})
export class SubscriptionModule {}
