import { Module } from '@nestjs/common';
import { MarginReportController } from './reports.controller';
import { MarginReportService } from './margin-report.service';

/** Cross-module reports read from the modules' published read contracts (docs/architecture.md §3). */
@Module({
  controllers: [MarginReportController],
  providers: [MarginReportService],
  exports: [MarginReportService],
})
export class ReportingModule {}
