import { Module } from '@nestjs/common';
import { CatalogController } from './products.controller';
import { CatalogService } from './catalog.service';

/** Products and prices; other modules read them through CatalogService. */
@Module({
  controllers: [CatalogController],
  providers: [CatalogService],
  exports: [CatalogService],
})
export class CatalogModule {}
