import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiProblems, Clock, CurrentActor, ParseIdPipe, Roles, tenantScope } from '#disty/core';
import {
  DeferredRevenueQueryDto,
  DeferredRevenueReportView,
  RecognitionRunView,
  RevenueScheduleView,
  RunRecognitionDto,
} from './dto/recognition.dto';
import { RevenueRecognitionService } from './revenue-recognition.service';
import { RevenueScheduleService } from './revenue-schedule.service';

@ApiTags('ledger')
@ApiBearerAuth()
@Controller('ledger/recognition')
export class RecognitionController {
  constructor(private readonly recognition: RevenueRecognitionService) {}

  /** Releases cloud service days through `through` (default yesterday) from 2400 to 4100, with their cost; idempotent. */
  @Post('run')
  @Roles('finance', 'admin')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'runRevenueRecognition',
    summary: 'Recognise deferred cloud revenue through a date',
  })
  @ApiOkResponse({ type: RecognitionRunView })
  @ApiProblems(422)
  run(@Body() dto: RunRecognitionDto, @CurrentActor() actor: Actor): Promise<RecognitionRunView> {
    return this.recognition.run(dto.through ?? this.recognition.defaultThrough(), actor.id);
  }
}

@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller('subscriptions')
export class RevenueScheduleController {
  constructor(private readonly schedules: RevenueScheduleService) {}

  /** Tenant-scoped like GET /subscriptions/:id. Per invoiced charge and month: days, amount, recognised (and by which entries), what stays deferred. */
  @Get(':id/revenue-schedule')
  @Roles('buyer', 'reseller_admin', 'sales', 'admin', 'finance')
  @ApiOperation({ operationId: 'getRevenueSchedule', summary: 'Read a subscription’s revenue schedule' })
  @ApiOkResponse({ type: RevenueScheduleView })
  schedule(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<RevenueScheduleView> {
    return this.schedules.schedule(id, tenantScope(actor));
  }
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class DeferredRevenueReportController {
  constructor(
    private readonly schedules: RevenueScheduleService,
    private readonly clock: Clock,
  ) {}

  /** 2400's roll-forward for asOf's month: opening, invoiced, credited, released, closing, and the ledger's closing balance. */
  @Get('deferred-revenue')
  @Roles('finance', 'admin')
  @ApiOperation({
    operationId: 'getDeferredRevenueReport',
    summary: 'Report the deferred revenue roll-forward for a month',
  })
  @ApiOkResponse({ type: DeferredRevenueReportView })
  deferredRevenue(@Query() q: DeferredRevenueQueryDto): Promise<DeferredRevenueReportView> {
    return this.schedules.deferredRevenue(q.asOf ?? this.clock.today(), q.resellerId ?? null, q.byReseller === 'true');
  }
}
