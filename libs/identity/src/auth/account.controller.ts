import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, ApiNoContent, ApiProblems, CurrentActor, ParseIdPipe, Roles } from '#disty/core';
import { AccountService } from './account.service';
import { ApiTokenCreatedView, ApiTokenListView, CreateApiTokenDto, TotpCodeDto, TotpEnrolmentView, TotpStatusView } from './auth.dto';

/** Roles that may hold named API tokens for integrations (docs/security.md §10). */
export const TOKEN_ROLES = ['admin', 'finance', 'reseller_admin', 'reseller_finance'] as const;

/** The signed-in user's own account: two-factor sign-in and API tokens. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('me')
export class AccountController {
  constructor(private readonly account: AccountService) {}

  @Get('totp')
  @ApiOperation({ operationId: 'getTotpStatus', summary: 'Is two-factor sign-in (TOTP) on?' })
  @ApiOkResponse({ type: TotpStatusView })
  async totp(@CurrentActor() actor: Actor): Promise<TotpStatusView> {
    return { enabled: await this.account.totpEnabled(actor.id) };
  }

  @Post('totp')
  @ApiOperation({
    operationId: 'startTotpEnrolment',
    summary: 'Start two-factor set-up: a new secret and otpauth URL, shown once',
  })
  @ApiCreatedResponse({ type: TotpEnrolmentView })
  @ApiProblems(409)
  startTotp(@CurrentActor() actor: Actor): Promise<TotpEnrolmentView> {
    return this.account.startTotp(actor.id);
  }

  @Post('totp/confirm')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'confirmTotpEnrolment',
    summary: 'Turn two-factor sign-in on with a code from the app',
  })
  @ApiNoContent()
  @ApiProblems(409, 422)
  async confirmTotp(@Body() dto: TotpCodeDto, @CurrentActor() actor: Actor): Promise<void> {
    await this.account.confirmTotp(actor.id, dto.code);
  }

  @Post('totp/disable')
  @HttpCode(204)
  @ApiOperation({ operationId: 'disableTotp', summary: 'Turn two-factor sign-in off with a current code' })
  @ApiNoContent()
  @ApiProblems(409, 422)
  async disableTotp(@Body() dto: TotpCodeDto, @CurrentActor() actor: Actor): Promise<void> {
    await this.account.disableTotp(actor.id, dto.code);
  }

  @Get('tokens')
  @Roles(...TOKEN_ROLES)
  @ApiOperation({ operationId: 'listApiTokens', summary: 'List my API tokens (never the tokens themselves)' })
  @ApiOkResponse({ type: ApiTokenListView })
  async tokens(@CurrentActor() actor: Actor): Promise<ApiTokenListView> {
    return { items: await this.account.listTokens(actor.id) };
  }

  @Post('tokens')
  @Roles(...TOKEN_ROLES)
  @ApiOperation({
    operationId: 'createApiToken',
    summary: 'Create a named API token acting as me; shown once',
  })
  @ApiCreatedResponse({ type: ApiTokenCreatedView })
  createToken(@Body() dto: CreateApiTokenDto, @CurrentActor() actor: Actor): Promise<ApiTokenCreatedView> {
    return this.account.createToken(actor.id, dto.name);
  }

  @Delete('tokens/:id')
  @Roles(...TOKEN_ROLES)
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeApiToken', summary: 'Revoke one of my API tokens' })
  @ApiNoContent()
  async revokeToken(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.account.revokeToken(actor.id, id);
  }
}
