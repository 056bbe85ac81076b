import { Module } from '@nestjs/common';
import { SUPPLIER_SETTINGS, supplierSettings } from './supplier.config';
import { TaxCodesController } from './tax-codes.controller';
import { TaxService } from './tax.service';

/** Tax codes and rules; other modules choose and describe codes through TaxService. Depends on core only. */
@Module({
  controllers: [TaxCodesController],
  providers: [TaxService, { provide: SUPPLIER_SETTINGS, useFactory: () => supplierSettings() }],
  exports: [TaxService],
})
export class TaxModule {}
