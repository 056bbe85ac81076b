import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { amountOutOfRange, CORE_ERRORS, CoreErrorCode, PROBLEM_BASE, ProblemError, sqlState } from './problem';

/** SQLSTATE numeric_value_out_of_range: a total beyond its column. Never a 5xx (docs/money-integrity.md). */
const NUMERIC_OUT_OF_RANGE = '22003';

const STATUS_SLUG: Record<number, CoreErrorCode> = {
  400: CoreErrorCode.Validation,
  401: CoreErrorCode.Unauthenticated,
  403: CoreErrorCode.Forbidden,
  404: CoreErrorCode.NotFound,
  409: CoreErrorCode.Conflict,
  413: CoreErrorCode.PayloadTooLarge,
  415: CoreErrorCode.UnsupportedMediaType,
  429: CoreErrorCode.TooManyRequests,
};

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

/** Every error leaves as application/problem+json (RFC 9457). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetailsFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = this.toProblem(exception, req);
    if (res.headersSent) return;
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  toProblem(exception: unknown, req: Request): Record<string, unknown> & { status: number } {
    if (!(exception instanceof ProblemError) && sqlState(exception) === NUMERIC_OUT_OF_RANGE) {
      exception = amountOutOfRange('An amount or a total is beyond what can be recorded; nothing was changed');
    }
    if (exception instanceof ProblemError) {
      return {
        type: PROBLEM_BASE + exception.slug,
        title: exception.title,
        status: exception.status,
        detail: exception.message,
        ...(exception.errors ? { errors: exception.errors } : {}),
        ...exception.extensions,
      };
    }
    if (exception instanceof ThrottlerException) {
      return this.simple(429, 'Rate limit reached; retry later');
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) return this.internal(exception, req);
      const response = exception.getResponse();
      let detail = exception.message;
      if (typeof response === 'object' && response && 'message' in response) {
        const m = (response as { message: unknown }).message;
        detail = Array.isArray(m) ? m.join('; ') : String(m);
      }
      if (status === 404 && /^Cannot [A-Z]+ /.test(detail)) detail = `No route for ${req.method} ${req.path}`;
      return this.simple(status, detail);
    }
    // body-parser errors (malformed JSON, too large, bad charset) carry their status.
    const bp = exception as BodyParserError;
    const bpStatus = bp?.status ?? bp?.statusCode;
    if (bp && typeof bpStatus === 'number' && bpStatus >= 400 && bpStatus < 500) {
      const detail = bp.type === 'entity.parse.failed' ? 'The request body is not valid JSON' : String((exception as Error).message);
      return this.simple(bpStatus, detail);
    }
    return this.internal(exception, req);
  }

  private simple(status: number, detail: string) {
    const slug = STATUS_SLUG[status] ?? (status >= 500 ? CoreErrorCode.Internal : CoreErrorCode.Validation);
    return { type: PROBLEM_BASE + slug, title: CORE_ERRORS[slug].title, status, detail };
  }

  private internal(exception: unknown, req: Request) {
    const id = (req as Request & { id?: unknown }).id;
    this.logger.error({ err: exception, requestId: id }, 'unhandled error');
    return {
      type: PROBLEM_BASE + CoreErrorCode.Internal,
      title: CORE_ERRORS.internal.title,
      status: 500,
      detail: `An unexpected error occurred (request ${String(id ?? 'unknown')})`,
    };
  }
}
