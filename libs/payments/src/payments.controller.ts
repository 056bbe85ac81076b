import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, ApiPageResponse, ApiProblems, CurrentActor, Idempotent, Page, ParseIdPipe, Public, Roles, tenantScope } from '#disty/core';
import {
  ApplyPaymentDto,
  PaymentIntentView,
  StripeEventOutcomeView,
  PaymentQueryDto,
  PaymentView,
  ReconciliationQueryDto,
  ReconciliationView,
  RecordPaymentDto,
} from './dto/payment.dto';
import { PaymentQueryService } from './payment-query.service';
import { PaymentService } from './payment.service';
import { ReconciliationService } from './reconciliation.service';
import { StripeService } from './stripe.service';

@ApiTags('payments')
@ApiBearerAuth()
@Controller('payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentService,
    private readonly queries: PaymentQueryService,
  ) {}

  /** A bank transfer: applied to the given invoices, or to the oldest open ones; the rest is unapplied cash. */
  @Post()
  @Roles('finance')
  @Idempotent()
  @ApiOperation({ operationId: 'recordPayment', summary: 'Record a bank transfer and apply it to invoices' })
  @ApiCreatedResponse({ type: PaymentView })
  @ApiProblems(422)
  record(@Body() dto: RecordPaymentDto, @CurrentActor() actor: Actor): Promise<PaymentView> {
    return this.payments.record(dto, actor.id);
  }

  @Get()
  @Roles('finance', 'admin', 'reseller_finance', 'reseller_admin')
  @ApiOperation({ operationId: 'listPayments', summary: 'List payments' })
  @ApiPageResponse(PaymentView)
  list(@Query() q: PaymentQueryDto, @CurrentActor() actor: Actor): Promise<Page<PaymentView>> {
    return this.queries.list(tenantScope(actor), q);
  }

  @Get(':id')
  @Roles('finance', 'admin', 'reseller_finance', 'reseller_admin')
  @ApiOperation({ operationId: 'getPayment', summary: 'Read a payment with its allocations' })
  @ApiOkResponse({ type: PaymentView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<PaymentView> {
    return this.queries.get(id, tenantScope(actor));
  }

  /** Applies the payment's unapplied cash (explicitly, or to the oldest open invoices). */
  @Post(':id/allocations')
  @Roles('finance')
  @Idempotent()
  @ApiOperation({ operationId: 'applyPayment', summary: 'Apply a payment’s unapplied cash to invoices' })
  @ApiCreatedResponse({ type: PaymentView })
  @ApiProblems(422)
  apply(@Param('id', ParseIdPipe) id: string, @Body() dto: ApplyPaymentDto, @CurrentActor() actor: Actor): Promise<PaymentView> {
    return this.payments.applyUnapplied(id, dto, actor.id);
  }
}

@ApiTags('payments')
@ApiBearerAuth()
@Controller('invoices')
export class PaymentIntentsController {
  constructor(private readonly stripe: StripeService) {}

  /** A Stripe PaymentIntent for what the invoice has due; returns its client secret for Stripe Elements. */
  @Post(':id/payment-intents')
  @Roles('reseller_finance')
  @ApiOperation({
    operationId: 'createPaymentIntent',
    summary: 'Start a card payment of an invoice (Stripe PaymentIntent)',
  })
  @ApiCreatedResponse({ type: PaymentIntentView })
  @ApiProblems(409, 503)
  create(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<PaymentIntentView> {
    return this.stripe.createPaymentIntent(id, actor);
  }
}

@ApiTags('payments')
@Controller('webhooks/stripe')
export class StripeWebhookController {
  constructor(private readonly stripe: StripeService) {}

  /** Stripe's events, verified with Stripe-Signature over the raw body (configured in setup.ts). */
  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'receiveStripeEvent',
    summary: 'Receive a Stripe event (signed with Stripe-Signature)',
  })
  @ApiOkResponse({ type: StripeEventOutcomeView })
  @ApiProblems(400, 409, 503)
  @ApiHeader({
    name: 'Stripe-Signature',
    required: true,
    description: 'Stripe’s signature over the raw body',
  })
  @ApiBody({
    description: 'A Stripe event, exactly as Stripe sends it',
    schema: { type: 'object', additionalProperties: true },
  })
  receive(@Req() req: Request, @Headers('stripe-signature') signature: string | undefined): Promise<StripeEventOutcomeView> {
    return this.stripe.handleWebhook(req.body, signature);
  }
}

@ApiTags('ledger')
@ApiBearerAuth()
@Controller('ledger')
export class ReconciliationController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get('reconciliation')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getReconciliation', summary: 'Reconcile the subledgers with the ledger' })
  @ApiOkResponse({ type: ReconciliationView })
  reconcile(@Query() q: ReconciliationQueryDto): Promise<ReconciliationView> {
    return this.reconciliation.reconcile(q.asOf ?? null, q.resellerId ?? null);
  }
}
