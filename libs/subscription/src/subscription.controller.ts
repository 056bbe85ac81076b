import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, Clock, CurrentActor, ParseIdPipe, Roles, tenantScope } from '@disty/core';
import { CancelSubscriptionDto, ChangeSubscriptionDto, RenewalRunQueryDto, RenewalRunResult, SubscriptionQueryDto } from './dto/subscription.dto';
import { SubscriptionView } from './dto/subscription.response';
import { RenewalService } from './renewal.service';
import { SubscriptionChangeService } from './subscription-change.service';
import { SubscriptionService } from './subscription.service';

const READERS = ['buyer', 'reseller_admin', 'sales', 'admin', 'finance'] as const;
const CHANGERS = ['buyer', 'reseller_admin', 'admin'] as const;

@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller('subscriptions')
export class SubscriptionController {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly changes: SubscriptionChangeService,
  ) {}

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

  @Patch(':id')
  @Roles(...CHANGERS)
  @ApiOkResponse({ type: SubscriptionView })
  change(@Param('id', ParseIdPipe) id: string, @Body() dto: ChangeSubscriptionDto, @CurrentActor() actor: Actor): Promise<SubscriptionView> {
    return this.changes.change(id, tenantScope(actor), dto, actor.id);
  }

  @Post(':id/cancel')
  @Roles(...CHANGERS)
  @HttpCode(200)
  @ApiOkResponse({ type: SubscriptionView })
  cancel(@Param('id', ParseIdPipe) id: string, @Body() dto: CancelSubscriptionDto, @CurrentActor() actor: Actor): Promise<SubscriptionView> {
    return this.changes.cancel(id, tenantScope(actor), dto, actor.id);
  }
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
