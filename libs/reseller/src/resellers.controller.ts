import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, assertSameTenant, CREDIT_LINES, CreditLine, CurrentActor, notFound, Page, ParseIdPipe, Roles, tenantScope } from '@disty/core';
import { CreateResellerUserDto, UserResponse } from '@disty/identity';
import {
  CreateResellerDto, CreditLineView, ResellerQueryDto, ResellerView, UpdateCreditLineDto, UpdateResellerDto,
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
  @ApiCreatedResponse({ type: ResellerView })
  create(@Body() dto: CreateResellerDto): Promise<ResellerView> {
    return this.resellers.createReseller(dto);
  }

  /** Distributor staff see every reseller; a reseller's users see their own only. */
  @Get()
  list(@Query() q: ResellerQueryDto, @CurrentActor() actor: Actor): Promise<Page<ResellerView>> {
    return this.resellers.listResellers(tenantScope(actor), q);
  }

  @Get(':id')
  @ApiOkResponse({ type: ResellerView })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<ResellerView> {
    assertSameTenant(actor, id, `Reseller ${id}`);
    return this.resellers.getResellerView(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: ResellerView })
  update(@Param('id', ParseIdPipe) id: string, @Body() dto: UpdateResellerDto): Promise<ResellerView> {
    return this.resellers.updateReseller(id, dto);
  }

  @Post(':id/users')
  @Roles('admin', 'reseller_admin')
  createUser(
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CreateResellerUserDto,
    @CurrentActor() actor: Actor,
  ): Promise<UserResponse> {
    assertSameTenant(actor, id, `Reseller ${id}`);
    return this.resellers.createUser(id, dto);
  }

  @Get(':id/users')
  @Roles('admin', 'reseller_admin')
  async users(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<{ items: UserResponse[] }> {
    assertSameTenant(actor, id, `Reseller ${id}`);
    return { items: await this.resellers.listUsers(id) };
  }

  @Get(':id/credit-lines')
  @Roles('admin', 'finance', ...RESELLER_USER_ROLES)
  creditLines(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<{ items: CreditLineView[] }> {
    assertSameTenant(actor, id, `Reseller ${id}`);
    return this.resellers.creditLineViews(id);
  }

  @Put(':id/credit-lines/:line')
  @Roles('admin')
  @ApiOkResponse({ type: CreditLineView })
  updateCreditLine(
    @Param('id', ParseIdPipe) id: string,
    @Param('line') line: string,
    @Body() dto: UpdateCreditLineDto,
  ): Promise<CreditLineView> {
    if (!(CREDIT_LINES as readonly string[]).includes(line)) throw notFound(`Credit line ${line.slice(0, 20)}`);
    return this.resellers.updateCreditLine(id, line as CreditLine, dto);
  }
}
