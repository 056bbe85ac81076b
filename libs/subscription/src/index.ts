export * from './subscription.module';
export * from './subscription.service';
export * from './renewal.service';
export * from './domain/schedule';
export * from './domain/proration';
export * from './domain/change-plan';
export * from './errors';
export type { SubscriptionView, TermView, ChargeView, SubscriptionStatus, ChargeKind } from './dto/subscription.response';
