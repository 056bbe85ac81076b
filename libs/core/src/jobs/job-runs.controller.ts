import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { page } from '../pagination/pagination.dto';
import { Roles } from '../tenancy/actor';
import { JobRunPageView, JobRunQueryDto, JobRunStatus, JobRunView } from './job-runs.dto';

interface JobRunRow {
  id: string;
  job: string;
  scheduled_for: Date;
  backfilled: boolean;
  attempts: number;
  status: JobRunStatus;
  instance: string;
  started_at: Date;
  finished_at: Date | null;
  summary: Record<string, unknown> | null;
  error: string | null;
}

/** The scheduled jobs' history (docs/operations.md §4), newest occurrence first. */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs/runs')
export class JobRunsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @Roles('admin')
  @ApiOperation({
    operationId: 'listJobRuns',
    summary: 'Runs of the scheduled jobs (billing, renewals, alert scan, recognition, credit holds), caught-up ones included',
  })
  @ApiOkResponse({ type: JobRunPageView })
  async list(@Query() q: JobRunQueryDto): Promise<JobRunPageView> {
    const where = `WHERE ($1::text IS NULL OR job = $1) AND ($2::text IS NULL OR status = $2)`;
    const params = [q.job ?? null, q.status ?? null];
    const [{ total }]: Array<{ total: number }> = await this.db.query(`SELECT count(*)::int AS total FROM job_runs ${where}`, params);
    const rows: JobRunRow[] = await this.db.query(
      `SELECT * FROM job_runs ${where} ORDER BY scheduled_for DESC, id DESC LIMIT $3 OFFSET $4`,
      [...params, q.pageSize, q.offset],
    );
    return page(rows.map(toView), total, q);
  }
}

function toView(r: JobRunRow): JobRunView {
  return {
    id: r.id,
    job: r.job,
    scheduledFor: r.scheduled_for.toISOString(),
    backfilled: r.backfilled,
    attempts: r.attempts,
    status: r.status,
    instance: r.instance,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    summary: r.summary,
    error: r.error,
  };
}
