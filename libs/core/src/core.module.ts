import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from './clock/clock';
import { ReadDatabase } from './database/read-database';
import { ProblemDetailsFilter } from './errors/problem.filter';
import { InputGuardInterceptor } from './http/input-guard';
import { createValidationPipe } from './http/validation';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyService } from './idempotency/idempotency.service';
import { JobRunsController } from './jobs/job-runs.controller';
import { JobScheduler } from './jobs/job-scheduler';
import { ScheduledJobs } from './jobs/scheduled-jobs';

/**
 * Cross-cutting pieces every module uses. The pipe, filter and interceptor are APP_* providers so
 * end-to-end tests get exactly production's pipeline. The scheduled jobs' registry and runner live
 * here too: modules register their jobs with ScheduledJobs (docs/operations.md §4).
 */
@Global()
@Module({
  controllers: [JobRunsController],
  providers: [
    Clock,
    IdempotencyService,
    ScheduledJobs,
    JobScheduler,
    // The read-only reports' connection: a replica with DATABASE_READ_URL (docs/operations.md §15).
    {
      provide: ReadDatabase,
      inject: [getDataSourceToken()],
      useFactory: (primary: DataSource) => new ReadDatabase(primary),
    },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    // Before idempotency: refused input (NUL, media type) never reaches a handler (docs/security.md, "Input").
    { provide: APP_INTERCEPTOR, useClass: InputGuardInterceptor },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
  exports: [Clock, IdempotencyService, ScheduledJobs, JobScheduler, ReadDatabase],
})
export class CoreModule {}
