import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller';
import { LedgerService } from './ledger.service';
import { LedgerReadService } from './ledger-read.service';
import { LedgerPeriodService } from './ledger-period.service';
import { PeriodCloseChecks } from './period-close-checks';
import { JournalReadService } from './journal-read.service';
import { JournalExportController } from './journal-export.controller';

/** The general ledger: depends on core only; everybody posts through LedgerService; statements and exports read through JournalReadService. */
@Module({
  controllers: [LedgerController, JournalExportController],
  providers: [LedgerService, LedgerReadService, LedgerPeriodService, PeriodCloseChecks, JournalReadService],
  exports: [LedgerService, JournalReadService],
})
export class LedgerModule {}
