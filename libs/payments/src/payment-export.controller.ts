import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { assertPeriod, csvStream, PeriodQueryDto, Roles } from '@disty/core';
import { PAYMENT_EXPORT_COLUMNS, PaymentExportService } from './payment-export.service';

@ApiTags('exports')
@ApiBearerAuth()
@Controller('exports')
export class PaymentExportController {
  constructor(private readonly exports: PaymentExportService) {}

  /** Payments received in [from, to] as CSV, streamed (columns: docs/accounting.md §8). */
  @Get('payments')
  @Roles('finance', 'admin')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: `CSV with the columns ${PAYMENT_EXPORT_COLUMNS.join(', ')}` })
  @Header('Cache-Control', 'private, no-store')
  payments(@Query() q: PeriodQueryDto): StreamableFile {
    assertPeriod(q);
    return new StreamableFile(csvStream(PAYMENT_EXPORT_COLUMNS, this.exports.payments(q.from, q.to)), {
      type: 'text/csv; charset=utf-8', disposition: `attachment; filename="payments-${q.from}-${q.to}.csv"`,
    });
  }
}
