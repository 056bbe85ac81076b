import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiProblems, CurrentActor, Page, ParseIdPipe, Roles, tenantScope } from '#disty/core';
import { ConsumptionSubscriptionService, subscriptionReseller } from './consumption-subscription.service';
import {
  ConsumptionSubscriptionPage,
  ConsumptionSubscriptionQueryDto,
  ConsumptionSubscriptionView,
  CreateConsumptionSubscriptionDto,
} from './dto/consumption-subscription.dto';

const WRITERS = ['admin', 'reseller_admin', 'buyer'] as const;
const READERS = ['admin', 'finance', 'reseller_admin', 'buyer', 'reseller_finance'] as const;

/** Consumption subscriptions: which vendor tenant's usage a reseller's end customer is billed for (docs/consumption.md). */
@ApiTags('usage')
@ApiBearerAuth()
@Controller('consumption-subscriptions')
export class ConsumptionSubscriptionsController {
  constructor(private readonly subscriptions: ConsumptionSubscriptionService) {}

  @Post()
  @ApiOperation({
    operationId: 'createConsumptionSubscription',
    summary: 'Map an end customer to a vendor tenant or account id for a consumption product',
  })
  @ApiProblems(409, 422)
  @Roles(...WRITERS)
  @ApiCreatedResponse({ type: ConsumptionSubscriptionView })
  create(@Body() dto: CreateConsumptionSubscriptionDto, @CurrentActor() actor: Actor): Promise<ConsumptionSubscriptionView> {
    return this.subscriptions.create(subscriptionReseller(actor.resellerId, dto.resellerId), dto);
  }

  @Get()
  @ApiOperation({ operationId: 'listConsumptionSubscriptions', summary: 'List consumption subscriptions' })
  @Roles(...READERS)
  @ApiOkResponse({ type: ConsumptionSubscriptionPage })
  list(@Query() q: ConsumptionSubscriptionQueryDto, @CurrentActor() actor: Actor): Promise<Page<ConsumptionSubscriptionView>> {
    return this.subscriptions.list(tenantScope(actor, q.resellerId), {
      endCustomerId: q.endCustomerId,
      page: q.page,
      pageSize: q.pageSize,
    });
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getConsumptionSubscription', summary: 'Get a consumption subscription' })
  @Roles(...READERS)
  @ApiOkResponse({ type: ConsumptionSubscriptionView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<ConsumptionSubscriptionView> {
    return this.subscriptions.get(id, tenantScope(actor));
  }
}
