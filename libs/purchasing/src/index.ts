export * from './purchasing.module';
export * from './cost-accrual.service';
export * from './vendor.service';
export * from './vendor-bill.service';
export * from './reconciled-bill.service';
export * from './vendor-payment.service';
export * from './payables-audit.service';
export * from './domain/bill-matching';
export * from './errors';
export type { VendorView } from './dto/vendor.dto';
export type {
  VendorBillView,
  VendorBillSummaryView,
  VendorPaymentResultView,
  MatchingView,
} from './dto/vendor-bill.dto';
