export * from './customers.module';
export * from './end-customer.service';
export * from './errors';
export type { EndCustomerView } from './dto/end-customer.dto';
