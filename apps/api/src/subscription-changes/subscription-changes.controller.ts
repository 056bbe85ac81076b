import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, ParseIdPipe, Roles } from '@disty/core';
import { CancelSubscriptionDto, ChangeSubscriptionDto, ScheduleChangeDto, ScheduledChangeView, SubscriptionView } from '@disty/subscription';
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
  @ApiOkResponse({ type: SubscriptionView, description: 'The subscription, with its charges and scheduled changes' })
  change(@Param('id', ParseIdPipe) id: string, @Body() dto: ChangeSubscriptionDto, @CurrentActor() actor: Actor): Promise<SubscriptionView> {
    return this.useCase.change(id, actor, dto);
  }

  @Post(':id/scheduled-changes')
  @Roles(...CHANGERS)
  @ApiCreatedResponse({ type: ScheduledChangeView, description: 'The scheduled change, PENDING' })
  schedule(@Param('id', ParseIdPipe) id: string, @Body() dto: ScheduleChangeDto, @CurrentActor() actor: Actor): Promise<ScheduledChangeView> {
    return this.useCase.schedule(id, actor, dto);
  }

  @Get(':id/scheduled-changes')
  @Roles(...READERS)
  @ApiOkResponse({ type: ScheduledChangeList, description: 'PENDING first, then APPLIED, CANCELLED and FAILED ones' })
  listScheduled(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<ScheduledChangeList> {
    return this.useCase.listScheduled(id, actor);
  }

  @Delete(':id/scheduled-changes/:changeId')
  @Roles(...CHANGERS)
  @ApiOkResponse({ type: SubscriptionView, description: 'The subscription; the scheduled change is CANCELLED' })
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
  @ApiOkResponse({ type: SubscriptionView, description: 'The subscription; the scheduled change is CANCELLED' })
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
  @ApiOkResponse({ type: SubscriptionView, description: 'The subscription, with its charges and scheduled changes' })
  cancel(@Param('id', ParseIdPipe) id: string, @Body() dto: CancelSubscriptionDto, @CurrentActor() actor: Actor): Promise<SubscriptionView> {
    return this.useCase.cancel(id, actor, dto);
  }
}
