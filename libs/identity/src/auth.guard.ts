import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Actor, coreError, CoreErrorCode, MACHINE_ROLES, PUBLIC_ROUTE, Role, ROLES_KEY } from '#disty/core';
import { AuthService, sameSecret } from './auth/auth.service';
import { CSRF_HEADER, readCookie, SESSION_COOKIE } from './auth/cookies';
import { identityError, IdentityErrorCode } from './errors';
import { IdentityService } from './identity.service';

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/**
 * Bearer token, or the portal's session cookie → Actor on the request; @Roles(...) → 403 for other
 * roles, and a machine role only where named. A cookie-authenticated unsafe request must carry the session's CSRF token in X-CSRF-Token
 * (docs/security.md §6); a bearer request needs none. Global (APP_GUARD).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: Actor }>();
    const actor = await this.authenticate(req);
    req.user = actor;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if ((roles || MACHINE_ROLES.includes(actor.role)) && !roles?.includes(actor.role)) {
      throw coreError(
        CoreErrorCode.Forbidden,
        `Role ${actor.role} may not do this; allowed: ${roles?.join(', ') ?? 'people, not machine identities'}`,
      );
    }
    return true;
  }

  private async authenticate(req: Request): Promise<Actor> {
    const header = req.header('authorization');
    const sessionId = readCookie(req, SESSION_COOKIE);
    if (header || !sessionId) {
      const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
      if (!match) throw coreError(CoreErrorCode.Unauthenticated, 'Sign in, or send an API token as "Authorization: Bearer <token>"');
      const actor = await this.identity.authenticate(match[1]);
      if (!actor) throw coreError(CoreErrorCode.Unauthenticated, 'The API token is not valid');
      return actor;
    }
    const session = await this.auth.sessionActor(sessionId);
    if (!session) throw coreError(CoreErrorCode.Unauthenticated, 'Your session has ended: sign in again');
    if (!SAFE_METHODS.includes(req.method) && !sameSecret(req.header(CSRF_HEADER), session.csrfToken)) {
      throw identityError(IdentityErrorCode.CsrfTokenInvalid, 'Send the session’s CSRF token in the X-CSRF-Token header');
    }
    return session.actor;
  }
}
