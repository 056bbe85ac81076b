import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { notFound } from '../errors/problem';
import { EXT_PUBLIC, EXT_ROLES } from '../openapi/decorators';

export const ROLES = ['admin', 'finance', 'reseller_admin', 'buyer', 'sales', 'reseller_finance', 'integration'] as const;
export type Role = (typeof ROLES)[number];
/** The distributor's identities (no reseller): its staff and its machine identities. */
export const DISTRIBUTOR_ROLES: readonly Role[] = ['admin', 'finance', 'integration'];
/**
 * Machine identities (docs/security.md, "Integration tokens"): they may call only the routes whose
 * @Roles names them; every other route, even one open to any signed-in user, answers 403.
 */
export const MACHINE_ROLES: readonly Role[] = ['integration'];
export const RESELLER_ROLES: readonly Role[] = ['reseller_admin', 'buyer', 'sales', 'reseller_finance'];

/** Who is calling: set on the request by the auth guard. */
export interface Actor {
  id: string;
  role: Role;
  /** null for distributor staff. */
  resellerId: string | null;
}

export const PUBLIC_ROUTE = 'disty:public';
export const ROLES_KEY = 'disty:roles';

/** No token needed (health, docs, inbound webhooks that verify their own signature). */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiExtension(EXT_PUBLIC, true));
/** Only these roles may call the handler; others get 403 (the OpenAPI document says so: completeDocument). */
export const Roles = (...roles: Role[]) => applyDecorators(SetMetadata(ROLES_KEY, roles), ApiExtension(EXT_ROLES, roles));

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<{ user: Actor }>().user;
});

export function isDistributor(actor: Actor): boolean {
  return actor.resellerId === null;
}

/**
 * The reseller a query must be limited to: the actor's own for reseller users; for distributor
 * staff the requested one, or null for all.
 */
export function tenantScope(actor: Actor, requested?: string | null): string | null {
  return actor.resellerId ?? requested ?? null;
}

/** Another reseller's resource is a 404, not a 403: its existence is not disclosed. */
export function assertSameTenant(actor: Actor, resellerId: string, what: string): void {
  if (actor.resellerId !== null && actor.resellerId !== resellerId) throw notFound(what);
}
