import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller';
import { LedgerService } from './ledger.service';
import { LedgerReadService } from './ledger-read.service';
import { LedgerPeriodService } from './ledger-period.service';
import { PeriodCloseChecks } from './period-close-checks';
import { FxRateService } from './fx/fx-rate.service';
import { FxRatesController } from './fx/fx-rates.controller';
import { RevaluationService } from './fx/revaluation.service';

/** The general ledger: depends on core only; everybody posts through LedgerService. */
@Module({
  controllers: [LedgerController, FxRatesController],
  providers: [LedgerService, LedgerReadService, LedgerPeriodService, PeriodCloseChecks, FxRateService, RevaluationService],
  exports: [LedgerService, FxRateService],
})
export class LedgerModule {}
