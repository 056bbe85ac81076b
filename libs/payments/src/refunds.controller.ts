import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiProblems, CurrentActor, Idempotent, Roles } from '#disty/core';
import { CreateRefundDto, CreditBalanceQueryDto, CreditBalanceView, RefundView } from './dto/refund.dto';
import { RefundService } from './refund.service';

@ApiTags('payments')
@ApiBearerAuth()
@Controller('refunds')
export class RefundsController {
  constructor(private readonly refunds: RefundService) {}

  /** A bank refund of a reseller's credit balance (unused credits, then unapplied bank cash). */
  @Post()
  @Roles('finance')
  @Idempotent()
  @ApiOperation({
    operationId: 'createRefund',
    summary: 'Refund a reseller’s credit balance by bank transfer',
  })
  @ApiCreatedResponse({ type: RefundView })
  @ApiProblems(422)
  create(@Body() dto: CreateRefundDto, @CurrentActor() actor: Actor): Promise<RefundView> {
    return this.refunds.refund(dto, actor.id);
  }

  /** What a refund may pay out now. */
  @Get('credit-balance')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getCreditBalance', summary: 'Read what a refund may pay out now' })
  @ApiOkResponse({ type: CreditBalanceView })
  @ApiProblems(422)
  balance(@Query() q: CreditBalanceQueryDto): Promise<CreditBalanceView> {
    return this.refunds.creditBalance(q.resellerId);
  }
}
