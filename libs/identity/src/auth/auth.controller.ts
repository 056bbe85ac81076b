import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiNoContent, ApiProblems, Public } from '#disty/core';
import { identityError, IdentityErrorCode } from '../errors';
import { PasswordLinkConfirmDto, PasswordResetAccepted, PasswordResetDto, SignInDto, SignInResponse } from './auth.dto';
import { AuthService, sameSecret } from './auth.service';
import { clearSessionCookies, CSRF_HEADER, readCookie, SESSION_COOKIE, setSessionCookies } from './cookies';

const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } };

/** The portal's sign-in (docs/security.md §6–§9). Integrations use API tokens instead. */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('sign-in')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'signIn',
    summary: 'Sign in with email and password (and TOTP code); sets the session and CSRF cookies',
  })
  @ApiOkResponse({ type: SignInResponse })
  @ApiResponse({
    status: 401,
    description:
      '`unauthenticated`: the email, password or code is not right (also for a locked or unknown account); `totp-required`: send `totpCode` too',
    content: problem,
  })
  async signIn(@Body() dto: SignInDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<SignInResponse> {
    const { user, session } = await this.auth.signIn(dto, req.ip ?? 'unknown', req.header('user-agent'));
    setSessionCookies(res, session);
    return { user, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
  }

  @Post('sign-out')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'signOut',
    summary: 'End the session of the cookie (needs X-CSRF-Token) and clear the cookies',
  })
  @ApiNoContent()
  @ApiProblems(403)
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const sessionId = readCookie(req, SESSION_COOKIE);
    if (sessionId) {
      const session = await this.auth.sessionActor(sessionId);
      if (session && !sameSecret(req.header(CSRF_HEADER), session.csrfToken)) {
        throw identityError(IdentityErrorCode.CsrfTokenInvalid, 'Send the session’s CSRF token in the X-CSRF-Token header');
      }
      await this.auth.endSession(sessionId);
    }
    clearSessionCookies(res);
  }

  @Post('password-reset')
  @Public()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'requestPasswordReset',
    summary: 'Send a one-time reset link to that email, if a user has it (always 202)',
  })
  @ApiAcceptedResponse({
    type: PasswordResetAccepted,
    description: 'The same answer whether or not a user has that email',
  })
  async requestReset(@Body() dto: PasswordResetDto): Promise<PasswordResetAccepted> {
    await this.auth.requestReset(dto.email);
    return { message: 'If a user has this email, a one-time link to set a new password was sent.' };
  }

  @Post('password-reset/confirm')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'confirmPasswordReset',
    summary: 'Set a new password with a one-time link (reset, or a new user’s first)',
  })
  @ApiNoContent('Password set; the user’s sessions ended')
  @ApiProblems(422)
  async confirm(@Body() dto: PasswordLinkConfirmDto): Promise<void> {
    await this.auth.confirmLink(dto.token, dto.password);
  }
}
