import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Page, ParseIdPipe, Roles, tenantScope } from '#disty/core';
import { ConsumptionBudgetService } from './consumption-budget.service';
import {
  BudgetAlertPage,
  BudgetAlertQueryDto,
  BudgetAlertView,
  BudgetView,
  SetBudgetDto,
  UsageSummaryQueryDto,
  UsageSummaryView,
} from './dto/consumption-budget.dto';

const READERS = ['admin', 'finance', 'reseller_admin', 'buyer', 'reseller_finance'] as const;
const WRITERS = ['admin', 'finance', 'reseller_admin', 'reseller_finance'] as const;

/** Budgets, run-rate forecasts and forecast alerts of consumption subscriptions (docs/consumption.md §8). */
@ApiTags('usage')
@ApiBearerAuth()
@Controller()
export class ConsumptionBudgetsController {
  constructor(private readonly budgets: ConsumptionBudgetService) {}

  @Get('consumption-subscriptions/:id/budget')
  @ApiOperation({
    operationId: 'getConsumptionBudget',
    summary: 'Get the monthly budget of a consumption subscription',
  })
  @Roles(...READERS)
  @ApiOkResponse({ type: BudgetView })
  getBudget(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<BudgetView> {
    return this.budgets.getBudget(id, tenantScope(actor));
  }

  @Put('consumption-subscriptions/:id/budget')
  @ApiOperation({
    operationId: 'setConsumptionBudget',
    summary: 'Set the monthly budget of a consumption subscription',
  })
  @Roles(...WRITERS)
  @ApiOkResponse({ type: BudgetView })
  setBudget(@Param('id', ParseIdPipe) id: string, @Body() dto: SetBudgetDto, @CurrentActor() actor: Actor): Promise<BudgetView> {
    return this.budgets.setBudget(id, tenantScope(actor), dto.monthlyAmount);
  }

  /** Month to date, run-rate forecast and budget, in total and per meter. */
  @Get('consumption-subscriptions/:id/usage-summary')
  @ApiOperation({
    operationId: 'getConsumptionUsageSummary',
    summary: 'Month-to-date usage, run-rate forecast and budget of a consumption subscription, per meter',
  })
  @Roles(...READERS)
  @ApiOkResponse({ type: UsageSummaryView })
  summary(@Param('id', ParseIdPipe) id: string, @Query() q: UsageSummaryQueryDto, @CurrentActor() actor: Actor): Promise<UsageSummaryView> {
    return this.budgets.summary(id, tenantScope(actor), q.month);
  }

  /** Forecast-over-budget alerts, newest first. */
  @Get('consumption-budget-alerts')
  @ApiOperation({ operationId: 'listConsumptionBudgetAlerts', summary: 'List forecast-over-budget alerts' })
  @Roles(...READERS)
  @ApiOkResponse({ type: BudgetAlertPage })
  alerts(@Query() q: BudgetAlertQueryDto, @CurrentActor() actor: Actor): Promise<Page<BudgetAlertView>> {
    return this.budgets.alerts(tenantScope(actor, q.resellerId), {
      subscriptionId: q.subscriptionId,
      page: q.page,
      pageSize: q.pageSize,
    });
  }
}
