import { Body, Controller, Get, Header, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Readable } from 'stream';
import {
  Actor,
  ApiCsvResponse,
  ApiPageResponse,
  ApiPdfResponse,
  ApiProblems,
  csvStream,
  CurrentActor,
  Idempotent,
  Page,
  ParseIdPipe,
  Roles,
  tenantScope,
} from '#disty/core';
import { ResellerService } from '#disty/reseller';
import { CollectionService } from './collection.service';
import { remittanceRows, REMITTANCE_CSV_COLUMNS, streamRemittancePdf } from './documents-pdf';
import {
  CollectionQueryDto,
  CollectionView,
  CreateSettlementDto,
  RecordCollectionDto,
  SettlementQueryDto,
  SettlementView,
} from './dto/end-customer-invoice.dto';
import { SettlementService } from './settlement.service';

const READERS = ['admin', 'finance', 'reseller_admin', 'reseller_finance'] as const;

/** Collections on a reseller's behalf (docs/billing-on-behalf.md). */
@ApiTags('collections')
@ApiBearerAuth()
@Controller('collections')
export class CollectionsController {
  constructor(private readonly collections: CollectionService) {}

  @Post()
  @Roles('finance')
  @Idempotent()
  @ApiOperation({
    operationId: 'recordCollection',
    summary: 'Record a bank transfer an end customer paid for a reseller’s invoice',
  })
  @ApiCreatedResponse({ type: CollectionView })
  @ApiProblems(404, 409, 422)
  record(@Body() dto: RecordCollectionDto, @CurrentActor() actor: Actor): Promise<CollectionView> {
    return this.collections.recordBank(dto, actor.id);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listCollections', summary: 'List collections made on resellers’ behalf' })
  @ApiPageResponse(CollectionView)
  list(@Query() q: CollectionQueryDto, @CurrentActor() actor: Actor): Promise<Page<CollectionView>> {
    return this.collections.list(tenantScope(actor), q);
  }
}

@ApiTags('collections')
@ApiBearerAuth()
@Controller('settlements')
export class SettlementsController {
  constructor(
    private readonly settlements: SettlementService,
    private readonly resellers: ResellerService,
  ) {}

  @Post()
  @Roles('finance')
  @Idempotent()
  @ApiOperation({
    operationId: 'createSettlement',
    summary: 'Settle a reseller’s collections: net against its invoices, take the fee, pay out the rest',
  })
  @ApiCreatedResponse({ type: SettlementView })
  @ApiProblems(404, 422)
  create(@Body() dto: CreateSettlementDto, @CurrentActor() actor: Actor): Promise<SettlementView> {
    return this.settlements.settle(dto, actor.id);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listSettlements', summary: 'List settlements with resellers' })
  @ApiPageResponse(SettlementView)
  list(@Query() q: SettlementQueryDto, @CurrentActor() actor: Actor): Promise<Page<SettlementView>> {
    return this.settlements.list(tenantScope(actor), q);
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'getSettlement',
    summary: 'Read a settlement with its collections and netted invoices',
  })
  @ApiOkResponse({ type: SettlementView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<SettlementView> {
    return this.settlements.get(id, tenantScope(actor));
  }

  @Get(':id/pdf')
  @Roles(...READERS)
  @Header('Cache-Control', 'private, no-store')
  @ApiOperation({
    operationId: 'downloadRemittancePdf',
    summary: 'Download a settlement’s remittance statement as a PDF',
  })
  @ApiPdfResponse('The remittance statement as a PDF')
  async pdf(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<StreamableFile> {
    const s = await this.settlements.get(id, tenantScope(actor));
    const reseller = await this.resellers.getReseller(s.resellerId);
    return new StreamableFile(streamRemittancePdf(s, reseller.name), {
      type: 'application/pdf',
      disposition: `inline; filename="remittance-${s.id}.pdf"`,
    });
  }

  @Get(':id/csv')
  @Roles(...READERS)
  @Header('Cache-Control', 'private, no-store')
  @ApiOperation({
    operationId: 'downloadRemittanceCsv',
    summary: 'Download a settlement’s remittance statement as CSV',
  })
  @ApiCsvResponse(`Columns: ${REMITTANCE_CSV_COLUMNS.join(', ')}`)
  async csv(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<StreamableFile> {
    const s = await this.settlements.get(id, tenantScope(actor));
    return new StreamableFile(csvStream(REMITTANCE_CSV_COLUMNS, Readable.from(remittanceRows(s))), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="remittance-${s.id}.csv"`,
    });
  }
}
