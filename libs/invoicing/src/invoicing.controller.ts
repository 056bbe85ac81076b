import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor, Clock, CurrentActor, Idempotent, ParseIdPipe, Roles, tenantScope } from '@disty/core';
import { billingRunAccepted, BillingRunService } from './billing-run.service';
import { CreditHoldService } from './credit-hold.service';
import {
  AgingReportView, AsOfQueryDto, BillingRunAccepted, BillingRunView, CreateCreditNoteDto, CreditHoldRunView, CreditNoteView,
  InvoiceQueryDto, InvoiceView, StartBillingRunDto,
} from './dto/invoice.dto';
import { InvoicePdfService } from './invoice-pdf.service';
import { TaxReportService } from './tax-report.service';
import { TaxReportQueryDto, TaxReportView } from './dto/tax-report.dto';
import { InvoiceService } from './invoice.service';
import { CreditNoteService } from './credit-note.service';

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
  @ApiAcceptedResponse({ type: BillingRunAccepted })
  async start(@Body() dto: StartBillingRunDto, @CurrentActor() actor: Actor): Promise<BillingRunAccepted> {
    const { run } = await this.runs.start(dto.periodEnd, actor.id);
    if (run.status !== 'COMPLETED') this.runs.startInBackground(run.id);
    return billingRunAccepted(run);
  }

  @Get()
  @Roles('finance', 'admin')
  async list(): Promise<{ items: BillingRunView[] }> {
    return { items: await this.runs.list() };
  }

  @Get(':id')
  @Roles('finance', 'admin')
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
    private readonly pdfs: InvoicePdfService,
  ) {}

  @Get()
  @Roles(...INVOICE_READERS)
  list(@Query() q: InvoiceQueryDto, @CurrentActor() actor: Actor) {
    return this.invoices.list(tenantScope(actor), q);
  }

  @Get(':id')
  @Roles(...INVOICE_READERS)
  @ApiOkResponse({ type: InvoiceView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<InvoiceView> {
    return this.invoices.get(id, tenantScope(actor));
  }

  @Get(':id/pdf')
  @Roles(...INVOICE_READERS)
  @ApiProduces('application/pdf')
  @Header('Cache-Control', 'private, no-store')
  async pdf(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<StreamableFile> {
    const { number, pdf } = await this.pdfs.stream(id, tenantScope(actor));
    return new StreamableFile(pdf, { type: 'application/pdf', disposition: `inline; filename="${number}.pdf"` });
  }

  @Post(':id/credit-notes')
  @Roles('finance')
  @Idempotent()
  @ApiCreatedResponse({ type: CreditNoteView })
  creditNote(@Param('id', ParseIdPipe) id: string, @Body() dto: CreateCreditNoteDto, @CurrentActor() actor: Actor): Promise<CreditNoteView> {
    return this.creditNotes.createCreditNote(id, dto, actor.id);
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
    private readonly clock: Clock,
    private readonly taxReport: TaxReportService,
  ) {}

  /** Open receivables per reseller and credit line by days past due (current, 1–30, 31–60, 61–90, 90+). */
  @Get('ar-aging')
  @Roles('finance', 'admin')
  @ApiOkResponse({ type: AgingReportView })
  arAging(@Query() q: AsOfQueryDto): Promise<AgingReportView> {
    return this.invoices.arAging(q.asOf ?? this.clock.today(), q.resellerId ?? null);
  }

  /** Output tax (invoices and credit notes, 2100) and input tax (1300) per tax code for one month, checked against 2100. */
  @Get('tax')
  @Roles('finance', 'admin')
  @ApiOkResponse({ type: TaxReportView })
  tax(@Query() q: TaxReportQueryDto): Promise<TaxReportView> {
    return this.taxReport.report(q.period);
  }
}
