export * from './purchasing.module';
export * from './cost-accrual.service';
