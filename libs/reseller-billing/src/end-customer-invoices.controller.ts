import { Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Actor,
  ApiCsvResponse,
  ApiPageResponse,
  ApiPdfResponse,
  ApiProblems,
  csvStream,
  CurrentActor,
  Page,
  ParseIdPipe,
  Roles,
  tenantScope,
} from '#disty/core';
import { CardIntentService } from './card-intent.service';
import { streamEndCustomerInvoicePdf } from './documents-pdf';
import { CollectionIntentView, EndCustomerInvoiceQueryDto, EndCustomerInvoiceView } from './dto/end-customer-invoice.dto';
import { EC_INVOICE_CSV_COLUMNS, EndCustomerInvoiceService } from './end-customer-invoice.service';

const READERS = ['admin', 'finance', 'reseller_admin', 'reseller_finance'] as const;

/** The reseller's invoices to its end customers (docs/billing-on-behalf.md). */
@ApiTags('end-customer-invoices')
@ApiBearerAuth()
@Controller('end-customer-invoices')
export class EndCustomerInvoicesController {
  constructor(
    private readonly invoices: EndCustomerInvoiceService,
    private readonly intents: CardIntentService,
  ) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'listEndCustomerInvoices',
    summary: 'List a reseller’s invoices to its end customers',
  })
  @ApiPageResponse(EndCustomerInvoiceView)
  list(@Query() q: EndCustomerInvoiceQueryDto, @CurrentActor() actor: Actor): Promise<Page<EndCustomerInvoiceView>> {
    return this.invoices.list(tenantScope(actor), q);
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({
    operationId: 'getEndCustomerInvoice',
    summary: 'Read an end-customer invoice with its lines',
  })
  @ApiOkResponse({ type: EndCustomerInvoiceView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<EndCustomerInvoiceView> {
    return this.invoices.get(id, tenantScope(actor));
  }

  @Get(':id/pdf')
  @Roles(...READERS)
  @Header('Cache-Control', 'private, no-store')
  @ApiOperation({
    operationId: 'downloadEndCustomerInvoicePdf',
    summary: 'Download an end-customer invoice as a PDF (the reseller’s branding)',
  })
  @ApiPdfResponse('The end-customer invoice as a PDF')
  async pdf(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<StreamableFile> {
    const inv = await this.invoices.get(id, tenantScope(actor));
    return new StreamableFile(streamEndCustomerInvoicePdf(inv), {
      type: 'application/pdf',
      disposition: `inline; filename="${inv.number ?? `draft-${inv.id}`}.pdf"`,
    });
  }

  @Get(':id/csv')
  @Roles(...READERS)
  @Header('Cache-Control', 'private, no-store')
  @ApiOperation({
    operationId: 'downloadEndCustomerInvoiceCsv',
    summary: 'Download an end-customer invoice’s lines as CSV',
  })
  @ApiCsvResponse(`Columns: ${EC_INVOICE_CSV_COLUMNS.join(', ')}`)
  async csv(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<StreamableFile> {
    const inv = await this.invoices.get(id, tenantScope(actor));
    return new StreamableFile(csvStream(EC_INVOICE_CSV_COLUMNS, this.invoices.csvRows(id, tenantScope(actor))), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${inv.number ?? `draft-${inv.id}`}.csv"`,
    });
  }

  @Post(':id/issue')
  @HttpCode(200)
  @Roles('reseller_admin', 'reseller_finance')
  @ApiOperation({
    operationId: 'issueEndCustomerInvoice',
    summary: 'Issue a reviewed DRAFT: the next number of the reseller’s series',
  })
  @ApiOkResponse({ type: EndCustomerInvoiceView })
  @ApiProblems(409)
  issue(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<EndCustomerInvoiceView> {
    return this.invoices.issue(id, tenantScope(actor));
  }

  @Post(':id/payment-intents')
  @Roles('reseller_admin', 'reseller_finance')
  @ApiOperation({
    operationId: 'createEndCustomerPaymentIntent',
    summary: 'A card PaymentIntent for what an end-customer invoice has due (collection on behalf)',
  })
  @ApiCreatedResponse({ type: CollectionIntentView })
  @ApiProblems(409, 422, 503)
  intent(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<CollectionIntentView> {
    return this.intents.create(id, actor);
  }
}
