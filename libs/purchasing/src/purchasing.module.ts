import { Module } from '@nestjs/common';
import { LedgerModule } from '@disty/ledger';
import { CostAccrualService } from './cost-accrual.service';
import { UnmatchedAccrualsCheck } from './unmatched-accruals.check';

/**
 * Purchasing: what the distributor owes its vendors. Holds the accrued vendor costs (2050's
 * subledger) that shipments, revenue recognition and usage record through CostAccrualService.
 */
@Module({
  imports: [LedgerModule],
  providers: [CostAccrualService, UnmatchedAccrualsCheck],
  exports: [CostAccrualService],
})
export class PurchasingModule {}
