import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { environment } from '#disty/core';
import { paymentsError, PaymentsErrorCode } from './errors';

/**
 * The official Stripe client, configured from STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and
 * STRIPE_API_BASE (validated at start-up by the Environment schema; read when used so a test can
 * point the client at a local Stripe-compatible server it started).
 */
@Injectable()
export class StripeGateway {
  private cached?: { key: string; base: string; client: Stripe };

  client(): Stripe {
    const key = environment().STRIPE_SECRET_KEY;
    if (!key) throw paymentsError(PaymentsErrorCode.StripeNotConfigured, 'STRIPE_SECRET_KEY is not set; card payments are unavailable');
    const base = environment().STRIPE_API_BASE ?? '';
    if (this.cached && this.cached.key === key && this.cached.base === base) return this.cached.client;
    const config: ConstructorParameters<typeof Stripe>[1] = {
      maxNetworkRetries: 1,
      timeout: 20_000,
      telemetry: false,
    };
    if (base) {
      const u = new URL(base);
      const protocol = u.protocol === 'http:' ? 'http' : 'https';
      Object.assign(config, {
        host: u.hostname,
        port: Number(u.port || (protocol === 'http' ? 80 : 443)),
        protocol,
      });
    }
    const client = new Stripe(key, config);
    this.cached = { key, base, client };
    return client;
  }

  /** Verifies Stripe-Signature over the raw body with the package's own verification; 400 when it fails. */
  constructEvent(rawBody: unknown, signature: unknown): Stripe.Event {
    const secret = environment().STRIPE_WEBHOOK_SECRET;
    if (!secret)
      throw paymentsError(PaymentsErrorCode.StripeNotConfigured, 'STRIPE_WEBHOOK_SECRET is not set; Stripe events cannot be verified');
    if (!Buffer.isBuffer(rawBody) || !rawBody.length) {
      throw paymentsError(PaymentsErrorCode.InvalidSignature, 'The request has no raw body to verify');
    }
    if (typeof signature !== 'string' || !signature) {
      throw paymentsError(PaymentsErrorCode.InvalidSignature, 'The Stripe-Signature header is missing');
    }
    try {
      return Stripe.webhooks.constructEvent(rawBody, signature, secret);
    } catch (e) {
      throw paymentsError(
        PaymentsErrorCode.InvalidSignature,
        `Stripe-Signature verification failed: ${(e as Error).message.split('\n')[0].slice(0, 200)}`,
      );
    }
  }
}
