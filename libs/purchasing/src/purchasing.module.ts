import { Module } from '@nestjs/common';
import { CostAccrualService } from './cost-accrual.service';

/**
 * Purchasing: what the distributor owes its vendors. Holds the accrued vendor costs (2050's
 * subledger) that shipments, revenue recognition and usage record through CostAccrualService.
 */
@Module({
  providers: [CostAccrualService],
  exports: [CostAccrualService],
})
export class PurchasingModule {}
