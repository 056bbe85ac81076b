import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'crypto';
import { Actor, ApiPageResponse, ApiProblems, Clock, CurrentActor, Idempotent, Page, ParseIdPipe, Roles } from '#disty/core';
import { RevaluationDto } from './fx/fx-rate.dto';
import { RevaluationService } from './fx/revaluation.service';
import {
  ClosePeriodDto,
  EntryQueryDto,
  PostEntryDto,
  ReverseEntryDto,
  StatementQueryDto,
  TrialBalanceQueryDto,
} from './dto/journal-entry.dto';
import { TrialBalanceView } from './dto/trial-balance.response';
import { JournalEntryView } from './dto/journal-entry.dto';
import {
  AccountListView,
  AccountStatementView,
  ClosedPeriodListView,
  ClosedPeriodView,
  PeriodCloseReportView,
  RevaluationResultView,
} from './dto/ledger.response';
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
  @ApiOperation({ operationId: 'postJournalEntry', summary: 'Post a manual journal entry' })
  @ApiCreatedResponse({ type: JournalEntryView })
  @ApiProblems(422)
  postEntry(@Body() dto: PostEntryDto, @CurrentActor() actor: Actor): Promise<JournalEntryView> {
    return this.ledger.postManual({ ...dto, sourceId: randomUUID(), createdBy: actor.id });
  }

  @Get('entries')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'listJournalEntries', summary: 'Search journal entries' })
  @ApiPageResponse(JournalEntryView, 'Latest first')
  searchEntries(@Query() q: EntryQueryDto): Promise<Page<JournalEntryView>> {
    return this.reads.searchEntries(q);
  }

  @Get('entries/:id')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getJournalEntry', summary: 'Read a journal entry with its lines' })
  @ApiOkResponse({ type: JournalEntryView })
  getEntry(@Param('id', ParseIdPipe) id: string): Promise<JournalEntryView> {
    return this.reads.getEntry(id);
  }

  @Post('entries/:id/reverse')
  @Roles('finance')
  @Idempotent()
  @ApiOperation({ operationId: 'reverseJournalEntry', summary: 'Reverse a journal entry' })
  @ApiCreatedResponse({ type: JournalEntryView, description: 'The reversing entry' })
  @ApiProblems(409, 422)
  reverse(@Param('id', ParseIdPipe) id: string, @Body() dto: ReverseEntryDto, @CurrentActor() actor: Actor): Promise<JournalEntryView> {
    return this.ledger.reverseInOwnTransaction(id, { ...dto, createdBy: actor.id });
  }

  @Get('accounts')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'listAccounts', summary: 'List the chart of accounts' })
  @ApiOkResponse({ type: AccountListView })
  async accounts(): Promise<AccountListView> {
    return { items: await this.reads.listAccounts() };
  }

  @Get('accounts/:code/statement')
  @Roles('finance', 'admin')
  @ApiOperation({
    operationId: 'getAccountStatement',
    summary: 'Read an account’s statement with running balances',
  })
  @ApiOkResponse({ type: AccountStatementView })
  statement(@Param('code') code: string, @Query() q: StatementQueryDto): Promise<AccountStatementView> {
    return this.reads.statement(code, q);
  }

  @Get('trial-balance')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getTrialBalance', summary: 'Read the trial balance as of a date' })
  @ApiOkResponse({ type: TrialBalanceView })
  trialBalance(@Query() q: TrialBalanceQueryDto): Promise<TrialBalanceView> {
    return this.ledger.trialBalance(q.asOf ?? this.clock.today(), q.currency);
  }

  /** Month-end revaluation of foreign-currency monetary balances to 7150 (docs/accounting.md §10); once per month end. */
  @Post('revaluation/run')
  @Roles('finance')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'runRevaluation',
    summary: 'Revalue foreign-currency balances at a month end',
  })
  @ApiOkResponse({ type: RevaluationResultView })
  @ApiProblems(422)
  runRevaluation(@Body() dto: RevaluationDto, @CurrentActor() actor: Actor): Promise<RevaluationResultView> {
    return this.revaluation.run(dto.asOf, actor.id);
  }

  @Get('periods')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'listClosedPeriods', summary: 'List the closed months' })
  @ApiOkResponse({ type: ClosedPeriodListView })
  async periods(): Promise<ClosedPeriodListView> {
    return { items: await this.ledgerPeriods.listPeriods() };
  }

  /** What closing the month would report: revenue due but not recognised, shipped lines not invoiced, unmatched vendor accruals. */
  @Get('periods/:period/close-report')
  @Roles('finance', 'admin')
  @ApiOperation({ operationId: 'getPeriodCloseReport', summary: 'Report what closing a month would find' })
  @ApiOkResponse({ type: PeriodCloseReportView })
  @ApiProblems(400)
  closeReport(@Param('period') period: string): Promise<PeriodCloseReportView> {
    return this.ledgerPeriods.closeReport(period);
  }

  /** Closes the month; refused (422 period-not-clean) while the close report has findings, unless force with a reason. */
  @Post('periods/:period/close')
  @Roles('finance')
  @HttpCode(200)
  @ApiOperation({ operationId: 'closePeriod', summary: 'Close a month' })
  @ApiOkResponse({
    type: ClosedPeriodView,
    description: 'The closed month (a month already closed answers as it was closed)',
  })
  @ApiProblems(422)
  closePeriod(@Param('period') period: string, @Body() dto: ClosePeriodDto, @CurrentActor() actor: Actor): Promise<ClosedPeriodView> {
    return this.ledgerPeriods.closePeriod(period, actor.id, dto);
  }
}
