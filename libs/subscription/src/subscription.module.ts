import { Module } from '@nestjs/common';
import { CatalogModule } from '#disty/catalog';
import { LedgerModule } from '#disty/ledger';
import { ResellerModule } from '#disty/reseller';
import { TaxModule } from '#disty/tax';
import { ChangeDatePolicy } from './change-date.policy';
import { CommitmentWindowPolicy } from './commitment-window.policy';
import { RenewalJob } from './renewal.job';
import { RenewalService } from './renewal.service';
import { RenewalTermsService } from './renewal-terms.service';
import { ServiceRecordService } from './service-record.service';
import { ScheduledChangeService } from './scheduled-change.service';
import { SubscriptionChangeService } from './subscription-change.service';
import { RenewalJobController } from './renewal-jobs.controller';
import { SubscriptionController } from './subscriptions.controller';
import { ChangeChargesService } from './change-charges.service';
import { ChangeRecordService } from './change-record.service';
import { SubscriptionProvisioningService } from './subscription-provisioning.service';
import { SubscriptionService } from './subscription.service';

/** Cloud subscriptions: terms, charges, seat changes, cancellation and renewals. */
@Module({
  imports: [CatalogModule, ResellerModule, LedgerModule, TaxModule],
  controllers: [SubscriptionController, RenewalJobController],
  providers: [
    SubscriptionService,
    ChangeChargesService,
    ChangeRecordService,
    SubscriptionProvisioningService,
    SubscriptionChangeService,
    RenewalService,
    RenewalTermsService,
    RenewalJob,
    ChangeDatePolicy,
    CommitmentWindowPolicy,
    ServiceRecordService,
    ScheduledChangeService,
  ],
  exports: [
    SubscriptionService,
    SubscriptionProvisioningService,
    SubscriptionChangeService,
    RenewalService,
    ChangeDatePolicy,
    ServiceRecordService,
    ScheduledChangeService,
  ],
})
export class SubscriptionModule {}
