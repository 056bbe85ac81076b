import { Controller, Get, Headers, HttpCode, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, ApiProblems, csvStream, CurrentActor, MACHINE_ROLES, ParseIdPipe, Roles, wantsCsv } from '#disty/core';
import { RejectionQueryDto, UsageImportQueryDto, UsageImportView, UsageRejectionPage } from './dto/usage-import.dto';
import { usageError, UsageErrorCode } from './errors';
import { UsageFormat } from './usage-file.reader';
import { UsageImportService } from './usage-import.service';
import { UsageImportFlowService } from './usage-import-flow.service';

/** Content types a usage file may come as, and the format each means. */
const FORMATS: Record<string, UsageFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
};

/** An integration token sees only its own imports (another's is a 404); staff see every import. */
const madeBy = (actor: Actor): string | null => (MACHINE_ROLES.includes(actor.role) ? actor.id : null);

/**
 * Vendor usage files (docs/consumption.md): finance and admin, and integration tokens (machine
 * identities, docs/security.md "Integration tokens"), which see only the imports they made.
 */
@ApiTags('usage')
@ApiBearerAuth()
@Controller('usage/imports')
export class UsageImportsController {
  constructor(
    private readonly imports: UsageImportService,
    private readonly flow: UsageImportFlowService,
  ) {}

  /**
   * Streams the request body (a CSV or JSON-lines usage file) into the import, and answers with the
   * finished import's counts. GET /usage/imports/:id shows progress meanwhile.
   */
  @Post()
  @ApiOperation({
    operationId: 'importUsage',
    summary: 'Import a vendor usage file (CSV or JSON lines, streamed), rate it and post it',
  })
  @ApiProblems(415, 422)
  @Roles('finance', 'admin', 'integration')
  @HttpCode(201)
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: UsageImportView })
  create(@Query() q: UsageImportQueryDto, @Req() req: Request, @CurrentActor() actor: Actor): Promise<UsageImportView> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = q.format ?? FORMATS[type];
    if (!format) {
      throw usageError(
        UsageErrorCode.UnsupportedMediaType,
        `Send the usage file as text/csv or application/x-ndjson (or name ?format=), not ${type || 'no content type'}`,
      );
    }
    // The import, then credit exposure and forecasts (docs/consumption.md §7, §8).
    return this.flow.run(req, { vendorId: q.vendorId, format, fileName: q.fileName, createdBy: actor.id });
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getUsageImport', summary: 'Get a usage import and its progress' })
  @Roles('finance', 'admin', 'integration')
  @ApiOkResponse({ type: UsageImportView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<UsageImportView> {
    return this.imports.get(id, madeBy(actor));
  }

  /** The rejected lines with reason and line number; CSV with Accept: text/csv or ?format=csv. */
  @Get(':id/rejections')
  @ApiOperation({
    operationId: 'listUsageImportRejections',
    summary: 'List the rejected lines of a usage import (JSON or CSV), with line numbers and reasons',
  })
  @Roles('finance', 'admin', 'integration')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: UsageRejectionPage })
  async rejections(
    @Param('id', ParseIdPipe) id: string,
    @Query() q: RejectionQueryDto,
    @CurrentActor() actor: Actor,
    @Headers('accept') accept?: string,
  ) {
    await this.imports.get(id, madeBy(actor));
    if (q.format === 'csv' || (q.format !== 'json' && wantsCsv(accept))) {
      return new StreamableFile(csvStream(['line', 'recordId', 'reason', 'detail'], this.imports.rejectionRows(id)), {
        type: 'text/csv; charset=utf-8',
        disposition: `attachment; filename="usage-import-${id}-rejections.csv"`,
      });
    }
    return this.imports.rejections(id, { page: q.page, pageSize: q.pageSize });
  }
}
