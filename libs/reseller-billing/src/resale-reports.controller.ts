import { Controller, Get, Header, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiCsvResponse, assertPeriod, csvStream, CurrentActor, Roles } from '#disty/core';
import { EndCustomerMarginView, MarginQueryDto, PsaExportQueryDto } from './dto/end-customer-invoice.dto';
import { PSA_COLUMNS, ResaleReportService } from './resale-report.service';
import { actingReseller } from './tenant';

/** The reseller's own figures: per-customer margin and the PSA export (docs/billing-on-behalf.md). Not distributor finance's. */
@ApiTags('reseller-billing')
@ApiBearerAuth()
@Controller()
export class ResaleReportsController {
  constructor(private readonly reports: ResaleReportService) {}

  @Get('reports/end-customer-margin')
  @Roles('reseller_admin', 'reseller_finance', 'admin')
  @ApiOperation({
    operationId: 'getEndCustomerMargin',
    summary: 'What each end customer paid or owes against what the reseller owes the distributor for it',
  })
  @ApiOkResponse({ type: EndCustomerMarginView })
  margin(@Query() q: MarginQueryDto, @CurrentActor() actor: Actor): Promise<EndCustomerMarginView> {
    assertPeriod(q);
    return this.reports.margins(actingReseller(actor, q.resellerId), q.from, q.to);
  }

  @Get('exports/psa')
  @Roles('reseller_admin', 'reseller_finance', 'admin')
  @Header('Cache-Control', 'private, no-store')
  @ApiOperation({
    operationId: 'exportPsaLines',
    summary: 'End-customer billing lines for PSA tools (ConnectWise, Autotask, HaloPSA) as CSV',
  })
  @ApiCsvResponse(`Columns: ${PSA_COLUMNS.join(', ')}`)
  psa(@Query() q: PsaExportQueryDto, @CurrentActor() actor: Actor): StreamableFile {
    assertPeriod(q);
    const resellerId = actingReseller(actor, q.resellerId);
    return new StreamableFile(
      csvStream(PSA_COLUMNS, this.reports.psaRows(resellerId, q.from, q.to, q.endCustomerId?.toLowerCase() ?? null)),
      {
        type: 'text/csv; charset=utf-8',
        disposition: `attachment; filename="psa-${q.from}-${q.to}.csv"`,
      },
    );
  }
}
