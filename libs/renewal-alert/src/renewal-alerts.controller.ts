import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Actor, ApiProblems, Clock, CurrentActor, PageOf, ParseIdPipe, Roles, tenantScope, wantsCsv } from '#disty/core';
import {
  AlertQueryDto,
  BulkAssignDto,
  BulkAssignResult,
  CreateQuoteDto,
  PipelineQueryDto,
  ScanDto,
  ScanResult,
  UpdateAlertDto,
} from './dto/renewal-alert.dto';
import { PipelineView, RenewalAlertView, RenewalCardView } from './dto/renewal-alert.response';
import { RenewalAlertQueryService } from './renewal-alert-query.service';
import { RenewalAlertService } from './renewal-alert.service';
import { RenewalQuoteView } from './dto/renewal-quote.response';
import { RenewalQuoteService } from './renewal-quote.service';

const READERS = ['sales', 'reseller_admin', 'admin'] as const;

@ApiTags('renewal-alerts')
@ApiBearerAuth()
@Controller('renewal-alerts')
export class RenewalAlertController {
  constructor(
    private readonly alerts: RenewalAlertService,
    private readonly queries: RenewalAlertQueryService,
    private readonly quotes: RenewalQuoteService,
    private readonly clock: Clock,
  ) {}

  @Post('scan')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ operationId: 'scanRenewalAlerts', summary: 'Run the renewal-alert scan as of a date' })
  @ApiOkResponse({ type: ScanResult })
  scan(@Body() dto: ScanDto): Promise<ScanResult> {
    return this.alerts.scan(dto.asOf ?? this.clock.today());
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'listRenewalAlerts',
    summary: 'List renewal alerts, or one card per renewal, as JSON or CSV',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiExtraModels(PageOf(RenewalAlertView), PageOf(RenewalCardView))
  @ApiOkResponse({
    description: 'A page of alerts (view=alerts) or of renewal cards (view=renewals); CSV with Accept: text/csv',
    schema: {
      anyOf: [{ $ref: getSchemaPath(PageOf(RenewalAlertView)) }, { $ref: getSchemaPath(PageOf(RenewalCardView)) }],
    },
  })
  list(@Query() q: AlertQueryDto, @CurrentActor() actor: Actor, @Headers('accept') accept?: string) {
    const filter = {
      resellerId: tenantScope(actor, q.resellerId),
      threshold: q.threshold,
      status: q.status,
      source: q.source,
      assigneeId: q.assigneeId,
      termEndBefore: q.termEndBefore,
      endCustomer: q.endCustomer,
      daysLeftMax: q.daysLeftMax,
      q: q.q,
      sort: q.sort,
      order: q.order,
      asOf: q.asOf ?? this.clock.today(),
    };
    if (wantsCsv(accept)) {
      return new StreamableFile(this.queries.exportCsv(filter, q.view ?? 'alerts'), {
        type: 'text/csv; charset=utf-8',
        disposition: 'attachment; filename="renewal-alerts.csv"',
      });
    }
    return q.view === 'renewals' ? this.queries.listRenewals(filter, q) : this.queries.list(filter, q);
  }

  @Post('assign')
  @Roles(...READERS)
  @HttpCode(200)
  @ApiOperation({ operationId: 'assignRenewalAlerts', summary: 'Assign the renewals of many alerts at once' })
  @ApiOkResponse({ type: BulkAssignResult })
  @ApiProblems(404, 422)
  assign(@Body() dto: BulkAssignDto, @CurrentActor() actor: Actor): Promise<BulkAssignResult> {
    return this.alerts.bulkAssign(dto.alertIds, tenantScope(actor), dto.assigneeId);
  }

  @Get('pipeline')
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'getRenewalPipeline',
    summary: 'Report the renewal pipeline by threshold and status',
  })
  @ApiOkResponse({ type: PipelineView })
  pipeline(@Query() q: PipelineQueryDto, @CurrentActor() actor: Actor): Promise<PipelineView> {
    return this.queries.pipeline({
      resellerId: tenantScope(actor, q.resellerId),
      assigneeId: q.assigneeId,
      termEndBefore: q.termEndBefore,
    });
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getRenewalAlert', summary: 'Read a renewal alert' })
  @ApiOkResponse({ type: RenewalAlertView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<RenewalAlertView> {
    return this.queries.get(id, tenantScope(actor));
  }

  @Post(':id/quote')
  @Roles('sales', 'reseller_admin', 'admin')
  @ApiOperation({ operationId: 'createRenewalQuote', summary: 'Make a quote for an alert’s renewal' })
  @ApiCreatedResponse({ type: RenewalQuoteView })
  @ApiProblems(409, 422)
  quote(@Param('id', ParseIdPipe) id: string, @Body() dto: CreateQuoteDto, @CurrentActor() actor: Actor): Promise<RenewalQuoteView> {
    return this.quotes.create(id, tenantScope(actor), actor.id, dto);
  }

  @Patch(':id')
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'updateRenewalAlert',
    summary: 'Change a renewal’s status, assignee or notes',
  })
  @ApiOkResponse({ type: RenewalAlertView })
  @ApiProblems(409, 422)
  update(@Param('id', ParseIdPipe) id: string, @Body() dto: UpdateAlertDto, @CurrentActor() actor: Actor): Promise<RenewalAlertView> {
    return this.alerts.update(id, tenantScope(actor), actor.id, dto);
  }
}
