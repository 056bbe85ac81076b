export * from './vendor-reconciliation.module';
export * from './vendor-reconciliation.service';
