import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller';
import { LedgerService } from './ledger.service';
import { LedgerBatchService } from './ledger-batch.service';
import { LedgerReadService } from './ledger-read.service';
import { LedgerPeriodService } from './ledger-period.service';
import { PeriodCloseChecks } from './period-close-checks';
import { JournalReadService } from './journal-read.service';
import { JournalExportController } from './journal-export.controller';
import { FxRateService } from './fx/fx-rate.service';
import { FxRatesController } from './fx/fx-rates.controller';
import { RevaluationService } from './fx/revaluation.service';

/** The general ledger: depends on core only; everybody posts through LedgerService; statements and exports read through JournalReadService. */
@Module({
  controllers: [LedgerController, JournalExportController, FxRatesController],
  providers: [
    LedgerService,
    LedgerBatchService,
    LedgerReadService,
    LedgerPeriodService,
    PeriodCloseChecks,
    JournalReadService,
    FxRateService,
    RevaluationService,
  ],
  exports: [LedgerService, LedgerBatchService, JournalReadService, FxRateService],
})
export class LedgerModule {}
