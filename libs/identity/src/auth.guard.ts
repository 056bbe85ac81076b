import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Actor, coreError, CoreErrorCode, MACHINE_ROLES, PUBLIC_ROUTE, Role, ROLES_KEY } from '#disty/core';
import { IdentityService } from './identity.service';

/** Bearer token → Actor on the request; @Roles(...) → 403 for other roles, and a machine role only where named. Global (APP_GUARD). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: Actor }>();
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw coreError(CoreErrorCode.Unauthenticated, 'Send an API token as "Authorization: Bearer <token>"');
    const actor = await this.identity.authenticate(match[1]);
    if (!actor) throw coreError(CoreErrorCode.Unauthenticated, 'The API token is not valid');
    req.user = actor;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if ((roles || MACHINE_ROLES.includes(actor.role)) && !roles?.includes(actor.role)) {
      throw coreError(CoreErrorCode.Forbidden, `Role ${actor.role} may not do this; allowed: ${roles?.join(', ') ?? 'people, not machine identities'}`);
    }
    return true;
  }
}
