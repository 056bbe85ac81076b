import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Actor,
  ApiPageResponse,
  ApiProblems,
  assertSameTenant,
  CREDIT_LINES,
  CreditLine,
  CurrentActor,
  notFound,
  Page,
  ParseIdPipe,
  Roles,
  tenantScope,
} from '#disty/core';
import { CreateResellerUserDto, UserListView, UserResponse } from '#disty/identity';
import {
  CreateResellerDto,
  CreditLimitChangeListView,
  CreditLineListView,
  CreditLineView,
  ResellerQueryDto,
  ResellerView,
  UpdateCreditLineDto,
  UpdateResellerDto,
} from './dto/reseller.dto';
import { ResellerService } from './reseller.service';

const RESELLER_USER_ROLES = ['reseller_admin', 'buyer', 'sales', 'reseller_finance'] as const;

@ApiTags('resellers')
@ApiBearerAuth()
@Controller('resellers')
export class ResellerController {
  constructor(private readonly resellers: ResellerService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ operationId: 'createReseller', summary: 'Create a reseller with its two credit lines' })
  @ApiCreatedResponse({ type: ResellerView })
  @ApiProblems(422)
  create(@Body() dto: CreateResellerDto): Promise<ResellerView> {
    return this.resellers.createReseller(dto);
  }

  /** Distributor staff see every reseller; a reseller's users see their own only. */
  @Get()
  @ApiOperation({ operationId: 'listResellers', summary: 'List resellers' })
  @ApiPageResponse(ResellerView, 'A reseller’s users see their own only')
  list(@Query() q: ResellerQueryDto, @CurrentActor() actor: Actor): Promise<Page<ResellerView>> {
    return this.resellers.listResellers(tenantScope(actor), q);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getReseller', summary: 'Read a reseller' })
  @ApiOkResponse({ type: ResellerView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<ResellerView> {
    assertSameTenant(actor, id, `Reseller ${id}`);
    return this.resellers.getResellerView(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ operationId: 'updateReseller', summary: 'Change a reseller' })
  @ApiOkResponse({ type: ResellerView })
  update(@Param('id', ParseIdPipe) id: string, @Body() dto: UpdateResellerDto): Promise<ResellerView> {
    return this.resellers.updateReseller(id, dto);
  }

  @Post(':id/users')
  @Roles('admin', 'reseller_admin')
  @ApiOperation({
    operationId: 'createResellerUser',
    summary: 'Create a user of a reseller; returns its token and a set-password link once',
  })
  @ApiCreatedResponse({
    type: UserResponse,
    description: 'The user, with its API token and set-password link (shown only here)',
  })
  @ApiProblems(409)
  createUser(
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CreateResellerUserDto,
    @CurrentActor() actor: Actor,
  ): Promise<UserResponse> {
    assertSameTenant(actor, id, `Reseller ${id}`);
    return this.resellers.createUser(id, dto, undefined, { link: true });
  }

  @Get(':id/users')
  @Roles('admin', 'reseller_admin')
  @ApiOperation({ operationId: 'listResellerUsers', summary: 'List a reseller’s users' })
  @ApiOkResponse({ type: UserListView })
  async users(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<UserListView> {
    assertSameTenant(actor, id, `Reseller ${id}`);
    return { items: await this.resellers.listUsers(id) };
  }

  @Get(':id/credit-lines')
  @Roles('admin', 'finance', ...RESELLER_USER_ROLES)
  @ApiOperation({ operationId: 'listCreditLines', summary: 'Read a reseller’s credit lines' })
  @ApiOkResponse({ type: CreditLineListView })
  creditLines(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<CreditLineListView> {
    assertSameTenant(actor, id, `Reseller ${id}`);
    return this.resellers.creditLineViews(id);
  }

  @Put(':id/credit-lines/:line')
  @Roles('admin')
  @ApiOperation({
    operationId: 'updateCreditLine',
    summary: 'Change a credit line’s limit (with a reason) or hold; kept in its history',
  })
  @ApiOkResponse({ type: CreditLineView })
  @ApiProblems(422)
  updateCreditLine(
    @Param('id', ParseIdPipe) id: string,
    @Param('line') line: string,
    @Body() dto: UpdateCreditLineDto,
    @CurrentActor() actor: Actor,
  ): Promise<CreditLineView> {
    return this.resellers.updateCreditLine(id, creditLine(line), dto, actor.id);
  }

  @Get(':id/credit-lines/:line/history')
  @Roles('admin', 'finance', 'reseller_admin', 'reseller_finance')
  @ApiOperation({
    operationId: 'listCreditLimitChanges',
    summary: 'A credit line’s changes: who, when, from → to, why',
  })
  @ApiOkResponse({ type: CreditLimitChangeListView })
  history(
    @Param('id', ParseIdPipe) id: string,
    @Param('line') line: string,
    @CurrentActor() actor: Actor,
  ): Promise<CreditLimitChangeListView> {
    assertSameTenant(actor, id, `Reseller ${id}`);
    return this.resellers.creditLimitHistory(id, creditLine(line));
  }
}

function creditLine(line: string): CreditLine {
  if (!(CREDIT_LINES as readonly string[]).includes(line)) throw notFound(`Credit line ${line.slice(0, 20)}`);
  return line as CreditLine;
}
