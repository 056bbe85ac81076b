import { Module } from '@nestjs/common';
import { CatalogController } from './products.controller';
import { CatalogService } from './catalog.service';
import { CommitmentPacksController } from './commitment-packs.controller';
import { ConsumptionCatalogService } from './consumption-catalog.service';
import { ConsumptionProductsController } from './consumption-products.controller';

/** Products and prices; other modules read them through CatalogService. */
@Module({
  controllers: [CatalogController, CommitmentPacksController, ConsumptionProductsController],
  providers: [CatalogService, ConsumptionCatalogService],
  exports: [CatalogService, ConsumptionCatalogService],
})
export class CatalogModule {}
