import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Actor, ApiProblems, CurrentActor, ParseIdPipe, Roles } from '#disty/core';
import {
  CancelSubscriptionDto,
  ChangeSubscriptionDto,
  ScheduleChangeDto,
  ScheduledChangeView,
  SubscriptionView,
} from '#disty/subscription';
import { SubscriptionChangeUseCase } from './subscription-change.use-case';

/** Reseller users change today or schedule a later date; distributor staff may also back-date (with a reason). */
const CHANGERS = ['buyer', 'reseller_admin', 'admin', 'finance'] as const;
const READERS = ['buyer', 'reseller_admin', 'sales', 'admin', 'finance'] as const;

class ScheduledChangeList {
  @ApiProperty({ type: [ScheduledChangeView] }) items: ScheduledChangeView[];
}

@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller('subscriptions')
export class SubscriptionChangesController {
  constructor(private readonly useCase: SubscriptionChangeUseCase) {}

  @Patch(':id')
  @Roles(...CHANGERS)
  @ApiOperation({
    operationId: 'changeSubscription',
    summary: 'Change a subscription (quantity, auto-renew) today, at a later date, or back-dated',
  })
  @ApiOkResponse({
    type: SubscriptionView,
    description: 'The subscription, with its charges and scheduled changes',
  })
  @ApiProblems(409, 422)
  change(
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: ChangeSubscriptionDto,
    @CurrentActor() actor: Actor,
  ): Promise<SubscriptionView> {
    return this.useCase.change(id, actor, dto);
  }

  @Post(':id/scheduled-changes')
  @Roles(...CHANGERS)
  @ApiOperation({
    operationId: 'scheduleSubscriptionChange',
    summary: 'Schedule a change for a later date or for the renewal',
  })
  @ApiCreatedResponse({ type: ScheduledChangeView, description: 'The scheduled change, PENDING' })
  @ApiProblems(409, 422)
  schedule(
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: ScheduleChangeDto,
    @CurrentActor() actor: Actor,
  ): Promise<ScheduledChangeView> {
    return this.useCase.schedule(id, actor, dto);
  }

  @Get(':id/scheduled-changes')
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'listScheduledChanges',
    summary: 'List the scheduled changes of a subscription',
  })
  @ApiOkResponse({
    type: ScheduledChangeList,
    description: 'PENDING first, then APPLIED, CANCELLED and FAILED ones',
  })
  listScheduled(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<ScheduledChangeList> {
    return this.useCase.listScheduled(id, actor);
  }

  @Delete(':id/scheduled-changes/:changeId')
  @Roles(...CHANGERS)
  @ApiOperation({ operationId: 'deleteScheduledChange', summary: 'Withdraw a scheduled change' })
  @ApiOkResponse({
    type: SubscriptionView,
    description: 'The subscription; the scheduled change is CANCELLED',
  })
  @ApiProblems(409)
  deleteScheduled(
    @Param('id', ParseIdPipe) id: string,
    @Param('changeId', ParseIdPipe) changeId: string,
    @CurrentActor() actor: Actor,
  ): Promise<SubscriptionView> {
    return this.useCase.withdrawScheduled(id, actor, changeId);
  }

  @Post(':id/scheduled-changes/:changeId/cancel')
  @Roles(...CHANGERS)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'cancelScheduledChange',
    summary: 'Withdraw a scheduled change (POST form of the DELETE)',
  })
  @ApiOkResponse({
    type: SubscriptionView,
    description: 'The subscription; the scheduled change is CANCELLED',
  })
  @ApiProblems(409)
  withdraw(
    @Param('id', ParseIdPipe) id: string,
    @Param('changeId', ParseIdPipe) changeId: string,
    @CurrentActor() actor: Actor,
  ): Promise<SubscriptionView> {
    return this.useCase.withdrawScheduled(id, actor, changeId);
  }

  @Post(':id/cancel')
  @Roles(...CHANGERS)
  @HttpCode(200)
  @ApiOperation({
    operationId: 'cancelSubscription',
    summary: 'Cancel a subscription now or at the end of its term',
  })
  @ApiOkResponse({
    type: SubscriptionView,
    description: 'The subscription, with its charges and scheduled changes',
  })
  @ApiProblems(409, 422)
  cancel(
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CancelSubscriptionDto,
    @CurrentActor() actor: Actor,
  ): Promise<SubscriptionView> {
    return this.useCase.cancel(id, actor, dto);
  }
}
