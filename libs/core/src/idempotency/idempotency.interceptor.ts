import { CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, Observable, of, switchMap, throwError } from 'rxjs';
import { validationError } from '../errors/problem';
import { IdempotencyService } from './idempotency.service';
import { IdempotencyContext, idempotencyContext, IdempotentReplay } from './idempotent-transaction';

const IDEMPOTENT = 'disty:idempotent';

/**
 * Marks a POST that creates a money movement: it honours the Idempotency-Key header. Its use case
 * must run its transaction through idempotentTransaction, so that the key's outcome commits with it.
 */
export function Idempotent(): MethodDecorator {
  return (target, key, descriptor) => {
    SetMetadata(IDEMPOTENT, true)(target, key, descriptor);
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'A key for this user action (1–255 visible ASCII characters): a replay returns the first response with ' +
        '`Idempotent-Replayed: true`; the same key with another request is `409 idempotency-key-reuse` (docs/api-conventions.md §5)',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
    })(target, key, descriptor);
  };
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.reflector.get<boolean>(IDEMPOTENT, context.getHandler())) {
      return next.handle();
    }
    const req = context.switchToHttp().getRequest<Request & { user?: { id: string } }>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = req.header('idempotency-key');
    if (key === undefined) return next.handle();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      return throwError(() =>
        validationError('Idempotency-Key must be 1–255 visible ASCII characters', [
          { field: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' },
        ]),
      );
    }
    const scope = req.user?.id ?? 'anonymous';
    const hash = IdempotencyService.hashRequest(req.method, req.route?.path ?? req.path, {
      params: req.params,
      body: req.body,
    });
    const status =
      this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? (req.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);

    const ctx: IdempotencyContext = { scope, key, requestHash: hash, status };

    // The handler runs with the key in its async context: its business transaction
    // (idempotentTransaction) takes the key and stores the response before it commits.
    return from(this.keys.check(scope, key, hash)).pipe(
      switchMap(
        () =>
          new Observable<unknown>((subscriber) =>
            idempotencyContext.run(ctx, () =>
              next
                .handle()
                .pipe(
                  mergeMap((body: unknown) =>
                    // What the client sees is what a replay returns: the stored JSON.
                    ctx.stored
                      ? Promise.resolve(ctx.stored.body)
                      : idempotencyContext.run(ctx, () => this.keys.storeWithoutChange(JSON.parse(JSON.stringify(body ?? null)))),
                  ),
                )
                .subscribe(subscriber),
            ),
          ),
      ),
      catchError((err: unknown) => {
        if (!(err instanceof IdempotentReplay)) return throwError(() => err);
        res.status(err.status);
        res.setHeader('Idempotent-Replayed', 'true');
        return of(err.body);
      }),
    );
  }
}
