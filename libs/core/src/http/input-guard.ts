import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import type { IncomingMessage } from 'http';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { coreError, CoreErrorCode, validationError } from '../errors/problem';

/**
 * Input every endpoint refuses before any handler runs (docs/security.md, "Input"), each as a 4xx
 * problem: JSON nested deeper than MAX_JSON_DEPTH (400, checked on the raw bytes before parsing, so
 * no recursive code ever sees it), a NUL character in any string of the body, query or path (400:
 * PostgreSQL cannot store it in text), and a body in a media type the endpoint does not take (415;
 * JSON unless the route declares others with @ApiConsumes, as the CSV import does).
 */
export const MAX_JSON_DEPTH = 32;

/** body-parser's `verify` hook for the JSON parser: refuses nesting beyond MAX_JSON_DEPTH. */
export function refuseDeepJson(_req: IncomingMessage, _res: unknown, buf: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw Object.assign(new Error(`The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`), {
          status: 400,
          expose: true,
        });
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/** The path (e.g. `lines[0].note`) of the first string holding a NUL character, or null. */
export function nulPath(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'value' : null;
  if (depth > MAX_JSON_DEPTH || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    if (k.includes('\u0000')) return here;
    const found = nulPath(v, here, depth + 1);
    if (found) return found;
  }
  return null;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

@Injectable()
export class InputGuardInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !Buffer.isBuffer(req.body)) {
      const declared = this.reflector.getAllAndOverride<string[] | undefined>(DECORATORS.API_CONSUMES, [
        context.getHandler(),
        context.getClass(),
      ]);
      const accepted = declared?.length ? declared : JSON_TYPES;
      if (!req.is(accepted)) {
        const given = req.headers['content-type'] ?? 'none';
        throw coreError(CoreErrorCode.UnsupportedMediaType, `Content-Type ${given} is not accepted here; send ${accepted[0]}`);
      }
    }
    for (const [part, value] of [
      ['body', req.body],
      ['query', req.query],
      ['path', req.params],
    ] as const) {
      const at = nulPath(value, '');
      if (at)
        throw validationError(`The ${part} holds a NUL character (\\u0000), which no field accepts`, [
          { field: at, message: 'contains a NUL character' },
        ]);
    }
    return next.handle();
  }
}
