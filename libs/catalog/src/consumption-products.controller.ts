import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, isDistributor, Page, Roles } from '@disty/core';
import { ConsumptionCatalogService } from './consumption-catalog.service';
import {
  ConsumptionProductPage, ConsumptionProductQueryDto, ConsumptionProductView, CreateConsumptionProductDto,
} from './dto/consumption-product.dto';

/** Consumption products and their meters (docs/consumption.md). */
@ApiTags('catalog')
@ApiBearerAuth()
@Controller('catalog/consumption-products')
export class ConsumptionProductsController {
  constructor(private readonly catalog: ConsumptionCatalogService) {}

  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: ConsumptionProductView })
  create(@Body() dto: CreateConsumptionProductDto): Promise<ConsumptionProductView> {
    return this.catalog.create(dto);
  }

  /** Any signed-in user; cost prices for distributor staff only. */
  @Get()
  @ApiOkResponse({ type: ConsumptionProductPage })
  list(@Query() q: ConsumptionProductQueryDto, @CurrentActor() actor: Actor): Promise<Page<ConsumptionProductView>> {
    return this.catalog.list({ vendorId: q.vendorId, page: q.page, pageSize: q.pageSize }, isDistributor(actor));
  }

  @Get(':sku')
  @ApiOkResponse({ type: ConsumptionProductView })
  get(@Param('sku') sku: string, @CurrentActor() actor: Actor): Promise<ConsumptionProductView> {
    return this.catalog.get(sku, isDistributor(actor));
  }
}
