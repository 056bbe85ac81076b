import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiPageResponse, ApiProblems, CurrentActor, Page, ParseIdPipe, Roles, tenantScope } from '#disty/core';
import { BillingProfileService } from './billing-profile.service';
import {
  BillingFeeDto,
  BillingProfileView,
  CreatePriceRuleDto,
  EndCustomerPriceView,
  PriceListQueryDto,
  PriceRuleQueryDto,
  PriceRuleView,
  ProfileQueryDto,
  UpdateBillingProfileDto,
} from './dto/billing-profile.dto';
import { actingReseller } from './tenant';

/** A reseller's billing profile and price lists (docs/billing-on-behalf.md). Price lists are the reseller's: distributor finance does not see them. */
@ApiTags('reseller-billing')
@ApiBearerAuth()
@Controller('reseller-billing')
export class ResellerBillingController {
  constructor(private readonly profiles: BillingProfileService) {}

  @Get('profile')
  @Roles('admin', 'finance', 'reseller_admin', 'reseller_finance')
  @ApiOperation({
    operationId: 'getBillingProfile',
    summary: 'Read a reseller’s billing profile (opt-ins, branding, numbering, fee)',
  })
  @ApiOkResponse({ type: BillingProfileView })
  @ApiProblems(404)
  get(@Query() q: ProfileQueryDto, @CurrentActor() actor: Actor): Promise<BillingProfileView> {
    return this.profiles.view(actingReseller(actor, q.resellerId));
  }

  @Put('profile')
  @Roles('reseller_admin', 'admin')
  @ApiOperation({
    operationId: 'updateBillingProfile',
    summary: 'Set a reseller’s opt-ins, branding and numbering',
  })
  @ApiOkResponse({ type: BillingProfileView })
  @ApiProblems(404)
  update(@Body() dto: UpdateBillingProfileDto, @CurrentActor() actor: Actor): Promise<BillingProfileView> {
    return this.profiles.update(actingReseller(actor, dto.resellerId), dto);
  }

  @Put('fee')
  @Roles('admin', 'finance')
  @ApiOperation({
    operationId: 'setBillingServicesFee',
    summary: 'Set the billing-services fee a reseller pays on settlements',
  })
  @ApiOkResponse({ type: BillingProfileView })
  @ApiProblems(404)
  setFee(@Body() dto: BillingFeeDto): Promise<BillingProfileView> {
    return this.profiles.setFee(dto.resellerId.toLowerCase(), dto.feePercent);
  }
}

@ApiTags('reseller-billing')
@ApiBearerAuth()
@Controller('price-rules')
export class PriceRulesController {
  constructor(private readonly profiles: BillingProfileService) {}

  @Post()
  @Roles('reseller_admin', 'admin')
  @ApiOperation({
    operationId: 'createPriceRule',
    summary: 'Add a markup or fixed price to a reseller’s price list',
  })
  @ApiCreatedResponse({ type: PriceRuleView })
  @ApiProblems(404, 422)
  create(@Body() dto: CreatePriceRuleDto, @CurrentActor() actor: Actor): Promise<PriceRuleView> {
    return this.profiles.createRule(actingReseller(actor, dto.resellerId), dto);
  }

  @Get()
  @Roles('reseller_admin', 'reseller_finance', 'admin')
  @ApiOperation({ operationId: 'listPriceRules', summary: 'List a reseller’s price rules' })
  @ApiPageResponse(PriceRuleView)
  list(@Query() q: PriceRuleQueryDto, @CurrentActor() actor: Actor): Promise<Page<PriceRuleView>> {
    return this.profiles.listRules(tenantScope(actor, q.resellerId), q);
  }
}

@ApiTags('reseller-billing')
@ApiBearerAuth()
@Controller('end-customers')
export class EndCustomerPricesController {
  constructor(private readonly profiles: BillingProfileService) {}

  @Get(':id/prices')
  @Roles('reseller_admin', 'reseller_finance', 'buyer', 'sales', 'admin')
  @ApiOperation({
    operationId: 'listEndCustomerPrices',
    summary: 'Sell price and margin of every product for an end customer',
  })
  @ApiPageResponse(EndCustomerPriceView)
  prices(
    @Param('id', ParseIdPipe) id: string,
    @Query() q: PriceListQueryDto,
    @CurrentActor() actor: Actor,
  ): Promise<Page<EndCustomerPriceView>> {
    return this.profiles.priceList(id, tenantScope(actor), q);
  }
}
