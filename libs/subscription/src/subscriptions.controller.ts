import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiPageResponse, CurrentActor, Page, ParseIdPipe, Roles, tenantScope } from '#disty/core';
import { SubscriptionQueryDto } from './dto/subscription.dto';
import { SubscriptionView } from './dto/subscription.response';
import { SubscriptionService } from './subscription.service';

const READERS = ['buyer', 'reseller_admin', 'sales', 'admin', 'finance'] as const;

@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller('subscriptions')
export class SubscriptionController {
  constructor(private readonly subscriptions: SubscriptionService) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listSubscriptions', summary: 'List subscriptions' })
  @ApiPageResponse(SubscriptionView)
  list(@Query() q: SubscriptionQueryDto, @CurrentActor() actor: Actor): Promise<Page<SubscriptionView>> {
    return this.subscriptions.list({
      ...q,
      resellerId: tenantScope(actor, q.resellerId),
      page: q.page,
      pageSize: q.pageSize,
    });
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'getSubscription',
    summary: 'Read a subscription with its charges and scheduled changes',
  })
  @ApiOkResponse({ type: SubscriptionView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<SubscriptionView> {
    return this.subscriptions.get(id, tenantScope(actor));
  }

  // PATCH /subscriptions/:id and POST /subscriptions/:id/cancel span subscriptions and invoicing (a
  // back-dated credit becomes a credit note): apps/api/src/subscription-changes holds them.
}
