import { Module } from '@nestjs/common';
import { EndCustomerService } from './end-customer.service';
import { EndCustomersController } from './end-customers.controller';

/**
 * Customers: each reseller's end customers as records (docs/architecture.md). Ordering resolves an
 * order's end customer through EndCustomerService inside the order's transaction.
 */
@Module({
  controllers: [EndCustomersController],
  providers: [EndCustomerService],
  exports: [EndCustomerService],
})
export class CustomersModule {}
