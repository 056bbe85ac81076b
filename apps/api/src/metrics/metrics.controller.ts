import { Controller, Get, Header, Headers, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '#disty/core';
import { bearerMatches, metricsExposure } from './exposure';
import { MetricsService } from './metrics.service';

/**
 * GET /metrics on the API's port, only when METRICS_PUBLIC or METRICS_TOKEN says so; otherwise a
 * 404 like any unknown path (docs/operations.md §12). Left out of the OpenAPI contract: it is the
 * operators' Prometheus endpoint, not part of the API.
 */
@ApiExcludeController()
@Controller('metrics')
@Public()
@SkipThrottle()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Headers('authorization') auth: string | undefined, @Res({ passthrough: true }) res: Response): Promise<string> {
    const exposure = metricsExposure();
    if (exposure.onMainPort === 'off') throw new NotFoundException('No route for GET /metrics');
    if (exposure.onMainPort === 'token' && !bearerMatches(auth, exposure.token!)) {
      throw new UnauthorizedException('A bearer token (METRICS_TOKEN) is required for /metrics');
    }
    res.type(this.metrics.contentType);
    return this.metrics.render();
  }
}
