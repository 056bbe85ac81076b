export * from './payments.module';
export * from './payment.service';
export * from './stripe.service';
export * from './stripe.gateway';
export * from './reconciliation.service';
export * from './domain/allocation';
export * from './errors';
export type { PaymentView, PaymentIntentView, ReconciliationView } from './dto/payment.dto';
