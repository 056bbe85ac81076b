import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiNoContent, ApiPageResponse, ApiProblems, CurrentActor, Page, ParseIdPipe, Roles, tenantScope } from '#disty/core';
import { CreatedWebhookView, CreateWebhookDto, DeliveryQueryDto, DeliveryView, WebhookQueryDto, WebhookView } from './dto/webhook.dto';
import { WebhookService } from './webhook.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhookController {
  constructor(private readonly webhooks: WebhookService) {}

  @Post()
  @Roles('reseller_admin', 'admin')
  @ApiOperation({ operationId: 'createWebhook', summary: 'Register a webhook endpoint' })
  @ApiCreatedResponse({ type: CreatedWebhookView, description: 'The signing secret is returned only here' })
  @ApiProblems(422)
  create(@Body() dto: CreateWebhookDto, @CurrentActor() actor: Actor): Promise<CreatedWebhookView> {
    const resellerId = WebhookService.resellerFor(actor, dto.resellerId);
    return this.webhooks.create({ resellerId, url: dto.url, events: dto.events, createdBy: actor.id });
  }

  @Get()
  @Roles('reseller_admin', 'admin')
  @ApiOperation({ operationId: 'listWebhooks', summary: 'List webhook endpoints' })
  @ApiPageResponse(WebhookView)
  list(@Query() q: WebhookQueryDto, @CurrentActor() actor: Actor): Promise<Page<WebhookView>> {
    return this.webhooks.list(tenantScope(actor, q.resellerId), q);
  }

  @Get(':id')
  @Roles('reseller_admin', 'admin')
  @ApiOperation({ operationId: 'getWebhook', summary: 'Read a webhook endpoint' })
  @ApiOkResponse({ type: WebhookView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<WebhookView> {
    return this.webhooks.get(id, tenantScope(actor));
  }

  @Delete(':id')
  @Roles('reseller_admin', 'admin')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhook', summary: 'Delete a webhook endpoint' })
  @ApiNoContent('Deleted; its pending deliveries end FAILED')
  async remove(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.webhooks.remove(id, tenantScope(actor));
  }

  @Get(':id/deliveries')
  @Roles('reseller_admin', 'admin')
  @ApiOperation({ operationId: 'listWebhookDeliveries', summary: 'List a webhook’s deliveries' })
  @ApiPageResponse(DeliveryView)
  deliveries(
    @Param('id', ParseIdPipe) id: string,
    @Query() q: DeliveryQueryDto,
    @CurrentActor() actor: Actor,
  ): Promise<Page<DeliveryView>> {
    return this.webhooks.deliveries(id, tenantScope(actor), q);
  }
}
