import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiPageResponse, ApiProblems, CurrentActor, Idempotent, Page, ParseIdPipe, Roles } from '#disty/core';
import {
  CreateVendorBillDto,
  MatchingQueryDto,
  MatchingView,
  PayVendorBillDto,
  VendorBillQueryDto,
  VendorBillSummaryView,
  VendorBillView,
  VendorPaymentResultView,
} from './dto/vendor-bill.dto';
import { VendorBillService } from './vendor-bill.service';
import { VendorPaymentService } from './vendor-payment.service';

@ApiTags('purchasing')
@ApiBearerAuth()
@Controller('vendor-bills')
export class VendorBillsController {
  constructor(
    private readonly bills: VendorBillService,
    private readonly payments: VendorPaymentService,
  ) {}

  /** Records a vendor bill, matches its lines to accrued costs and posts it (2050 · 1300 · 5900 / 2000). */
  @Post()
  @Roles('finance', 'admin')
  @Idempotent()
  @ApiOperation({ operationId: 'createVendorBill', summary: 'Record and post a vendor bill' })
  @ApiCreatedResponse({ type: VendorBillView })
  @ApiProblems(409, 422)
  create(@Body() dto: CreateVendorBillDto, @CurrentActor() actor: Actor): Promise<VendorBillView> {
    return this.bills.record(dto, actor.id);
  }

  @Get()
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'listVendorBills', summary: 'List vendor bills' })
  @ApiPageResponse(VendorBillSummaryView)
  list(@Query() q: VendorBillQueryDto): Promise<Page<VendorBillSummaryView>> {
    return this.bills.list(q);
  }

  /** The month's unbilled accruals and its bills' lines with a variance or matching nothing. */
  @Get('matching')
  @Roles('finance', 'admin')
  @ApiOperation({
    operationId: 'getVendorBillMatching',
    summary: 'Report a month’s unbilled accruals and unmatched bill lines',
  })
  @ApiOkResponse({ type: MatchingView })
  matching(@Query() q: MatchingQueryDto): Promise<MatchingView> {
    return this.bills.matching(q.period);
  }

  @Get(':id')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getVendorBill', summary: 'Read a vendor bill' })
  @ApiOkResponse({ type: VendorBillView })
  get(@Param('id', ParseIdPipe) id: string): Promise<VendorBillView> {
    return this.bills.get(id);
  }

  /** Pays the bill from the bank (2000 / 1000), at most its open amount. */
  @Post(':id/payments')
  @Roles('finance', 'admin')
  @Idempotent()
  @ApiOperation({ operationId: 'payVendorBill', summary: 'Pay a vendor bill from the bank' })
  @ApiCreatedResponse({ type: VendorPaymentResultView })
  @ApiProblems(422)
  pay(@Param('id', ParseIdPipe) id: string, @Body() dto: PayVendorBillDto, @CurrentActor() actor: Actor): Promise<VendorPaymentResultView> {
    return this.payments.pay(id, dto, actor.id);
  }
}
