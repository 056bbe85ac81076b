export * from './catalog.module';
export * from './catalog.service';
export * from './domain/product-rules';
export * from './domain/commitment-rules';
export * from './errors';
export type { ProductView, PriceView } from './dto/product.dto';
export type { CommitmentPackView } from './dto/commitment-pack.dto';
