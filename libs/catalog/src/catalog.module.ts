import { Module } from '@nestjs/common';
import { CatalogController } from './products.controller';
import { CatalogService } from './catalog.service';
import { CommitmentPackService } from './commitment-pack.service';
import { CommitmentPacksController } from './commitment-packs.controller';
import { ConsumptionCatalogService } from './consumption-catalog.service';
import { ConsumptionProductsController } from './consumption-products.controller';
import { ProductQueryService } from './product-query.service';

/** Products and prices; other modules read them through CatalogService (prices), ProductQueryService (search) and CommitmentPackService (rules). */
@Module({
  controllers: [CatalogController, CommitmentPacksController, ConsumptionProductsController],
  providers: [CatalogService, ProductQueryService, CommitmentPackService, ConsumptionCatalogService],
  exports: [CatalogService, ProductQueryService, CommitmentPackService, ConsumptionCatalogService],
})
export class CatalogModule {}
