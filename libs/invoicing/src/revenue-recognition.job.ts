import { Injectable, OnModuleInit } from '@nestjs/common';
import { DAY_MS, ScheduledJobs } from '#disty/core';
import { RevenueRecognitionService } from './revenue-recognition.service';

/** Daily, after the billing run and credit holds: releases yesterday's cloud service. */
export const RECOGNITION_CRON = '0 45 3 * * *';

/**
 * The daily revenue recognition run through yesterday (docs/accounting.md §3), on the job queue
 * (docs/operations.md §4; a day missed while no instance was up is caught up once at start-up,
 * and one run releases every day not yet released). The run holds an advisory lock for its
 * transaction (a run finding it taken is recorded SKIPPED), and a repeated run releases nothing
 * twice (each charge's progress is kept with its releases).
 */
@Injectable()
export class RevenueRecognitionJob implements OnModuleInit {
  constructor(
    private readonly jobs: ScheduledJobs,
    private readonly recognition: RevenueRecognitionService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'revenue-recognition',
      cron: RECOGNITION_CRON,
      catchUpMs: DAY_MS,
      run: () => this.daily(),
    });
  }

  async daily(): Promise<Record<string, unknown> | null> {
    const result = await this.recognition.runIfFree(this.recognition.defaultThrough());
    return (
      result && {
        runId: result.runId,
        through: result.through,
        slices: result.slices,
        entries: result.entries.length,
      }
    );
  }
}
