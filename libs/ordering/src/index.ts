export * from './ordering.module';
export * from './ordering.service';
export { OrderFulfilmentService } from './order-fulfilment.service';
export * from './order-line-billing.service';
export * from './domain/pricing';
export * from './errors';
export type { OrderView, OrderLineView } from './dto/order.dto';
