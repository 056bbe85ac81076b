import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, Clock, CurrentActor, ParseIdPipe, Roles, tenantScope } from '@disty/core';
import { RenewalRunQueryDto, RenewalRunResult, SubscriptionQueryDto } from './dto/subscription.dto';
import { SubscriptionView } from './dto/subscription.response';
import { RenewalService } from './renewal.service';
import { SubscriptionService } from './subscription.service';

const READERS = ['buyer', 'reseller_admin', 'sales', 'admin', 'finance'] as const;

@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller('subscriptions')
export class SubscriptionController {
  constructor(private readonly subscriptions: SubscriptionService) {}

  @Get()
  @Roles(...READERS)
  list(@Query() q: SubscriptionQueryDto, @CurrentActor() actor: Actor) {
    return this.subscriptions.list({ ...q, resellerId: tenantScope(actor, q.resellerId), page: q.page, pageSize: q.pageSize });
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOkResponse({ type: SubscriptionView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<SubscriptionView> {
    return this.subscriptions.get(id, tenantScope(actor));
  }

  // PATCH /subscriptions/:id and POST /subscriptions/:id/cancel span subscriptions and invoicing (a
  // back-dated credit becomes a credit note): apps/api/src/subscription-changes holds them.
}

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs/renewals')
export class RenewalJobController {
  constructor(
    private readonly renewals: RenewalService,
    private readonly clock: Clock,
  ) {}

  @Post('run')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: RenewalRunResult })
  run(@Query() q: RenewalRunQueryDto): Promise<RenewalRunResult> {
    return this.renewals.run(q.asOf ?? this.clock.today());
  }
}
