import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '../pagination/pagination.dto';

export const JOB_RUN_STATUSES = ['RUNNING', 'SUCCEEDED', 'SKIPPED', 'FAILED'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];

export class JobRunQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: String, description: 'One job, e.g. billing-run' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,60}$/, { message: 'job must be a job name such as billing-run' })
  job?: string;

  @ApiPropertyOptional({ enum: JOB_RUN_STATUSES })
  @IsOptional()
  @IsIn(JOB_RUN_STATUSES)
  status?: JobRunStatus;
}

export class JobRunView {
  @ApiProperty() id: string;
  @ApiProperty({ type: String, example: 'billing-run' }) job: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'The cron time this run stands for' })
  scheduledFor: string;
  @ApiProperty({ type: Boolean, description: 'Caught up at start-up: no instance was running at its time' })
  backfilled: boolean;
  @ApiProperty({ type: Number }) attempts: number;
  @ApiProperty({ enum: JOB_RUN_STATUSES }) status: JobRunStatus;
  @ApiProperty({ type: String, description: 'host:pid of the instance that ran the last attempt' })
  instance: string;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: "The job's own summary",
  })
  summary: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
}

export class JobRunPageView {
  @ApiProperty({ type: [JobRunView] }) items: JobRunView[];
  @ApiProperty() total: number;
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
}
