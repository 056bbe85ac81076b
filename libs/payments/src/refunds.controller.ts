import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Idempotent, Roles } from '@disty/core';
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
  @ApiCreatedResponse({ type: RefundView })
  create(@Body() dto: CreateRefundDto, @CurrentActor() actor: Actor): Promise<RefundView> {
    return this.refunds.refund(dto, actor.id);
  }

  /** What a refund may pay out now. */
  @Get('credit-balance')
  @Roles('finance', 'admin')
  @ApiOkResponse({ type: CreditBalanceView })
  balance(@Query() q: CreditBalanceQueryDto): Promise<CreditBalanceView> {
    return this.refunds.creditBalance(q.resellerId);
  }
}
