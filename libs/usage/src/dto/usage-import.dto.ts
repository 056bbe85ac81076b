import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '#disty/core';
import { USAGE_FORMATS, UsageFormat } from '../usage-file.reader';

export const USAGE_IMPORT_PHASES = ['staging', 'checking', 'matching', 'rating', 'posting'] as const;
export type UsageImportPhase = (typeof USAGE_IMPORT_PHASES)[number];

export class UsageImportQueryDto {
  @ApiProperty({ description: 'The vendor whose usage file this is (record ids are unique per vendor)' })
  @IsUUID()
  vendorId: string;

  @ApiPropertyOptional({
    enum: USAGE_FORMATS,
    description: 'Default: from Content-Type (text/csv → csv, application/x-ndjson → jsonl)',
  })
  @IsOptional()
  @IsIn(USAGE_FORMATS)
  format?: UsageFormat;

  @ApiPropertyOptional({ example: 'azure-usage-2026-10-14.csv' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  fileName?: string;
}

export class RejectionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: the same as Accept: text/csv' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class UsageImportView {
  @ApiProperty() id: string;
  @ApiProperty() vendorId: string;
  @ApiProperty({ enum: USAGE_FORMATS }) format: UsageFormat;
  @ApiProperty({ nullable: true, type: String }) fileName: string | null;
  @ApiProperty({ enum: ['RECEIVING', 'RATING', 'COMPLETED', 'FAILED'] }) status: 'RECEIVING' | 'RATING' | 'COMPLETED' | 'FAILED';
  @ApiProperty({
    enum: USAGE_IMPORT_PHASES,
    nullable: true,
    type: String,
    description:
      'What the import is doing: staging the file (RECEIVING), then checking, matching, rating, posting (RATING); null when done',
  })
  phase: UsageImportPhase | null;
  @ApiProperty({ description: 'Bytes of the file received so far' }) bytesRead: number;
  @ApiProperty({ description: 'Lines read so far (data lines, not the CSV header)' }) rowsRead: number;
  @ApiProperty({ description: 'New records and corrections recorded' }) rowsAccepted: number;
  @ApiProperty({
    description: 'Of the accepted, corrections of a record already imported (a higher version)',
  })
  rowsCorrected: number;
  @ApiProperty() rowsRejected: number;
  @ApiProperty({ description: 'Lines already imported (same or older version): nothing changed' })
  rowsDuplicate: number;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) completedAt: string | null;
}

export class UsageRejectionView {
  @ApiProperty({ description: 'The file’s line number (the CSV header is line 1)' }) lineNo: number;
  @ApiProperty({ nullable: true, type: String }) recordId: string | null;
  @ApiProperty({
    example: 'unknown-tenant',
    description:
      'malformed, missing-record-id, bad-version, bad-date, future-date, closed-month, bad-quantity, bad-unit-cost, bad-currency, ' +
      'unknown-tenant, unknown-meter, meter-not-in-plan, unit-mismatch, no-price',
  })
  reason: string;
  @ApiProperty() detail: string;
}

export class UsageRejectionPage {
  @ApiProperty({ type: [UsageRejectionView] }) items: UsageRejectionView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
