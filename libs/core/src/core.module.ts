import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { Clock } from './clock/clock';
import { ProblemDetailsFilter } from './errors/problem.filter';
import { InputGuardInterceptor } from './http/input-guard';
import { createValidationPipe } from './http/validation';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyService } from './idempotency/idempotency.service';

/**
 * Cross-cutting pieces every module uses. The pipe, filter and interceptor are APP_* providers so
 * end-to-end tests get exactly production's pipeline.
 */
@Global()
@Module({
  providers: [
    Clock,
    IdempotencyService,
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    // Before idempotency: refused input (NUL, media type) never reaches a handler (docs/security.md, "Input").
    { provide: APP_INTERCEPTOR, useClass: InputGuardInterceptor },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
  exports: [Clock, IdempotencyService],
})
export class CoreModule {}
