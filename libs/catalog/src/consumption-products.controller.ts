import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiProblems, CurrentActor, isDistributor, Page, Roles } from '#disty/core';
import { ConsumptionCatalogService } from './consumption-catalog.service';
import {
  ConsumptionProductPage,
  ConsumptionProductQueryDto,
  ConsumptionProductView,
  CreateConsumptionProductDto,
} from './dto/consumption-product.dto';

/** Consumption products and their meters (docs/consumption.md). */
@ApiTags('catalog')
@ApiBearerAuth()
@Controller('catalog/consumption-products')
export class ConsumptionProductsController {
  constructor(private readonly catalog: ConsumptionCatalogService) {}

  @Post()
  @ApiOperation({
    operationId: 'createConsumptionProduct',
    summary: 'Create a consumption product with its meters (flat or tiered prices, cost per unit)',
  })
  @ApiProblems(409, 422)
  @Roles('admin')
  @ApiCreatedResponse({ type: ConsumptionProductView })
  create(@Body() dto: CreateConsumptionProductDto): Promise<ConsumptionProductView> {
    return this.catalog.create(dto);
  }

  /** Any signed-in user; cost prices for distributor staff only. */
  @Get()
  @ApiOperation({
    operationId: 'listConsumptionProducts',
    summary: 'List consumption products and their meters',
  })
  @ApiOkResponse({ type: ConsumptionProductPage })
  list(@Query() q: ConsumptionProductQueryDto, @CurrentActor() actor: Actor): Promise<Page<ConsumptionProductView>> {
    return this.catalog.list({ vendorId: q.vendorId, page: q.page, pageSize: q.pageSize }, isDistributor(actor));
  }

  @Get(':sku')
  @ApiOperation({ operationId: 'getConsumptionProduct', summary: 'Get a consumption product and its meters' })
  @ApiOkResponse({ type: ConsumptionProductView })
  get(@Param('sku') sku: string, @CurrentActor() actor: Actor): Promise<ConsumptionProductView> {
    return this.catalog.get(sku, isDistributor(actor));
  }
}
