import { Body, Controller, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, ParseIdPipe, Roles } from '@disty/core';
import { CancelSubscriptionDto, ChangeSubscriptionDto, SubscriptionView } from '@disty/subscription';
import { SubscriptionChangeUseCase } from './subscription-change.use-case';

/** Reseller users change today or schedule a later date; distributor staff may also back-date (with a reason). */
const CHANGERS = ['buyer', 'reseller_admin', 'admin', 'finance'] as const;

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
