import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiPageResponse, ApiProblems, CurrentActor, isDistributor, Page, Roles, validationError } from '#disty/core';
import { CatalogService } from './catalog.service';
import { ProductQueryService } from './product-query.service';
import { CreateProductDto, MissingCostsView, ProductQueryDto, ProductVendorsView, ProductView, UpdateProductDto } from './dto/product.dto';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller('catalog/products')
export class CatalogController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly queries: ProductQueryService,
  ) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ operationId: 'createProduct', summary: 'Add a product to the catalog' })
  @ApiCreatedResponse({ type: ProductView })
  @ApiProblems(409, 422)
  create(@Body() dto: CreateProductDto): Promise<ProductView> {
    return this.catalog.createProduct(dto);
  }

  /** Any signed-in user; reseller users see active products only, and no cost prices. */
  @Get()
  @ApiOperation({ operationId: 'listProducts', summary: 'Search the catalog' })
  @ApiPageResponse(ProductView, 'Reseller users see active products only, without cost prices')
  @ApiProblems(400)
  search(@Query() q: ProductQueryDto, @CurrentActor() actor: Actor): Promise<Page<ProductView>> {
    if (q.sort?.endsWith('price') && !q.currency) {
      throw validationError('Sorting by price needs a currency', [{ field: 'currency', message: 'currency is required to sort by price' }]);
    }
    const active = isDistributor(actor) ? (q.active === undefined ? undefined : q.active === 'true') : true;
    return this.queries.search({ ...q, page: q.page, pageSize: q.pageSize, active }, { withCost: isDistributor(actor) });
  }

  /** The vendors to filter the catalog by; reseller users see those of active products only. */
  @Get('vendors')
  @ApiOperation({ operationId: 'listProductVendors', summary: "List the catalog's vendors" })
  @ApiOkResponse({ type: ProductVendorsView })
  async vendors(@CurrentActor() actor: Actor): Promise<ProductVendorsView> {
    return { vendors: await this.queries.vendors(isDistributor(actor) ? undefined : true) };
  }

  /** Current prices whose vendor cost is not known (prices older than cost prices), by vendor and SKU. */
  @Get('missing-costs')
  @Roles('finance', 'admin')
  @ApiOperation({
    operationId: 'listMissingCosts',
    summary: 'List current prices whose vendor cost is not known',
  })
  @ApiOkResponse({ type: MissingCostsView })
  missingCosts(): Promise<MissingCostsView> {
    return this.queries.missingCosts();
  }

  @Get(':sku')
  @ApiOperation({ operationId: 'getProduct', summary: 'Read a product by SKU' })
  @ApiOkResponse({ type: ProductView })
  get(@Param('sku') sku: string, @CurrentActor() actor: Actor): Promise<ProductView> {
    return this.queries.getProduct(sku, { withCost: isDistributor(actor) });
  }

  @Patch(':sku')
  @Roles('admin')
  @ApiOperation({ operationId: 'updateProduct', summary: 'Change a product, its prices or its costs' })
  @ApiOkResponse({ type: ProductView })
  @ApiProblems(422)
  update(@Param('sku') sku: string, @Body() dto: UpdateProductDto): Promise<ProductView> {
    return this.catalog.updateProduct(sku, dto);
  }
}
