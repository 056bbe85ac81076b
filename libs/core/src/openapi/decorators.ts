import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtension, ApiNoContentResponse, ApiOkResponse, ApiProduces, ApiProperty } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Page } from '../pagination/pagination.dto';

/**
 * Swagger decorators that describe what a handler answers (docs/api-conventions.md §10). The
 * document's error responses are completed in one place (completeDocument): the `x-disty-*`
 * extensions set here are read and removed there.
 */
export const EXT_PUBLIC = 'x-disty-public';
export const EXT_ROLES = 'x-disty-roles';
export const EXT_PROBLEMS = 'x-disty-problems';
export const EXT_UNTHROTTLED = 'x-disty-unthrottled';

/** Problem statuses a handler documents beyond those the document derives from its shape. */
export type ProblemStatus = 400 | 403 | 404 | 409 | 415 | 422 | 503;

/**
 * The 4xx/5xx a handler or its service can answer beyond what completeDocument derives (400 for a
 * body, query or header; 401, 403 for secured routes; 404 for path parameters; 409 for an
 * Idempotency-Key; 413, 429, 500): typically 409 and 422 from the module's errors.ts.
 */
export function ApiProblems(...statuses: ProblemStatus[]): MethodDecorator {
  return ApiExtension(EXT_PROBLEMS, [...new Set(statuses)].sort());
}

/** The route is not rate-limited (and documents no 429). */
export function Unthrottled(): MethodDecorator & ClassDecorator {
  return applyDecorators(SkipThrottle(), ApiExtension(EXT_UNTHROTTLED, true));
}

const pages = new Map<Type<unknown>, Type<unknown>>();

/**
 * The paged list of `item` as a schema named `<Item>Page` (`OrderView` → `OrderPage`): what
 * `page()` returns (libs/core/src/pagination/pagination.dto.ts), `{ items, total, page, pageSize }`.
 */
export function PageOf<T>(item: Type<T>): Type<Page<T>> {
  const known = pages.get(item);
  if (known) return known as Type<Page<T>>;
  class PageView {
    items: T[];
    total: number;
    page: number;
    pageSize: number;
  }
  ApiProperty({ type: [item] })(PageView.prototype, 'items');
  ApiProperty({ type: 'integer', minimum: 0, description: 'Items matching the filters, on all pages' })(PageView.prototype, 'total');
  ApiProperty({ type: 'integer', minimum: 1, description: 'This page, from 1' })(PageView.prototype, 'page');
  ApiProperty({ type: 'integer', minimum: 1, maximum: 200, description: 'Items per page' })(PageView.prototype, 'pageSize');
  Object.defineProperty(PageView, 'name', { value: `${item.name.replace(/View$/, '')}Page` });
  pages.set(item, PageView);
  return PageView;
}

/** 200 with a page of `item` (PageOf). */
export function ApiPageResponse(item: Type<unknown>, description?: string): MethodDecorator {
  return ApiOkResponse({ type: PageOf(item), description });
}

/** 200 with a PDF document (`application/pdf`, a binary string). */
export function ApiPdfResponse(description = 'The document as a PDF'): MethodDecorator {
  return applyDecorators(ApiProduces('application/pdf'), ApiOkResponse({ description, schema: { type: 'string', format: 'binary' } }));
}

/** 200 with CSV (`text/csv`: a header row, then one row per item). */
export function ApiCsvResponse(description: string): MethodDecorator {
  return applyDecorators(ApiProduces('text/csv'), ApiOkResponse({ description, schema: { type: 'string' } }));
}

/** 204: done, nothing to answer. */
export function ApiNoContent(description = 'Done; no body'): MethodDecorator {
  return ApiNoContentResponse({ description });
}
