import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { observeJob } from '@disty/core';
import { RevenueRecognitionService } from './revenue-recognition.service';

/** Daily, after the billing run and credit holds: releases yesterday's cloud service. */
export const RECOGNITION_CRON = '0 45 3 * * *';

/**
 * When JOBS_ENABLED: the daily revenue recognition run through yesterday (docs/accounting.md §3).
 * Every instance may fire it: the run holds an advisory lock for its transaction (an instance that
 * finds it taken skips), and a repeated run releases nothing twice (each charge's progress is kept
 * with its releases).
 */
@Injectable()
export class RevenueRecognitionJob implements OnApplicationBootstrap {
  private readonly logger = new Logger('RevenueRecognitionJob');

  constructor(
    private readonly config: ConfigService,
    private readonly registry: SchedulerRegistry,
    private readonly recognition: RevenueRecognitionService,
  ) {}

  onApplicationBootstrap(): void {
    const enabled = this.config.get<boolean>('JOBS_ENABLED');
    if (enabled === false || String(enabled) === 'false') return;
    const job = CronJob.from({ cronTime: RECOGNITION_CRON, timeZone: 'UTC', onTick: () => void this.daily() });
    this.registry.addCronJob('revenue-recognition', job);
    job.start();
  }

  async daily(): Promise<void> {
    try {
      const result = await observeJob('revenue-recognition', () => this.recognition.runIfFree(this.recognition.defaultThrough()));
      if (result) this.logger.log(`revenue recognition through ${result.through}: ${result.slices} slice(s), ${result.entries.length} entr(ies)`);
    } catch (e) {
      this.logger.error({ err: e }, 'revenue recognition failed');
    }
  }
}
