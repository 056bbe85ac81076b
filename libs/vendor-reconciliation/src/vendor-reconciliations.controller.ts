import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, ApiProblems, CurrentActor, Page, ParseIdPipe, Roles } from '#disty/core';
import {
  AcceptVendorReconciliationDto,
  ImportVendorInvoiceQueryDto,
  VendorReconciliationListQueryDto,
  VendorReconciliationPage,
  VendorReconciliationSummaryView,
  VendorReconciliationView,
} from './dto/vendor-reconciliation.dto';
import { reconciliationError, ReconciliationErrorCode } from './errors';
import { VendorReconciliationService } from './vendor-reconciliation.service';

/** Vendor invoice reconciliation (docs/consumption.md §9): distributor finance and admin only. */
@ApiTags('purchasing')
@ApiBearerAuth()
@Controller('vendor-reconciliations')
export class VendorReconciliationsController {
  constructor(private readonly reconciliations: VendorReconciliationService) {}

  /** The vendor's monthly invoice file as the body (text/csv), compared with what was accrued. */
  @Post()
  @ApiOperation({
    operationId: 'importVendorInvoice',
    summary: "Import a vendor monthly invoice file (CSV) and reconcile it against the month's accruals",
  })
  @ApiProblems(415, 422)
  @Roles('finance', 'admin')
  @HttpCode(201)
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ type: VendorReconciliationView })
  create(@Query() q: ImportVendorInvoiceQueryDto, @Req() req: Request, @CurrentActor() actor: Actor): Promise<VendorReconciliationView> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'text/csv' && type !== 'application/csv') {
      throw reconciliationError(
        ReconciliationErrorCode.UnsupportedMediaType,
        `Send the vendor invoice file as text/csv, not ${type || 'no content type'}`,
      );
    }
    return this.reconciliations.import(req, { ...q, createdBy: actor.id });
  }

  @Get()
  @ApiOperation({ operationId: 'listVendorReconciliations', summary: 'List vendor invoice reconciliations' })
  @Roles('finance', 'admin')
  @ApiOkResponse({ type: VendorReconciliationPage })
  list(@Query() q: VendorReconciliationListQueryDto): Promise<Page<VendorReconciliationSummaryView>> {
    return this.reconciliations.list({ vendorId: q.vendorId, page: q.page, pageSize: q.pageSize });
  }

  /** Totals and items: differences first (missing on either side, quantity or price), then matched. */
  @Get(':id')
  @ApiOperation({
    operationId: 'getVendorReconciliation',
    summary: 'Get a vendor reconciliation with its differences and totals',
  })
  @Roles('finance', 'admin')
  @ApiOkResponse({ type: VendorReconciliationView })
  get(@Param('id', ParseIdPipe) id: string): Promise<VendorReconciliationView> {
    return this.reconciliations.get(id);
  }

  /** Records the vendor bill from the reconciliation and clears the month's accruals it matches. */
  @Post(':id/accept')
  @ApiOperation({
    operationId: 'acceptVendorReconciliation',
    summary: 'Accept a reconciliation: create the vendor bill and clear the accruals',
  })
  @ApiProblems(409, 422)
  @Roles('finance', 'admin')
  @HttpCode(200)
  @ApiOkResponse({ type: VendorReconciliationView })
  accept(
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: AcceptVendorReconciliationDto,
    @CurrentActor() actor: Actor,
  ): Promise<VendorReconciliationView> {
    return this.reconciliations.accept(id, dto, actor.id);
  }
}
