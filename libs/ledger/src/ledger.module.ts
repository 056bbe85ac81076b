import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller';
import { LedgerService } from './ledger.service';
import { LedgerReadService } from './ledger-read.service';
import { LedgerPeriodService } from './ledger-period.service';
import { PeriodCloseChecks } from './period-close-checks';

/** The general ledger: depends on core only; everybody posts through LedgerService. */
@Module({
  controllers: [LedgerController],
  providers: [LedgerService, LedgerReadService, LedgerPeriodService, PeriodCloseChecks],
  exports: [LedgerService],
})
export class LedgerModule {}
