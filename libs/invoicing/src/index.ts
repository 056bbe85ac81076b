export * from './invoicing.module';
export * from './invoice.service';
export * from './credit-note.service';
export * from './write-off.service';
export * from './domain/write-off';
export * from './receivables.service';
export * from './unapplied-cash';
export * from './end-customer-billing.port';
export * from './billing-run.service';
export { ConsolidatedInvoiceService } from './consolidated-invoice.service';
export * from './credit-hold.service';
export * from './credit-application.service';
export * from './receivables-audit.service';
export * from './service-conservation.service';
export * from './revenue-recognition.service';
export * from './recognition-audit.service';
export * from './revenue-schedule.service';
export * from './domain/recognition-math';
export * from './domain/credit-plan';
export * from './domain/invoice-math';
export * from './domain/postings';
export * from './errors';
export type {
  InvoiceView,
  InvoiceSummaryView,
  InvoiceLineView,
  CreditNoteView,
  BillingRunView,
  AgingReportView,
  CreditHoldRunView,
  InvoiceStatus,
  CreditNoteKind,
} from './dto/invoice.dto';
export * from './output-tax-audit.service';
/** The PDF font helper (Helvetica, or the bundled Unicode font beyond Latin-1), shared with other documents' PDFs. */
export { useFont } from './invoice-pdf';
