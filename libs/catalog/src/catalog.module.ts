import { Module } from '@nestjs/common';
import { CatalogController } from './products.controller';
import { CatalogService } from './catalog.service';
import { CommitmentPacksController } from './commitment-packs.controller';

/** Products and prices; other modules read them through CatalogService. */
@Module({
  controllers: [CatalogController, CommitmentPacksController],
  providers: [CatalogService],
  exports: [CatalogService],
})
export class CatalogModule {}
