import { validateEnvironment } from '#disty/core';
import { createTestApp, TestApp } from './support/app';

describe('Public configuration for the web portal: GET /api/v1/config/public', () => {
  const saved = { pk: process.env.STRIPE_PUBLISHABLE_KEY, sk: process.env.STRIPE_SECRET_KEY };
  afterEach(() => {
    for (const [k, v] of [
      ['STRIPE_PUBLISHABLE_KEY', saved.pk],
      ['STRIPE_SECRET_KEY', saved.sk],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  async function configWith(env: Record<string, string | undefined>) {
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const t: TestApp = await createTestApp();
    try {
      return (await t.http().get('/api/v1/config/public').expect(200)).body;
    } finally {
      await t.close();
    }
  }

  it('says card payments are not configured when no Stripe keys are set, without a token', async () => {
    expect(await configWith({ STRIPE_PUBLISHABLE_KEY: undefined, STRIPE_SECRET_KEY: undefined })).toEqual({
      stripePublishableKey: null,
      cardPayments: false,
    });
  });

  it('gives the publishable key, and never the secret one, when both are set', async () => {
    const body = await configWith({
      STRIPE_PUBLISHABLE_KEY: 'pk_test_portal123',
      STRIPE_SECRET_KEY: 'sk_test_secret456',
    });
    expect(body).toEqual({ stripePublishableKey: 'pk_test_portal123', cardPayments: true });
    expect(JSON.stringify(body)).not.toContain('sk_test');
  });

  it('refuses to start with a publishable key that is not one, naming the variable', () => {
    expect(() => validateEnvironment({ STRIPE_PUBLISHABLE_KEY: 'sk_live_oops' })).toThrow(/STRIPE_PUBLISHABLE_KEY/);
  });
});
