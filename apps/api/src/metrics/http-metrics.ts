import type { NextFunction, Request, Response } from 'express';
import { httpRequestDuration } from '#disty/core';

/**
 * Times every HTTP request into `disty_http_request_duration_seconds{method,route,status}`, with
 * the matched route's pattern (`/api/v1/orders/:id`), never the raw URL: paths that matched no
 * route count as `unmatched`, the portal's files as `static` (docs/operations.md §12).
 */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = httpRequestDuration.startTimer();
  res.once('finish', () => {
    const pattern = (req.route as { path?: unknown } | undefined)?.path;
    const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : res.statusCode === 404 ? 'unmatched' : 'static';
    end({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
}
