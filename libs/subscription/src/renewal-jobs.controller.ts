import { Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock, Roles } from '#disty/core';
import { RenewalRunQueryDto, RenewalRunResult } from './dto/subscription.dto';
import { RenewalService } from './renewal.service';

/** POST /jobs/renewals/run: the renewal job on demand (admin). */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs/renewals')
export class RenewalJobController {
  constructor(
    private readonly renewals: RenewalService,
    private readonly clock: Clock,
  ) {}

  @Post('run')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ operationId: 'runRenewals', summary: 'Run the renewal job as of a date' })
  @ApiOkResponse({ type: RenewalRunResult })
  run(@Query() q: RenewalRunQueryDto): Promise<RenewalRunResult> {
    return this.renewals.run(q.asOf ?? this.clock.today());
  }
}
