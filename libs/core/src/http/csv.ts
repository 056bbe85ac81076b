import { ApiProperty } from '@nestjs/swagger';
import { stringify } from 'csv-stringify';
import { Readable } from 'stream';
import { IsCalendarDate } from './validators';
import { validationError } from '../errors/problem';

/** The request asks for CSV (`Accept: text/csv`). */
export function wantsCsv(accept: string | undefined): boolean {
  return !!accept && /(^|,)\s*text\/csv\b/i.test(accept);
}

/** Spreadsheet formula injection: free text starting with = + - @ (or a tab/CR) is prefixed with '. */
export function csvText(text: string | null | undefined): string {
  const s = text ?? '';
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/**
 * Rows as CSV with a header of `columns` (in that order), streamed: `rows` is pulled one batch at
 * a time as the client reads, so an export of any size holds one batch in memory
 * (docs/api-conventions.md, "Exports"). An error while reading ends the stream with that error.
 */
export function csvStream(columns: readonly string[], rows: AsyncIterable<Record<string, string | number | null>>): Readable {
  const stringifier = stringify({ header: true, columns: [...columns], bom: false });
  const source = Readable.from(rows);
  source.on('error', (err) => stringifier.destroy(err));
  stringifier.on('close', () => source.destroy());
  return source.pipe(stringifier);
}

/** `?from=&to=` of an export or report: both required calendar dates, from ≤ to. */
export class PeriodQueryDto {
  @ApiProperty({ example: '2026-01-01', description: 'First day, inclusive' })
  @IsCalendarDate()
  from: string;

  @ApiProperty({ example: '2026-01-31', description: 'Last day, inclusive' })
  @IsCalendarDate()
  to: string;
}

/** 400 naming `from` when the period runs backwards. */
export function assertPeriod(q: { from: string; to: string }): void {
  if (q.from > q.to) throw validationError('from must not be after to', [{ field: 'from', message: `must be on or before ${q.to}` }]);
}
