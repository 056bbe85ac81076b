export * from './usage.module';
export * from './consumption-subscription.service';
export * from './usage-billing.service';
export * from './usage-rating.service';
export * from './errors';
export * from './usage-import-flow.service';
export * from './usage-cost.service';
export type { ConsumptionSubscriptionView } from './dto/consumption-subscription.dto';
export type { UsageImportView } from './dto/usage-import.dto';
