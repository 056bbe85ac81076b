import { Module } from '@nestjs/common';
import { PurchasingModule } from '#disty/purchasing';
import { UsageModule } from '#disty/usage';
import { VendorReconciliationService } from './vendor-reconciliation.service';
import { VendorReconciliationsController } from './vendor-reconciliations.controller';

/**
 * Vendor invoice reconciliation (docs/consumption.md §9), above usage (rated cost per tenant and
 * meter) and purchasing (accruals, vendors, the bill).
 */
@Module({
  imports: [PurchasingModule, UsageModule],
  controllers: [VendorReconciliationsController],
  providers: [VendorReconciliationService],
})
export class VendorReconciliationModule {}
