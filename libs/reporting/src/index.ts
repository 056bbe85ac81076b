export * from './reporting.module';
export * from './margin-report.service';
export { MARGIN_GROUPS, grossMargin } from './domain/margin';
export type { MarginGroup } from './domain/margin';
