import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Page, Roles, tenantScope } from '#disty/core';
import { CreditExposureService } from './credit-exposure.service';
import {
  CreditAlertPage,
  CreditAlertQueryDto,
  CreditAlertView,
  EvaluateExposureDto,
  ExposureView,
  SetThresholdsDto,
  ThresholdQueryDto,
  ThresholdsView,
} from './dto/credit-exposure.dto';

/** Credit exposure of the CLOUD line: alerts, thresholds, evaluation (docs/consumption.md §7). */
@ApiTags('credit-exposure')
@ApiBearerAuth()
@Controller('credit-exposure')
export class CreditExposureController {
  constructor(private readonly exposure: CreditExposureService) {}

  /** Threshold alerts, newest first: the distributor's finance sees all, a reseller's its own. */
  @Get('alerts')
  @ApiOperation({
    operationId: 'listCreditExposureAlerts',
    summary: 'List credit-exposure threshold alerts (80 %, 100 % of the CLOUD line)',
  })
  @Roles('admin', 'finance', 'reseller_admin', 'reseller_finance')
  @ApiOkResponse({ type: CreditAlertPage })
  alerts(@Query() q: CreditAlertQueryDto, @CurrentActor() actor: Actor): Promise<Page<CreditAlertView>> {
    return this.exposure.alerts(tenantScope(actor, q.resellerId), { page: q.page, pageSize: q.pageSize });
  }

  /** The thresholds in force for a reseller (its own, else the global ones), or the global ones. */
  @Get('thresholds')
  @ApiOperation({
    operationId: 'getCreditExposureThresholds',
    summary: 'Get the credit-exposure thresholds in force',
  })
  @Roles('admin', 'finance', 'reseller_admin', 'reseller_finance')
  @ApiOkResponse({ type: ThresholdsView })
  thresholds(@Query() q: ThresholdQueryDto, @CurrentActor() actor: Actor): Promise<ThresholdsView> {
    return this.exposure.getThresholds(tenantScope(actor, q.resellerId));
  }

  @Put('thresholds')
  @ApiOperation({
    operationId: 'setCreditExposureThresholds',
    summary: 'Set the credit-exposure thresholds, globally or for one reseller',
  })
  @Roles('admin', 'finance')
  @ApiOkResponse({ type: ThresholdsView })
  setThresholds(@Body() dto: SetThresholdsDto): Promise<ThresholdsView> {
    return this.exposure.setThresholds(dto.resellerId ?? null, dto.percents);
  }

  /** Evaluates a reseller's exposure now (it is evaluated after imports, billing and payments anyway). */
  @Post('evaluate')
  @ApiOperation({
    operationId: 'evaluateCreditExposure',
    summary: 'Evaluate credit exposure now: thresholds crossed, hold set or lifted',
  })
  @Roles('admin', 'finance')
  @HttpCode(200)
  @ApiOkResponse({ type: ExposureView })
  evaluate(@Body() dto: EvaluateExposureDto): Promise<ExposureView> {
    return this.exposure.evaluate(dto.resellerId);
  }
}
