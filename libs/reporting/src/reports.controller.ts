import { Controller, Get, Headers, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles, wantsCsv } from '#disty/core';
import { MarginQueryDto, MarginReportView } from './dto/margin.dto';
import { MarginReportService } from './margin-report.service';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class MarginReportController {
  constructor(private readonly margins: MarginReportService) {}

  /** Revenue, cost, gross margin and margin % on the recognised basis, grouped by reseller, SKU, vendor or month; CSV with Accept: text/csv. */
  @Get('margin')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getMarginReport', summary: 'Report revenue, cost and margin as JSON or CSV' })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: MarginReportView })
  async margin(@Query() q: MarginQueryDto, @Headers('accept') accept?: string) {
    const query = {
      from: q.from,
      to: q.to,
      groupBy: q.groupBy ?? 'month',
      currency: q.currency,
      resellerId: q.resellerId,
    };
    if (wantsCsv(accept)) {
      return new StreamableFile(Buffer.from(await this.margins.csv(query)), {
        type: 'text/csv; charset=utf-8',
        disposition: `attachment; filename="margin-${query.groupBy}-${q.from}-${q.to}.csv"`,
      });
    }
    return this.margins.report(query);
  }
}
