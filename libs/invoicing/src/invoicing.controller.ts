import { Body, Controller, Get, Header, Headers, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import {
  Actor,
  ApiCsvResponse,
  ApiPageResponse,
  ApiPdfResponse,
  ApiProblems,
  assertPeriod,
  assertSameTenant,
  Clock,
  csvStream,
  CurrentActor,
  Idempotent,
  Page,
  ParseIdPipe,
  PeriodQueryDto,
  Roles,
  tenantScope,
  wantsCsv,
} from '#disty/core';
import { billingRunAccepted, BillingRunService } from './billing-run.service';
import { CreditHoldService } from './credit-hold.service';
import {
  AgingReportView,
  AsOfQueryDto,
  BillingRunAccepted,
  BillingRunListView,
  BillingRunView,
  CreateCreditNoteDto,
  CreditHoldRunView,
  CreditNotePageView,
  CreditNoteQueryDto,
  CreditNoteView,
  InvoiceQueryDto,
  InvoiceSummaryView,
  InvoiceView,
  StartBillingRunDto,
} from './dto/invoice.dto';
import { CreateWriteOffDto, WriteOffQueryDto, WriteOffReportView, WriteOffView } from './dto/write-off.dto';
import { StatementQueryDto, StatementView } from './dto/statement.dto';
import { streamCreditNotePdf } from './credit-note-pdf';
import { streamStatementPdf } from './statement-pdf';
import { StatementService } from './statement.service';
import { CREDIT_NOTE_EXPORT_COLUMNS, INVOICE_EXPORT_COLUMNS, InvoicingExportService } from './invoicing-export.service';
import { InvoicePdfService } from './invoice-pdf.service';
import { TaxReportService } from './tax-report.service';
import { TaxReportQueryDto, TaxReportView } from './dto/tax-report.dto';
import { InvoiceService } from './invoice.service';
import { CreditNoteService } from './credit-note.service';
import { WriteOffService } from './write-off.service';

const INVOICE_READERS = ['finance', 'admin', 'reseller_finance', 'reseller_admin'] as const;

@ApiTags('invoicing')
@ApiBearerAuth()
@Controller('billing-runs')
export class BillingRunsController {
  constructor(private readonly runs: BillingRunService) {}

  /** Starts (or returns and resumes) the run for a period end; billing continues in the background. */
  @Post()
  @Roles('finance')
  @Idempotent()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'startBillingRun',
    summary: 'Start (or resume) the billing run for a period end',
  })
  @ApiAcceptedResponse({ type: BillingRunAccepted })
  @ApiProblems(422)
  async start(@Body() dto: StartBillingRunDto, @CurrentActor() actor: Actor): Promise<BillingRunAccepted> {
    const { run } = await this.runs.start(dto.periodEnd, actor.id);
    if (run.status !== 'COMPLETED') this.runs.startInBackground(run.id);
    return billingRunAccepted(run);
  }

  @Get()
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'listBillingRuns', summary: 'List billing runs, latest first' })
  @ApiOkResponse({ type: BillingRunListView })
  async list(): Promise<BillingRunListView> {
    return { items: await this.runs.list() };
  }

  @Get(':id')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getBillingRun', summary: 'Read a billing run and its progress' })
  @ApiOkResponse({ type: BillingRunView })
  get(@Param('id', ParseIdPipe) id: string): Promise<BillingRunView> {
    return this.runs.get(id);
  }
}

@ApiTags('invoicing')
@ApiBearerAuth()
@Controller('invoices')
export class InvoicesController {
  constructor(
    private readonly invoices: InvoiceService,
    private readonly creditNotes: CreditNoteService,
    private readonly writeOffs: WriteOffService,
    private readonly pdfs: InvoicePdfService,
  ) {}

  @Get()
  @Roles(...INVOICE_READERS)
  @ApiOperation({ operationId: 'listInvoices', summary: 'List invoices' })
  @ApiPageResponse(InvoiceSummaryView)
  list(@Query() q: InvoiceQueryDto, @CurrentActor() actor: Actor): Promise<Page<InvoiceSummaryView>> {
    return this.invoices.list(tenantScope(actor), q);
  }

  @Get(':id')
  @Roles(...INVOICE_READERS)
  @ApiOperation({ operationId: 'getInvoice', summary: 'Read an invoice with its lines' })
  @ApiOkResponse({ type: InvoiceView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<InvoiceView> {
    return this.invoices.get(id, tenantScope(actor));
  }

  /** A usage line's daily detail (date, records, quantity, net) as CSV (docs/consumption.md, "Billing"). */
  @Get(':id/lines/:lineId/usage.csv')
  @ApiOperation({
    operationId: 'downloadInvoiceLineUsageCsv',
    summary: 'Download the daily usage behind a usage invoice line as CSV',
  })
  @ApiCsvResponse("Columns: the usage line's daily detail (date, records, quantity, net)")
  @Roles(...INVOICE_READERS)
  @ApiProduces('text/csv')
  async usageCsv(
    @Param('id', ParseIdPipe) id: string,
    @Param('lineId', ParseIdPipe) lineId: string,
    @CurrentActor() actor: Actor,
  ): Promise<StreamableFile> {
    const { number, rows } = await this.invoices.usageDetail(id, lineId, tenantScope(actor));
    return new StreamableFile(csvStream(['date', 'records', 'quantity', 'net'], rows), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${number}-usage-${lineId}.csv"`,
    });
  }

  @Get(':id/pdf')
  @Roles(...INVOICE_READERS)
  @Header('Cache-Control', 'private, no-store')
  @ApiOperation({ operationId: 'downloadInvoicePdf', summary: 'Download an invoice as a PDF' })
  @ApiPdfResponse('The invoice as a PDF')
  async pdf(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<StreamableFile> {
    const { number, pdf } = await this.pdfs.stream(id, tenantScope(actor));
    return new StreamableFile(pdf, {
      type: 'application/pdf',
      disposition: `inline; filename="${number}.pdf"`,
    });
  }

  @Post(':id/credit-notes')
  @Roles('finance')
  @Idempotent()
  @ApiOperation({ operationId: 'createCreditNote', summary: 'Issue a credit note against an invoice' })
  @ApiCreatedResponse({ type: CreditNoteView })
  @ApiProblems(422)
  creditNote(
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CreateCreditNoteDto,
    @CurrentActor() actor: Actor,
  ): Promise<CreditNoteView> {
    return this.creditNotes.createCreditNote(id, dto, actor.id);
  }

  /** Writes off bad debt on the invoice: debit 6200 net + 2100 tax, credit 1100/1110 (docs/accounting.md §3). */
  @Post(':id/write-off')
  @Roles('finance', 'admin')
  @Idempotent()
  @ApiOperation({ operationId: 'writeOffInvoice', summary: 'Write off bad debt on an invoice' })
  @ApiCreatedResponse({ type: WriteOffView })
  @ApiProblems(422)
  writeOff(@Param('id', ParseIdPipe) id: string, @Body() dto: CreateWriteOffDto, @CurrentActor() actor: Actor): Promise<WriteOffView> {
    return this.writeOffs.writeOff(id, dto, actor.id);
  }
}

@ApiTags('invoicing')
@ApiBearerAuth()
@Controller('credit-notes')
export class CreditNotesController {
  constructor(private readonly creditNotes: CreditNoteService) {}

  @Get()
  @Roles(...INVOICE_READERS)
  @ApiOperation({ operationId: 'listCreditNotes', summary: 'List credit notes' })
  @ApiOkResponse({ type: CreditNotePageView })
  list(@Query() q: CreditNoteQueryDto, @CurrentActor() actor: Actor): Promise<CreditNotePageView> {
    return this.creditNotes.list(tenantScope(actor), q);
  }

  @Get(':id')
  @Roles(...INVOICE_READERS)
  @ApiOperation({ operationId: 'getCreditNote', summary: 'Read a credit note' })
  @ApiOkResponse({ type: CreditNoteView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<CreditNoteView> {
    return this.creditNotes.get(id, tenantScope(actor));
  }

  /** The note as a PDF: an "Adjustment note" for an Australian reseller's credit on a tax invoice, else a "Credit note". */
  @Get(':id/pdf')
  @Roles(...INVOICE_READERS)
  @Header('Cache-Control', 'private, no-store')
  @ApiOperation({ operationId: 'downloadCreditNotePdf', summary: 'Download a credit note as a PDF' })
  @ApiPdfResponse('The credit note (or adjustment note) as a PDF')
  async pdf(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<StreamableFile> {
    const d = await this.creditNotes.document(id, tenantScope(actor));
    return new StreamableFile(streamCreditNotePdf(d), {
      type: 'application/pdf',
      disposition: `inline; filename="${d.note.number}.pdf"`,
    });
  }
}

@ApiTags('invoicing')
@ApiBearerAuth()
@Controller('resellers')
export class StatementsController {
  constructor(private readonly statements: StatementService) {}

  /**
   * The reseller's statement of account for a period: JSON, CSV (`Accept: text/csv`) or PDF
   * (`Accept: application/pdf`). A reseller's users see only their own (another's is a 404).
   */
  @Get(':id/statement')
  @Roles(...INVOICE_READERS)
  @ApiOperation({
    operationId: 'getResellerStatement',
    summary: 'Read a reseller’s statement of account as JSON, CSV or PDF',
  })
  @ApiProduces('application/json', 'text/csv', 'application/pdf')
  @ApiOkResponse({ type: StatementView })
  @Header('Cache-Control', 'private, no-store')
  async statement(
    @Param('id', ParseIdPipe) id: string,
    @Query() q: StatementQueryDto,
    @CurrentActor() actor: Actor,
    @Headers('accept') accept?: string,
  ): Promise<StatementView | StreamableFile> {
    assertSameTenant(actor, id, `Reseller ${id}`);
    const s = await this.statements.statement(id, q);
    const name = `statement-${s.from}-${s.to}`;
    if (wantsCsv(accept)) {
      return new StreamableFile(this.statements.csv(s), {
        type: 'text/csv; charset=utf-8',
        disposition: `attachment; filename="${name}.csv"`,
      });
    }
    if (accept && /(^|,)\s*application\/pdf\b/i.test(accept)) {
      return new StreamableFile(streamStatementPdf(s), {
        type: 'application/pdf',
        disposition: `inline; filename="${name}.pdf"`,
      });
    }
    return s;
  }
}

@ApiTags('exports')
@ApiBearerAuth()
@Controller('exports')
export class InvoicingExportsController {
  constructor(private readonly exports: InvoicingExportService) {}

  /** Invoices issued in [from, to] as CSV, streamed (columns: docs/accounting.md §8). */
  @Get('invoices')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'exportInvoices', summary: 'Export the invoices of a period as CSV' })
  @ApiCsvResponse(`Columns: ${INVOICE_EXPORT_COLUMNS.join(', ')}`)
  @Header('Cache-Control', 'private, no-store')
  invoices(@Query() q: PeriodQueryDto): StreamableFile {
    assertPeriod(q);
    return new StreamableFile(csvStream(INVOICE_EXPORT_COLUMNS, this.exports.invoices(q.from, q.to)), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="invoices-${q.from}-${q.to}.csv"`,
    });
  }

  /** Credit notes issued in [from, to] as CSV, streamed. */
  @Get('credit-notes')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'exportCreditNotes', summary: 'Export the credit notes of a period as CSV' })
  @ApiCsvResponse(`Columns: ${CREDIT_NOTE_EXPORT_COLUMNS.join(', ')}`)
  @Header('Cache-Control', 'private, no-store')
  creditNotes(@Query() q: PeriodQueryDto): StreamableFile {
    assertPeriod(q);
    return new StreamableFile(csvStream(CREDIT_NOTE_EXPORT_COLUMNS, this.exports.creditNotes(q.from, q.to)), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="credit-notes-${q.from}-${q.to}.csv"`,
    });
  }
}

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs/credit-holds')
export class CreditHoldJobController {
  constructor(
    private readonly holds: CreditHoldService,
    private readonly clock: Clock,
  ) {}

  /** Runs the credit-hold job now (as of a date, optionally for one reseller). */
  @Post('run')
  @Roles('admin', 'finance')
  @HttpCode(200)
  @ApiOperation({ operationId: 'runCreditHolds', summary: 'Run the credit-hold job now' })
  @ApiOkResponse({ type: CreditHoldRunView })
  run(@Query() q: AsOfQueryDto): Promise<CreditHoldRunView> {
    return this.holds.run(q.asOf ?? this.clock.today(), q.resellerId ?? null);
  }
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly invoices: InvoiceService,
    private readonly writeOffs: WriteOffService,
    private readonly clock: Clock,
    private readonly taxReport: TaxReportService,
  ) {}

  /** Open receivables per reseller and credit line by days past due (current, 1–30, 31–60, 61–90, 90+). */
  @Get('ar-aging')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getArAging', summary: 'Report open receivables by days past due' })
  @ApiOkResponse({ type: AgingReportView })
  arAging(@Query() q: AsOfQueryDto): Promise<AgingReportView> {
    return this.invoices.arAging(q.asOf ?? this.clock.today(), q.resellerId ?? null);
  }

  /** Write-offs dated in a period, listed apart from credit notes, with totals per currency. */
  @Get('write-offs')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getWriteOffReport', summary: 'Report the write-offs of a period' })
  @ApiOkResponse({ type: WriteOffReportView })
  writeOffReport(@Query() q: WriteOffQueryDto): Promise<WriteOffReportView> {
    return this.writeOffs.report(q);
  }

  /** Output tax (invoices and credit notes, 2100) and input tax (1300) per tax code for one month, checked against 2100. */
  @Get('tax')
  @Roles('finance', 'admin')
  @ApiOperation({
    operationId: 'getTaxReport',
    summary: 'Report output and input tax per tax code for a month',
  })
  @ApiOkResponse({ type: TaxReportView })
  tax(@Query() q: TaxReportQueryDto): Promise<TaxReportView> {
    return this.taxReport.report(q.period);
  }
}
