import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The rate limiter's counters (docs/operations.md §13). With REDIS_URL, in Redis, so every
 * instance counts against one limit per client (@nest-lab/throttler-storage-redis: one atomic
 * script per hit). A Redis that fails or answers slowly never fails a request: that hit is
 * counted in this instance's memory instead, and a warning is logged at most once a minute.
 * Without REDIS_URL, in memory, per instance, as @nestjs/throttler does by default.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('SharedThrottlerStorage');
  private readonly local = new ThrottlerStorageService();
  private readonly redis?: Redis;
  private readonly shared?: ThrottlerStorageRedisService;
  private lastWarning = 0;

  constructor(redisUrl: string | undefined, keyPrefix = 'disty:throttle:') {
    if (!redisUrl) return;
    this.redis = new Redis(redisUrl, {
      keyPrefix,
      lazyConnect: false,
      enableOfflineQueue: false, // while disconnected, fail at once (and count locally)
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      retryStrategy: (times) => Math.min(times * 200, 5000),
    });
    this.redis.on('error', (err: Error) => this.warn(err));
    this.shared = new ThrottlerStorageRedisService(this.redis);
  }

  /** Whether hits are counted in Redis (shared by every instance). */
  get isShared(): boolean {
    return this.shared !== undefined;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, name: string): Promise<ThrottlerStorageRecord> {
    if (this.shared) {
      try {
        return await this.shared.increment(key, ttl, limit, blockDuration, name);
      } catch (err) {
        this.warn(err as Error);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, name);
  }

  private warn(err: Error): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`rate-limit counters fall back to this instance's memory: Redis ${err.message}`);
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
    this.redis?.disconnect(false);
  }
}
