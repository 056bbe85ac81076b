import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, CurrentActor, Idempotent, ParseIdPipe, Public, Roles, tenantScope } from '@disty/core';
import {
  ApplyPaymentDto, PaymentIntentView, PaymentQueryDto, PaymentView, ReconciliationQueryDto, ReconciliationView, RecordPaymentDto,
} from './dto/payment.dto';
import { PaymentService } from './payment.service';
import { ReconciliationService } from './reconciliation.service';
import { StripeService, WebhookOutcome } from './stripe.service';

@ApiTags('payments')
@ApiBearerAuth()
@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentService) {}

  /** A bank transfer: applied to the given invoices, or to the oldest open ones; the rest is unapplied cash. */
  @Post()
  @Roles('finance')
  @Idempotent()
  @ApiCreatedResponse({ type: PaymentView })
  record(@Body() dto: RecordPaymentDto, @CurrentActor() actor: Actor): Promise<PaymentView> {
    return this.payments.record(dto, actor.id);
  }

  @Get()
  @Roles('finance', 'admin', 'reseller_finance', 'reseller_admin')
  list(@Query() q: PaymentQueryDto, @CurrentActor() actor: Actor) {
    return this.payments.list(tenantScope(actor), q);
  }

  @Get(':id')
  @Roles('finance', 'admin', 'reseller_finance', 'reseller_admin')
  @ApiOkResponse({ type: PaymentView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<PaymentView> {
    return this.payments.get(id, tenantScope(actor));
  }

  /** Applies the payment's unapplied cash (explicitly, or to the oldest open invoices). */
  @Post(':id/allocations')
  @Roles('finance')
  @Idempotent()
  @ApiCreatedResponse({ type: PaymentView })
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
  @ApiCreatedResponse({ type: PaymentIntentView })
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
  receive(@Req() req: Request, @Headers('stripe-signature') signature: string | undefined): Promise<WebhookOutcome> {
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
  @ApiOkResponse({ type: ReconciliationView })
  reconcile(@Query() q: ReconciliationQueryDto): Promise<ReconciliationView> {
    return this.reconciliation.reconcile(q.asOf ?? null, q.resellerId ?? null);
  }
}
