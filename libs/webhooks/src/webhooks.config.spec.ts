import { ConfigService } from '@nestjs/config';
import { webhookSettings } from './webhooks.config';

const settings = (env: Record<string, unknown>) => webhookSettings(new ConfigService(env));

describe('webhook settings', () => {
  // ConfigService also reads process.env, where the test set-up allows private URLs for the e2e receivers.
  const saved = process.env.WEBHOOK_ALLOW_PRIVATE_URLS;
  beforeAll(() => delete process.env.WEBHOOK_ALLOW_PRIVATE_URLS);
  afterAll(() => (process.env.WEBHOOK_ALLOW_PRIVATE_URLS = saved));

  it('defaults every WEBHOOK_* variable, private URLs refused unless explicitly allowed', () => {
    expect(settings({})).toEqual({
      jobsEnabled: true,
      deliveryIntervalMs: 10_000,
      backoffBaseSeconds: 60,
      maxAttempts: 8,
      timeoutMs: 5_000,
      batchSize: 50,
      allowPrivateUrls: false,
    });
    expect(settings({ NODE_ENV: 'development' }).allowPrivateUrls).toBe(false);
    expect(settings({ NODE_ENV: 'development', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }).allowPrivateUrls).toBe(true);
    expect(settings({ NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_URLS: 'true', JOBS_ENABLED: false })).toMatchObject({
      allowPrivateUrls: true,
      jobsEnabled: false,
    });
  });

  it('stops start-up on a wrong value with a message naming the variable', () => {
    expect(() => settings({ WEBHOOK_MAX_ATTEMPTS: 'eight' })).toThrow(/WEBHOOK_MAX_ATTEMPTS must be an integer between 1 and 50/);
    expect(() => settings({ WEBHOOK_BATCH_SIZE: '0' })).toThrow(/WEBHOOK_BATCH_SIZE/);
    expect(() => settings({ WEBHOOK_ALLOW_PRIVATE_URLS: 'yes' })).toThrow(/WEBHOOK_ALLOW_PRIVATE_URLS must be true or false/);
    expect(settings({ WEBHOOK_BACKOFF_BASE_SECONDS: '0.5' }).backoffBaseSeconds).toBe(0.5);
  });
});
