import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public, Unthrottled } from '#disty/core';
import { Readiness } from './readiness';

/** Health for people and probes (docs/operations.md §11); all public and not rate-limited. */
@ApiTags('health')
@Controller('health')
@Public()
@Unthrottled()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly readiness: Readiness,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'The database answers a ping (kept for existing monitors; probes use live and ready)',
  })
  @HealthCheck()
  check(@Res({ passthrough: true }) res: Response) {
    return this.answer(res, [() => this.database.pingCheck('database', { timeout: 3000 })]);
  }

  @Get('live')
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness: the process serves HTTP (touches no dependency; restart the instance when it fails)',
  })
  @HealthCheck()
  live(@Res({ passthrough: true }) res: Response) {
    return this.answer(res, []);
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: migrations applied, database reachable, not shutting down (503 otherwise)',
  })
  @HealthCheck()
  ready(@Res({ passthrough: true }) res: Response) {
    return this.answer(res, [
      () => this.readiness.accepting(),
      () => this.database.pingCheck('database', { timeout: 3000 }),
      () => this.readiness.migrations(),
    ]);
  }

  /** Terminus's report, with 503 and the same report body when a check is down (not a 500 problem). */
  private async answer(res: Response, checks: HealthIndicatorFunction[]) {
    try {
      return await this.health.check(checks);
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      res.status(503);
      return e.getResponse();
    }
  }
}
