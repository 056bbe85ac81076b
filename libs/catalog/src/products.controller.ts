import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, isDistributor, Page, Roles } from '@disty/core';
import { CatalogService } from './catalog.service';
import { CreateProductDto, MissingCostsView, ProductQueryDto, ProductView, UpdateProductDto } from './dto/product.dto';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller('catalog/products')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: ProductView })
  create(@Body() dto: CreateProductDto): Promise<ProductView> {
    return this.catalog.createProduct(dto);
  }

  /** Any signed-in user; reseller users see active products only, and no cost prices. */
  @Get()
  search(@Query() q: ProductQueryDto, @CurrentActor() actor: Actor): Promise<Page<ProductView>> {
    const active = isDistributor(actor) ? (q.active === undefined ? undefined : q.active === 'true') : true;
    return this.catalog.search({ ...q, page: q.page, pageSize: q.pageSize, active }, { withCost: isDistributor(actor) });
  }

  /** Current prices whose vendor cost is not known (prices older than cost prices), by vendor and SKU. */
  @Get('missing-costs')
  @Roles('finance', 'admin')
  @ApiOkResponse({ type: MissingCostsView })
  missingCosts(): Promise<MissingCostsView> {
    return this.catalog.missingCosts();
  }

  @Get(':sku')
  @ApiOkResponse({ type: ProductView })
  get(@Param('sku') sku: string, @CurrentActor() actor: Actor): Promise<ProductView> {
    return this.catalog.getProduct(sku, { withCost: isDistributor(actor) });
  }

  @Patch(':sku')
  @Roles('admin')
  @ApiOkResponse({ type: ProductView })
  update(@Param('sku') sku: string, @Body() dto: UpdateProductDto): Promise<ProductView> {
    return this.catalog.updateProduct(sku, dto);
  }
}
