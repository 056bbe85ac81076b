export * from './reseller.module';
export * from './reseller.service';
export * from './credit-reservation.service';
export * from './domain/credit';
export * from './errors';
export type { ResellerView, CreditLineView } from './dto/reseller.dto';
