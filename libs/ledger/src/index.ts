export * from './ledger.module';
export * from './ledger.service';
export * from './journal-read.service';
export * from './domain/accounts';
export * from './domain/posting-lines';
export * from './receivables-lock';
export * from './domain/entry-rules';
export * from './errors';
export type { JournalEntryView, JournalLineView } from './dto/journal-entry.dto';
