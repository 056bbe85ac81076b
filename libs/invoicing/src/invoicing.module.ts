import { Module } from '@nestjs/common';
import { CatalogModule } from '#disty/catalog';
import { CreditExposureModule } from '#disty/credit-exposure';
import { LedgerModule } from '#disty/ledger';
import { PurchasingModule } from '#disty/purchasing';
import { OrderingModule } from '#disty/ordering';
import { WebhookModule } from '#disty/webhooks';
import { ResellerModule } from '#disty/reseller';
import { SubscriptionModule } from '#disty/subscription';
import { TaxModule } from '#disty/tax';
import { UsageModule } from '#disty/usage';
import { BillingRunService } from './billing-run.service';
import { BillingRunJob } from './billing-run.job';
import { ConsolidatedInvoiceService } from './consolidated-invoice.service';
import { CreditApplicationService } from './credit-application.service';
import { CreditHoldService } from './credit-hold.service';
import { ReceivablesAuditService } from './receivables-audit.service';
import { ServiceConservationService } from './service-conservation.service';
import {
  BillingRunsController,
  CreditHoldJobController,
  CreditNotesController,
  InvoicesController,
  ReportsController,
  StatementsController,
  InvoicingExportsController,
} from './invoicing.controller';
import { StatementService } from './statement.service';
import { InvoicingExportService } from './invoicing-export.service';
import { WriteOffService } from './write-off.service';
import { InvoiceService } from './invoice.service';
import { CreditNoteService } from './credit-note.service';
import { ReceivablesService } from './receivables.service';
import { InvoicePdfService } from './invoice-pdf.service';
import { TaxReportService } from './tax-report.service';
import { RecognitionAuditService } from './recognition-audit.service';
import { RevenueRecognitionService } from './revenue-recognition.service';
import { RevenueRecognitionJob } from './revenue-recognition.job';
import { RevenueScheduleService } from './revenue-schedule.service';
import { UnrecognisedRevenueCheck } from './unrecognised-revenue.check';
import { OutputTaxAuditService } from './output-tax-audit.service';
import { DeferredRevenueReportController, RecognitionController, RevenueScheduleController } from './recognition.controller';

/**
 * Billing runs, consolidated invoices (numbering, PDF, credit notes), the AR subledger, AR aging and
 * credit holds, and cloud revenue recognition (2400 → 4100 over the service days). Consumes ordering's and subscriptions' unbilled items through their services;
 * posts through LedgerService; announces invoice.issued through the webhook outbox.
 */
@Module({
  imports: [
    LedgerModule,
    ResellerModule,
    OrderingModule,
    SubscriptionModule,
    WebhookModule,
    CatalogModule,
    TaxModule,
    PurchasingModule,
    UsageModule,
    CreditExposureModule,
  ],
  controllers: [
    BillingRunsController,
    InvoicesController,
    CreditNotesController,
    StatementsController,
    InvoicingExportsController,
    CreditHoldJobController,
    ReportsController,
    RecognitionController,
    RevenueScheduleController,
    DeferredRevenueReportController,
  ],
  providers: [
    InvoiceService,
    CreditNoteService,
    WriteOffService,
    StatementService,
    InvoicingExportService,
    ReceivablesService,
    BillingRunService,
    ConsolidatedInvoiceService,
    CreditHoldService,
    CreditApplicationService,
    ReceivablesAuditService,
    ServiceConservationService,
    BillingRunJob,
    InvoicePdfService,
    TaxReportService,
    RevenueRecognitionService,
    RecognitionAuditService,
    RevenueScheduleService,
    RevenueRecognitionJob,
    UnrecognisedRevenueCheck,
    OutputTaxAuditService,
  ],
  exports: [
    InvoiceService,
    CreditNoteService,
    WriteOffService,
    ReceivablesService,
    BillingRunService,
    CreditHoldService,
    CreditApplicationService,
    ReceivablesAuditService,
    ServiceConservationService,
    RevenueRecognitionService,
    RecognitionAuditService,
    RevenueScheduleService,
    OutputTaxAuditService,
  ],
})
export class InvoicingModule {}
