export * from './reporting.module';
export * from './margin-report.service';
