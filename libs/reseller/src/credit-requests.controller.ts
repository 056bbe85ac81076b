import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Actor,
  ApiPageResponse,
  ApiProblems,
  CurrentActor,
  isDistributor,
  notFound,
  Page,
  ParseIdPipe,
  Roles,
  tenantScope,
  validationError,
} from '#disty/core';
import { CreditRequestService } from './credit-request.service';
import {
  ApproveCreditRequestDto,
  CreateCreditRequestDto,
  CreditRequestQueryDto,
  CreditRequestView,
  DeclineCreditRequestDto,
} from './dto/credit-request.dto';

/** Credit requests (docs/portal.md, "Credit requests"). */
@ApiTags('resellers')
@ApiBearerAuth()
@Controller('credit-requests')
export class CreditRequestsController {
  constructor(private readonly requests: CreditRequestService) {}

  /** A reseller's user asks for more credit on one line for its own reseller; distributor staff name the reseller. */
  @Post()
  @Roles('buyer', 'reseller_admin', 'reseller_finance', 'admin', 'finance')
  @ApiOperation({ operationId: 'createCreditRequest', summary: 'Ask for more credit on a credit line' })
  @ApiCreatedResponse({ type: CreditRequestView })
  @ApiProblems(404)
  create(@Body() dto: CreateCreditRequestDto, @CurrentActor() actor: Actor): Promise<CreditRequestView> {
    let resellerId: string;
    if (isDistributor(actor)) {
      if (!dto.resellerId)
        throw validationError('resellerId is required when distributor staff ask', [
          { field: 'resellerId', message: 'is required for distributor staff' },
        ]);
      resellerId = dto.resellerId;
    } else {
      if (dto.resellerId && dto.resellerId.toLowerCase() !== actor.resellerId) throw notFound(`Reseller ${dto.resellerId}`);
      resellerId = actor.resellerId!;
    }
    return this.requests.create({
      resellerId,
      line: dto.line,
      amount: dto.amount,
      reason: dto.reason,
      requestedBy: actor.id,
    });
  }

  @Get()
  @Roles('buyer', 'reseller_admin', 'reseller_finance', 'admin', 'finance')
  @ApiOperation({ operationId: 'listCreditRequests', summary: 'List credit requests (pending first)' })
  @ApiPageResponse(CreditRequestView)
  list(@Query() q: CreditRequestQueryDto, @CurrentActor() actor: Actor): Promise<Page<CreditRequestView>> {
    return this.requests.list(tenantScope(actor), q);
  }

  @Get(':id')
  @Roles('buyer', 'reseller_admin', 'reseller_finance', 'admin', 'finance')
  @ApiOperation({ operationId: 'getCreditRequest', summary: 'Read a credit request' })
  @ApiOkResponse({ type: CreditRequestView })
  @ApiProblems(404)
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<CreditRequestView> {
    return this.requests.get(id, tenantScope(actor));
  }

  /** Approves: the line's limit is raised (to `limit`, or by the amount asked), with the reason given. */
  @Post(':id/approve')
  @Roles('finance', 'admin')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'approveCreditRequest',
    summary: 'Approve a credit request, raising the line’s limit',
  })
  @ApiOkResponse({ type: CreditRequestView })
  @ApiProblems(404, 409)
  approve(
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: ApproveCreditRequestDto,
    @CurrentActor() actor: Actor,
  ): Promise<CreditRequestView> {
    return this.requests.approve(id, dto, actor.id);
  }

  @Post(':id/decline')
  @Roles('finance', 'admin')
  @HttpCode(200)
  @ApiOperation({ operationId: 'declineCreditRequest', summary: 'Decline a credit request with a reason' })
  @ApiOkResponse({ type: CreditRequestView })
  @ApiProblems(404, 409)
  decline(
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: DeclineCreditRequestDto,
    @CurrentActor() actor: Actor,
  ): Promise<CreditRequestView> {
    return this.requests.decline(id, dto, actor.id);
  }
}
