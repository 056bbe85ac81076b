import { Module } from '@nestjs/common';
import { LedgerModule } from '#disty/ledger';
import { CostAccrualService } from './cost-accrual.service';
import { UnmatchedAccrualsCheck } from './unmatched-accruals.check';
import { PayablesAuditService } from './payables-audit.service';
import { ReconciledBillService } from './reconciled-bill.service';
import { VendorBillService } from './vendor-bill.service';
import { VendorBillsController } from './vendor-bills.controller';
import { VendorPaymentService } from './vendor-payment.service';
import { VendorService } from './vendor.service';
import { VendorsController } from './vendors.controller';

/**
 * Purchasing: what the distributor owes its vendors. Holds the accrued vendor costs (2050's
 * subledger) that shipments, revenue recognition and usage record through CostAccrualService,
 * the vendors, and the vendor bills that match those accruals and are paid (2000's subledger).
 * PayablesAuditService gives reconciliation both subledgers (docs/accounting.md §6).
 */
@Module({
  imports: [LedgerModule],
  controllers: [VendorsController, VendorBillsController],
  providers: [
    CostAccrualService,
    VendorService,
    VendorBillService,
    VendorPaymentService,
    PayablesAuditService,
    UnmatchedAccrualsCheck,
    ReconciledBillService,
  ],
  exports: [CostAccrualService, VendorService, VendorBillService, VendorPaymentService, PayablesAuditService, ReconciledBillService],
})
export class PurchasingModule {}
