import Redis from 'ioredis';
import type { TestApp } from './support/app';

/**
 * Rate limits shared by every instance through Redis (docs/operations.md §13), with the Redis this
 * machine and CI run at 127.0.0.1:6379 (scripts/ensure-redis.sh starts it for .ci/run).
 */
const REDIS_URL = 'redis://127.0.0.1:6379';
const LIMIT = 6;

describe('Rate limits across instances', () => {
  let one: TestApp;
  let two: TestApp;
  let redis: Redis;
  const prefix = `disty:test:${process.pid}:${Date.now().toString(36)}:`;
  const saved = { ...process.env };

  beforeAll(async () => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.REDIS_KEY_PREFIX = prefix;
    process.env.THROTTLE_LIMIT = String(LIMIT);
    redis = new Redis(REDIS_URL);
    const { createTestApp } = await import('./support/app.js');
    [one, two] = [await createTestApp(), await createTestApp()];
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    for (const k of ['REDIS_URL', 'REDIS_KEY_PREFIX', 'THROTTLE_LIMIT']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('two instances count one client against one limit', async () => {
    const user = await one.user('admin');
    const me = (t: TestApp) => t.http().get('/api/v1/me').set('Authorization', user.auth);
    for (let i = 0; i < LIMIT / 2; i++) {
      await me(one).expect(200);
      await me(two).expect(200);
    }
    // Each instance alone has seen only half the limit; together the client is at it.
    const refused = await me(one).expect(429);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429 });
    await me(two).expect(429);
    // The counters are Redis's, under the configured prefix.
    expect((await redis.keys(`${prefix}*:hits`)).length).toBeGreaterThanOrEqual(1);
  });

  it('without Redis, or with Redis unreachable, an instance still limits on its own and never fails a request', async () => {
    const { SharedThrottlerStorage } = await import('../apps/api/src/throttling/shared-throttler-storage.js');
    const alone = new SharedThrottlerStorage(undefined);
    expect(alone.isShared).toBe(false);
    const down = new SharedThrottlerStorage('redis://127.0.0.1:1', `${prefix}down:`);
    try {
      for (const storage of [alone, down]) {
        const hits = [];
        for (let i = 0; i < 3; i++) hits.push(await storage.increment('client', 60_000, 2, 60_000, 'default'));
        expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
          [1, false],
          [2, false],
          [3, true],
        ]);
      }
    } finally {
      alone.onApplicationShutdown();
      down.onApplicationShutdown();
    }
  });
});
