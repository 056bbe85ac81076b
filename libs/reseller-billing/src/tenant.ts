import { Actor, isDistributor, notFound, validationError } from '#disty/core';

/**
 * The reseller a request acts for: a reseller's user always its own (naming another is a 404);
 * distributor staff must name one (400 naming `resellerId` otherwise).
 */
export function actingReseller(actor: Actor, requested: string | null | undefined): string {
  if (!isDistributor(actor)) {
    if (requested && requested.toLowerCase() !== actor.resellerId) throw notFound(`Reseller ${requested}`);
    return actor.resellerId!;
  }
  if (!requested)
    throw validationError('resellerId is required for distributor staff', [{ field: 'resellerId', message: 'resellerId is required' }]);
  return requested.toLowerCase();
}
