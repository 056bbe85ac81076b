export * from './tax.module';
export * from './tax.service';
export * from './domain/tax-rules';
export * from './errors';
export { supplierSettings, type SupplierSettings } from './supplier.config';
export type { TaxCodeView } from './dto/tax-code.dto';
