import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiCsvResponse, assertPeriod, csvStream, PeriodQueryDto, Roles } from '#disty/core';
import { PAYMENT_EXPORT_COLUMNS, PaymentExportService } from './payment-export.service';

@ApiTags('exports')
@ApiBearerAuth()
@Controller('exports')
export class PaymentExportController {
  constructor(private readonly exports: PaymentExportService) {}

  /** Payments received in [from, to] as CSV, streamed (columns: docs/accounting.md §8). */
  @Get('payments')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'exportPayments', summary: 'Export the payments of a period as CSV' })
  @ApiCsvResponse(`Columns: ${PAYMENT_EXPORT_COLUMNS.join(', ')}`)
  @Header('Cache-Control', 'private, no-store')
  payments(@Query() q: PeriodQueryDto): StreamableFile {
    assertPeriod(q);
    return new StreamableFile(csvStream(PAYMENT_EXPORT_COLUMNS, this.exports.payments(q.from, q.to)), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="payments-${q.from}-${q.to}.csv"`,
    });
  }
}
