export * from './renewal-alert.module';
export * from './renewal-alert.service';
export type { AlertFilter, AlertListView } from './renewal-alert.filters';
export * from './domain/threshold-rule';
export * from './domain/alert-status';
export * from './errors';
export type { RenewalAlertView, RenewalCardView, PipelineView } from './dto/renewal-alert.response';
export * from './renewal-quote.service';
export type { RenewalQuoteView, RenewalQuoteLineView, QuoteStatus } from './dto/renewal-quote.response';
