import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiCsvResponse, assertPeriod, csvStream, PeriodQueryDto, Roles } from '#disty/core';
import { JOURNAL_EXPORT_COLUMNS, JournalReadService } from './journal-read.service';

@ApiTags('exports')
@ApiBearerAuth()
@Controller('exports')
export class JournalExportController {
  constructor(private readonly reads: JournalReadService) {}

  /** Every journal line dated in [from, to] as CSV, streamed (columns: docs/accounting.md §8, README "Exports"). */
  @Get('journal')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'exportJournal', summary: 'Export the journal lines of a period as CSV' })
  @ApiCsvResponse(`Columns: ${JOURNAL_EXPORT_COLUMNS.join(', ')}`)
  @Header('Cache-Control', 'private, no-store')
  journal(@Query() q: PeriodQueryDto): StreamableFile {
    assertPeriod(q);
    return new StreamableFile(csvStream(JOURNAL_EXPORT_COLUMNS, this.reads.journalLines(q.from, q.to)), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="journal-${q.from}-${q.to}.csv"`,
    });
  }
}
