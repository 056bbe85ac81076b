export * from './reseller-billing.module';
export * from './billing-profile.service';
export * from './end-customer-invoice.service';
export * from './collection.service';
export * from './settlement.service';
export * from './domain/pricing';
export * from './domain/settlement-math';
export * from './errors';
export type { EndCustomerInvoiceView, CollectionView, SettlementView } from './dto/end-customer-invoice.dto';
