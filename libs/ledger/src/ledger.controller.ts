import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'crypto';
import { Actor, Clock, CurrentActor, Idempotent, ParseIdPipe, Roles } from '@disty/core';
import { RevaluationDto } from './fx/fx-rate.dto';
import { RevaluationService } from './fx/revaluation.service';
import { ClosePeriodDto, EntryQueryDto, PostEntryDto, ReverseEntryDto, StatementQueryDto, TrialBalanceQueryDto } from './dto/journal-entry.dto';
import { TrialBalanceView } from './dto/trial-balance.response';
import { LedgerService } from './ledger.service';
import { LedgerReadService } from './ledger-read.service';
import { LedgerPeriodService } from './ledger-period.service';

@ApiTags('ledger')
@ApiBearerAuth()
@Controller('ledger')
export class LedgerController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly reads: LedgerReadService,
    private readonly ledgerPeriods: LedgerPeriodService,
    private readonly revaluation: RevaluationService,
    private readonly clock: Clock,
  ) {}

  @Post('entries')
  @Roles('finance')
  @Idempotent()
  postEntry(@Body() dto: PostEntryDto, @CurrentActor() actor: Actor) {
    return this.ledger.postManual({ ...dto, sourceId: randomUUID(), createdBy: actor.id });
  }

  @Get('entries')
  @Roles('finance', 'admin')
  searchEntries(@Query() q: EntryQueryDto) {
    return this.reads.searchEntries(q);
  }

  @Get('entries/:id')
  @Roles('finance', 'admin')
  getEntry(@Param('id', ParseIdPipe) id: string) {
    return this.reads.getEntry(id);
  }

  @Post('entries/:id/reverse')
  @Roles('finance')
  @Idempotent()
  reverse(@Param('id', ParseIdPipe) id: string, @Body() dto: ReverseEntryDto, @CurrentActor() actor: Actor) {
    return this.ledger.reverseInOwnTransaction(id, { ...dto, createdBy: actor.id });
  }

  @Get('accounts')
  @Roles('finance', 'admin')
  async accounts() {
    return { items: await this.reads.listAccounts() };
  }

  @Get('accounts/:code/statement')
  @Roles('finance', 'admin')
  statement(@Param('code') code: string, @Query() q: StatementQueryDto) {
    return this.reads.statement(code, q);
  }

  @Get('trial-balance')
  @Roles('finance', 'admin')
  @ApiOkResponse({ type: TrialBalanceView })
  trialBalance(@Query() q: TrialBalanceQueryDto): Promise<TrialBalanceView> {
    return this.ledger.trialBalance(q.asOf ?? this.clock.today(), q.currency);
  }

  /** Month-end revaluation of foreign-currency monetary balances to 7150 (docs/accounting.md §10); once per month end. */
  @Post('revaluation/run')
  @Roles('finance')
  @HttpCode(200)
  runRevaluation(@Body() dto: RevaluationDto, @CurrentActor() actor: Actor) {
    return this.revaluation.run(dto.asOf, actor.id);
  }

  @Get('periods')
  @Roles('finance', 'admin')
  async periods() {
    return { items: await this.ledgerPeriods.listPeriods() };
  }

  /** What closing the month would report: revenue due but not recognised, shipped lines not invoiced, unmatched vendor accruals. */
  @Get('periods/:period/close-report')
  @Roles('finance', 'admin')
  closeReport(@Param('period') period: string) {
    return this.ledgerPeriods.closeReport(period);
  }

  /** Closes the month; refused (422 period-not-clean) while the close report has findings, unless force with a reason. */
  @Post('periods/:period/close')
  @Roles('finance')
  @HttpCode(200)
  closePeriod(@Param('period') period: string, @Body() dto: ClosePeriodDto, @CurrentActor() actor: Actor) {
    return this.ledgerPeriods.closePeriod(period, actor.id, dto);
  }
}
